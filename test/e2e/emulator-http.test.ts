import { describe, expect, it } from 'vitest'
import { postForm, postJson, request, start } from './emulator-helpers.js'

describe('emulator routing', () => {
  it('serves a webhook method with and without .json, trailing slash and any case', async () => {
    const emu = await start()
    for (const path of ['test.echo', 'test.echo.json', 'test.echo/', 'TEST.Echo.JSON/', 'Test.Echo']) {
      const res = await request(`${emu.webhookUrl}${path}?a=1`)
      expect(res.status, path).toBe(200)
      expect(res.json.result, path).toEqual({ a: '1' })
    }
  })

  it('tolerates doubled slashes like the official JS SDK sends', async () => {
    const emu = await start()
    const res = await request(`${emu.webhookUrl.replace(/\/$/, '')}//test.echo?x=2`)
    expect(res.json.result).toEqual({ x: '2' })
  })

  it('gives the webhook URL, url and domain on loopback', async () => {
    const emu = await start()
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(emu.domain).toBe(new URL(emu.url).host)
    expect(emu.webhookUrl).toMatch(new RegExp(`^${emu.url}/rest/1/[a-z0-9]{16}/$`))
  })

  it('reports a custom domain while serving on loopback', async () => {
    const emu = await start({ domain: 'example.bitrix24.test' })
    expect(emu.domain).toBe('example.bitrix24.test')
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:/)
  })

  it('answers unknown methods with 404 ERROR_METHOD_NOT_FOUND, unknown paths with 404', async () => {
    const emu = await start()
    const res = await request(`${emu.webhookUrl}no.such.method`)
    expect(res.status).toBe(404)
    expect(res.json).toEqual({ error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' })
    expect((await request(`${emu.webhookUrl.replace('/rest/', '/rest/api/')}no.such.method`)).status).toBe(404)
    expect((await request(`${emu.url}/rest/api/1/x/y/z/tasks.task.get`)).status).toBe(404)
    expect((await request(`${emu.url}/favicon.ico`)).status).toBe(404)
  })

  it('answers .xml with a minimal XML document', async () => {
    const emu = await start()
    const res = await request(`${emu.webhookUrl}test.echo.xml?a[]=x&a[]=y&b=<&c=1`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8')
    expect(res.text).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><response><result>/)
    expect(res.text).toContain('<a><item>x</item><item>y</item></a><b>&#60;</b><c>1</c>')
  })

  it('sets the portal headers and answers CORS preflight', async () => {
    const emu = await start()
    const res = await request(`${emu.webhookUrl}test.echo`)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const preflight = await request(`${emu.webhookUrl}test.echo`, { method: 'OPTIONS' })
    expect(preflight.status).toBe(200)
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type')
  })
})

describe('emulator parameters', () => {
  it('parses PHP bracket notation in the query string', async () => {
    const emu = await start()
    const qs =
      'fields[TITLE]=My%20company&fields[PHONE][0][VALUE]=112233&fields[PHONE][1][VALUE]=555&select[]=ID&select[]=NAME&filter[%3EID]=5&a.b=1&plus=a+b'
    const res = await request(`${emu.webhookUrl}test.echo?${qs}`)
    expect(res.json.result).toEqual({
      fields: { TITLE: 'My company', PHONE: [{ VALUE: '112233' }, { VALUE: '555' }] },
      select: ['ID', 'NAME'],
      filter: { '>ID': '5' },
      a_b: '1',
      plus: 'a b',
    })
  })

  it('reads a JSON body only for application/json, keeping types, and merges the query under it', async () => {
    const emu = await start()
    const res = await postJson(`${emu.webhookUrl}test.echo?q=query&same=query`, {
      same: 'body',
      n: 5,
      flag: true,
      nested: { list: [1, 2], none: null },
    })
    expect(res.json.result).toEqual({
      q: 'query',
      same: 'body',
      n: 5,
      flag: true,
      nested: { list: [1, 2], none: null },
    })
    const withCharset = await request(`${emu.webhookUrl}test.echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: '{"x":1}',
    })
    expect(withCharset.json.result).toEqual({ x: 1 })
  })

  it('turns invalid JSON into empty params', async () => {
    const emu = await start()
    const res = await request(`${emu.webhookUrl}test.echo?keep=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"broken": ',
    })
    expect(res.status).toBe(200)
    expect(res.json.result).toEqual({ keep: '1' })
  })

  it('parses urlencoded bodies as strings, body winning over the query', async () => {
    const emu = await start()
    const res = await postForm(`${emu.webhookUrl}test.echo?a=query&q=1`, 'a=body&n=5&list[]=x&list[]=y')
    expect(res.json.result).toEqual({ a: 'body', q: '1', n: '5', list: ['x', 'y'] })
  })

  it('parses a body with another content type through parse_str', async () => {
    const emu = await start()
    const res = await request(`${emu.webhookUrl}test.echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'a[b]=1',
    })
    expect(res.json.result).toEqual({ a: { b: '1' } })
  })

  it('parses multipart/form-data with bracket names and files', async () => {
    const emu = await start()
    const form = new FormData()
    form.append('fields[TITLE]', 'Deal ü')
    form.append('select[]', 'ID')
    form.append('select[]', 'TITLE')
    form.append('file', new Blob([Buffer.from('hello')]), 'a.txt')
    const res = await request(`${emu.webhookUrl}test.echo`, { method: 'POST', body: form })
    expect(res.json.result).toEqual({
      fields: { TITLE: 'Deal ü' },
      select: ['ID', 'TITLE'],
      file: ['a.txt', Buffer.from('hello').toString('base64')],
    })
  })

  it('drops prototype keys wherever they appear', async () => {
    const emu = await start()
    const qs = '__proto__[polluted]=1&constructor[prototype][x]=1&a[__proto__][y]=1&a[ok]=1&b[constructor]=2'
    const res = await request(`${emu.webhookUrl}test.echo?${qs}`)
    expect(res.json.result).toEqual({ a: { ok: '1' } })
    const json = await request(`${emu.webhookUrl}test.echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"__proto__":{"polluted":1},"a":{"constructor":{"prototype":{"x":1}},"ok":1}}',
    })
    expect(json.json.result).toEqual({ a: { ok: 1 } })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('strips auth params before the handler and keeps start for it', async () => {
    const emu = await start()
    const app = emu.createApp()
    const token = emu.issueToken({ clientId: app.clientId })
    const res = await request(`${emu.url}/rest/test.echo?auth=${token.accessToken}&start=50&access_token=x`)
    expect(res.json.result).toEqual({ start: '50' })
  })
})

