/**
 * Reliability: 10,000 malformed requests to the emulator over loopback (broken brackets, huge keys, bad and deep
 * JSON, bad UTF-8, bad content types, oversized bodies, wrong methods and paths, raw garbage on the socket), then
 * normal traffic: every malformed request gets an HTTP answer, nothing crashes, normal calls answer correctly and
 * the portal's data is what it was.
 */
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { postJson, request, start } from '../e2e/emulator-helpers.js'

const MALFORMED_REQUESTS = 10_000
const CONCURRENCY = 16
const MAX_BODY = 64 * 1024

interface Malformed {
  kind: string
  path: string
  init?: RequestInit
}

/** The list call the malformed requests aim at: IDs only, so the answers stay small. */
const LIST = 'crm.deal.list?select[]=ID'
const nested = (depth: number, open: string, close: string) => `${open.repeat(depth)}1${close.repeat(depth)}`
const badUtf8 = Buffer.from([0x61, 0x3d, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80])

/** The i-th malformed request: a fixed rotation through the kinds, varied by `i` so no two are identical. */
function malformed(i: number): Malformed {
  const post = (type: string | undefined, body: string | Buffer): RequestInit => ({
    method: 'POST',
    headers: type === undefined ? {} : { 'Content-Type': type },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  })
  const kinds: (() => Malformed)[] = [
    () => ({ kind: 'brackets', path: `${LIST}&filter[[[${i}=1&select[]]]=x&order]ID[=ASC&[]=1&a[b]c[d=2` }),
    () => ({ kind: 'brackets-deep', path: `${LIST}&filter${'[x]'.repeat(100 + (i % 50))}=1` }),
    () => ({
      kind: 'brackets-form',
      path: 'crm.deal.get',
      init: post('application/x-www-form-urlencoded', `id[${i}]]=1&[=&]]=`),
    }),
    () => ({
      kind: 'huge-key',
      path: LIST,
      init: post('application/x-www-form-urlencoded', `${'k'.repeat(20_000 + i)}=1`),
    }),
    () => ({ kind: 'bad-json', path: LIST, init: post('application/json', `{"filter":{"ID":${i},`) }),
    () => ({
      kind: 'deep-json',
      path: LIST,
      init: post('application/json', nested(5_000 + i, '{"a":', '}')),
    }),
    () => ({ kind: 'deep-json-array', path: 'crm.deal.get', init: post('application/json', nested(512, '[', ']')) }),
    () => ({
      kind: 'bad-utf8-json',
      path: LIST,
      init: post('application/json', Buffer.concat([Buffer.from('{"x":"'), badUtf8, Buffer.from('"}')])),
    }),
    () => ({ kind: 'bad-utf8-form', path: LIST, init: post('application/x-www-form-urlencoded', badUtf8) }),
    () => ({ kind: 'bad-utf8-query', path: `${LIST}&filter[TITLE]=%ff%fe%c3%28&x%ed%a0%80=${i}` }),
    () => ({ kind: 'bad-percent', path: `${LIST}&%zz=%&%%%=${i}&a%5=1` }),
    () => ({ kind: 'multipart-no-boundary', path: LIST, init: post('multipart/form-data', `--x\r\n${i}`) }),
    () => ({
      kind: 'multipart-garbage',
      path: LIST,
      init: post(
        'multipart/form-data; boundary=b',
        `--b\r\nContent-Disposition: form-data; name="a[${i}"\r\n\r\nx\r\n--b`,
      ),
    }),
    () => ({
      kind: 'odd-content-type',
      path: LIST,
      init: post(`x/${'y'.repeat(i % 300)}; ;;=;charset`, `select[]=ID&${i}`),
    }),
    () => ({ kind: 'no-content-type', path: LIST, init: post(undefined, `\u0000\u0001${i}`) }),
    () => ({
      kind: 'oversized',
      path: LIST,
      init: post('application/json', `"${'x'.repeat(MAX_BODY + i)}"`),
    }),
    () => ({
      kind: 'wrong-method',
      path: `${LIST}&start=${i}`,
      init: { method: ['PUT', 'DELETE', 'PATCH'][i % 3], body: 'a=1' },
    }),
    () => ({ kind: 'head', path: LIST, init: { method: 'HEAD' } }),
    () => ({ kind: 'wrong-path', path: `../../${'x/'.repeat(i % 20)}%zz/%E0%A4%A/${i}` }),
    () => ({ kind: 'unknown-method', path: `no.such.method.${i}?a=1` }),
    () => ({ kind: 'huge-start', path: `${LIST}&start=${'9'.repeat(20 + (i % 400))}` }),
    () => ({
      kind: 'batch-garbage',
      path: `batch?cmd[a]=crm.deal.list%3Fselect%5B%5D%3DID%26filter%5B%5B%5B%3D1&cmd[b]=batch%3F&cmd[c][x]=1&halt=${i}`,
    }),
  ]
  return kinds[i % kinds.length]()
}

