/**
 * PHP's input limits in the emulator, over real HTTP: max_input_vars (issue 8 item 19), a huge `start`
 * (item 20) and json_decode's depth (item 21). Each answer is what the portal's PHP would give, plus an
 * `X-Emulator-Warning` header where PHP would only have logged a warning.
 */
import { describe, expect, it } from 'vitest'
import { postForm, request, start } from '../e2e/emulator-helpers.js'

const WARNING = 'x-emulator-warning'

describe('max_input_vars', () => {
  it('reads the first 10,000 variables of a 1,000,000-key form and still serves other requests', async () => {
    const emu = await start()
    const body = Array.from({ length: 1_000_000 }, (_, i) => `k${i}=${i}`).join('&')
    const [huge, normal] = await Promise.all([
      postForm(`${emu.webhookUrl}test.echo`, body),
      request(`${emu.webhookUrl}test.echo?ping=1`),
    ])
    expect(normal.json.result).toEqual({ ping: '1' })
    expect(huge.status).toBe(200)
    const keys = Object.keys(huge.json.result)
    expect(keys).toHaveLength(10_000)
    expect(keys[0]).toBe('k0')
    expect(huge.json.result.k9999).toBe('9999')
    expect(huge.json.result.k10000).toBeUndefined()
    expect(huge.headers.get(WARNING)).toBe('max_input_vars (10000) exceeded: 990000 variables dropped')
  })

  it('is configurable and counts the query string and the body separately, as PHP does', async () => {
    const emu = await start({ maxInputVars: 3 })
    const res = await postForm(`${emu.webhookUrl}test.echo?q1=1&q2=2&q3=3&q4=4`, 'a=1&&b=2&c=3&d=4&e=5')
    expect(res.json.result).toEqual({ q1: '1', q2: '2', q3: '3', a: '1', b: '2', c: '3' })
    expect(res.headers.get(WARNING)).toBe('max_input_vars (3) exceeded: 3 variables dropped')
    const fine = await request(`${emu.webhookUrl}test.echo?a=1&b=2&c=3`)
    expect(fine.headers.get(WARNING)).toBeNull()
  })

  it('applies to multipart fields too', async () => {
    const emu = await start({ maxInputVars: 2 })
    const form = new FormData()
    for (const name of ['a', 'b[x]', 'c']) form.append(name, `${name}-value`)
    const res = await request(`${emu.webhookUrl}test.echo`, { method: 'POST', body: form })
    expect(res.json.result).toEqual({ a: 'a-value', b: { x: 'b[x]-value' } })
    expect(res.headers.get(WARNING)).toBe('max_input_vars (2) exceeded: 1 variables dropped')
  })

  it('applies to each batch command’s query', async () => {
    const emu = await start({ maxInputVars: 2 })
    const cmd = encodeURIComponent('test.echo?a=1&b=2&c=3')
    const res = await request(`${emu.webhookUrl}batch?cmd[x]=${cmd}`)
    expect(res.json.result.result.x).toEqual({ a: '1', b: '2' })
  })

  it('drops a variable nested deeper than max_input_nesting_level, with what it had before', async () => {
    const emu = await start()
    const deep = `a${'[x]'.repeat(65)}=v`
    const res = await request(`${emu.webhookUrl}test.echo?a[y]=1&${deep}&b=2`)
    expect(res.json.result).toEqual({ b: '2' })
    const ok = await request(`${emu.webhookUrl}test.echo?${`a${'[x]'.repeat(3)}=v`}`)
    expect(ok.json.result).toEqual({ a: { x: { x: { x: 'v' } } } })
  })
})

describe('start far beyond the data', () => {
  it('start=9007199254740993 answers an empty page at the cost of skipping every row, and blocks nothing', async () => {
    const emu = await start({ methods: undefined, seed: { deals: 200 } })
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await request(`${emu.webhookUrl}crm.deal.list?start=9007199254740993`)
      expect(res.status).toBe(200)
      expect(res.json.result).toEqual([])
      expect(res.json.total).toBe(200)
      expect(res.json.time.processing).toBeLessThan(1)
      expect(res.json.time.operating).toBeLessThan(1)
    }
    const huge = await request(`${emu.webhookUrl}crm.deal.list?start=${'9'.repeat(400)}`)
    expect(huge.status).toBe(200)
    expect(huge.json.time.processing).toBeLessThan(1)
  })
})

describe('json_decode depth', () => {
  const nested = (depth: number) => `${'['.repeat(depth)}"v"${']'.repeat(depth)}`
  const postJsonText = (url: string, body: string) =>
    request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })

  it('decodes 511 levels (PHP’s limit of 512 counts the innermost value)', async () => {
    const emu = await start()
    const res = await postJsonText(`${emu.webhookUrl}test.echo`, `{"a":${nested(510)}}`)
    expect(res.status).toBe(200)
    expect(res.headers.get(WARNING)).toBeNull()
    let node: unknown = res.json.result.a
    for (let level = 0; level < 510; level++) node = (node as unknown[])[0]
    expect(node).toBe('v')
  })

  it('reads 512 or 3,000 levels as {} like the portal, saying why', async () => {
    const emu = await start()
    for (const depth of [512, 3000, 100_000]) {
      const res = await postJsonText(`${emu.webhookUrl}test.echo?q=1`, `{"a":${nested(depth - 1)}}`)
      expect(res.status, String(depth)).toBe(200)
      expect(res.json.result, String(depth)).toEqual({ q: '1' })
      expect(res.headers.get(WARNING)).toBe(
        'json_decode failed (Maximum stack depth exceeded): the body was read as {}',
      )
    }
  })

  it('reads a JSON body that is not UTF-8 as {} like PHP (JSON_ERROR_UTF8)', async () => {
    const emu = await start()
    const body = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])
    const res = await request(`${emu.webhookUrl}test.echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    })
    expect(res.json.result).toEqual([]) // no params: PHP's empty array
    expect(res.headers.get(WARNING)).toContain('Malformed UTF-8')
  })
})