describe('emulator JSON encoding', () => {
  it('escapes like PHP json_encode with the HEX flags', async () => {
    const emu = await start()
    const value = 'a/b <tag> & \'q\' "dq" é 😀 \\ \n'
    const res = await postJson(`${emu.webhookUrl}test.echo`, { value })
    expect(res.text).toContain(
      '"value":"a\\/b \\u003Ctag\\u003E \\u0026 \\u0027q\\u0027 \\u0022dq\\u0022 \\u00e9 \\ud83d\\ude00 \\\\ \\n"',
    )
    expect(res.json.result.value).toBe(value)
  })

  it('writes empty results and empty maps as [] and 0..n-1 maps as lists', async () => {
    const emu = await start()
    expect((await request(`${emu.webhookUrl}test.empty`)).text).toMatch(/^\{"result":\[\],"time":\{/)
    const res = await postJson(`${emu.webhookUrl}test.echo`, { m: { 0: 'a', 1: 'b' }, e: {}, o: { 1: 'x' } })
    expect(res.text).toMatch(/^\{"result":\{"m":\["a","b"\],"e":\[\],"o":\{"1":"x"\}\},"time"/)
  })
})

describe('emulator envelope', () => {
  it('returns result, total, next and the time block', async () => {
    const emu = await start()
    const res = await request(`${emu.webhookUrl}test.list?start=50`)
    expect(res.json.result).toHaveLength(50)
    expect(res.json.total).toBe(120)
    expect(res.json.next).toBe(100)
    expect(Object.keys(res.json)).toEqual(['result', 'total', 'next', 'time'])
    const time = res.json.time
    expect(Object.keys(time)).toEqual([
      'start',
      'finish',
      'duration',
      'processing',
      'date_start',
      'date_finish',
      'operating',
    ])
    // date('c') in the portal's time zone (the seeded portal is at UTC+2), the same instant as `start`.
    expect(time.date_start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+02:00$/)
    expect(Math.floor(Date.parse(String(time.date_start)) / 1000)).toBe(Math.floor(Number(time.start)))
    expect(time.finish).toBeGreaterThanOrEqual(time.start)
    expect(time.operating).toBe(0)
    const last = await request(`${emu.webhookUrl}test.list?start=100`)
    expect(last.json.next).toBeUndefined()
  })

  it('turns handler exceptions into 500 INTERNAL_SERVER_ERROR without time, and keeps serving', async () => {
    const emu = await start()
    const res = await request(`${emu.webhookUrl}test.throw`)
    expect(res.status).toBe(500)
    expect(res.json).toEqual({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' })
    const legacy = await request(`${emu.webhookUrl}test.fail`)
    expect(legacy.status).toBe(400)
    expect(legacy.json).toEqual({ error: '', error_description: 'Not found' })
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
  })
})