/** Bytes that are not HTTP, written straight to the socket; the server must close or answer 400, never hang. */
function rawGarbage(port: number, payload: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(answer)
    }
    const timer = setTimeout(done, 5_000)
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1')
    })
    socket.on('error', done)
    socket.on('close', done)
    socket.write(payload, () => socket.end())
  })
}

describe('emulator under 10,000 malformed requests', () => {
  it('answers every one, then serves normal traffic with its state intact', { timeout: 600_000 }, async () => {
    const emu = await start({ methods: undefined, plan: 'off', seed: { deals: 120 }, maxBodyBytes: MAX_BODY })
    const base = emu.webhookUrl
    const created = await postJson(`${base}crm.deal.add`, { fields: { TITLE: 'Before the storm', OPPORTUNITY: 1500 } })
    const dealId = created.json.result as number
    const before = await request(`${base}crm.deal.get?id=${dealId}`)
    const totalBefore = (await request(`${base}crm.deal.list?select[]=ID`)).json.total as number

    const statuses = new Map<string, Set<number>>()
    let unanswered = 0
    let next = 0
    const worker = async () => {
      while (next < MALFORMED_REQUESTS) {
        const { kind, path, init } = malformed(next++)
        try {
          const res = await fetch(`${base}${path}`, { redirect: 'manual', ...init })
          const text = await res.text()
          if ((res.headers.get('content-type') ?? '').startsWith('application/json') && init?.method !== 'HEAD')
            JSON.parse(text)
          if (!statuses.has(kind)) statuses.set(kind, new Set())
          statuses.get(kind)?.add(res.status)
        } catch {
          unanswered++
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    const port = Number(new URL(emu.url).port)
    const garbage = await Promise.all(
      [
        '\u0000\u0001\u0002\r\n\r\n',
        'GET /rest/ HTTP/9.9\r\n\r\n',
        `GET /${'a'.repeat(20_000)} HTTP/1.1\r\n\r\n`,
        'POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n',
      ].map((payload) => rawGarbage(port, payload)),
    )

    expect(unanswered).toBe(0)
    for (const [kind, codes] of statuses) for (const code of codes) expect(code, kind).toBeGreaterThanOrEqual(200)
    for (const [kind, codes] of statuses) for (const code of codes) expect(code, kind).toBeLessThan(500)
    expect(statuses.get('oversized')).toEqual(new Set([413]))
    expect(statuses.get('unknown-method')).toEqual(new Set([404]))
    for (const answer of garbage) expect(answer === '' || /^HTTP\/1\.1 4\d\d /.test(answer), answer).toBe(true)

    // Normal traffic afterwards: the same answers as before, and writes still work.
    const after = await request(`${base}crm.deal.get?id=${dealId}`)
    expect(after.status).toBe(200)
    expect(after.json.result).toEqual(before.json.result)
    expect((await request(`${base}crm.deal.list?select[]=ID`)).json.total).toBe(totalBefore)
    const page = await request(`${base}crm.deal.list?filter[>ID]=10&order[ID]=ASC&select[]=ID&select[]=TITLE`)
    expect(page.json.result).toHaveLength(50)
    expect(page.json.result[0].ID).toBe('11')
    const added = await postJson(`${base}crm.deal.add`, { fields: { TITLE: 'After the storm' } })
    expect(added.json.result).toBe(dealId + 1)
    const batch = await postJson(`${base}batch`, { cmd: { a: `crm.deal.get?id=${dealId + 1}`, b: 'profile' } })
    expect(batch.json.result.result.a.TITLE).toBe('After the storm')
    expect(batch.json.result.result.b.ID).toBe('1')
    expect(batch.json.result.result_error).toEqual([])
  })
})
