/**
 * Compressed answers over real HTTP: the Node transport asks for gzip, deflate and br and decodes them while
 * streaming; the emulator compresses when asked, as a portal's web server does; a decompression bomb stops at the
 * size cap and a body that is not what its Content-Encoding says is a typed error.
 */
import { randomBytes } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  deflateRawSync,
  deflateSync,
  gunzipSync,
  gzipSync,
  inflateSync,
} from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixRequestError } from '../../src/errors/index.js'
import { createNodeTransport, MAX_RESPONSE_BYTES } from '../../src/http/node-transport.js'
import { BitrixWebhook, Client } from '../../src/index.js'
import { envelope, type HostileServer, hostileClient, rejection, startHostileServer } from './envelope-server.js'

/** One raw POST to the emulator; the body as received (not decoded) and the headers. */
function rawPost(url: string, acceptEncoding?: string): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ order: { ID: 'ASC' } })
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

describe('the emulator compresses as a portal does', () => {
  let emu: Emulator
  beforeAll(async () => {
    emu = await startEmulator({ plan: 'off', realDelays: false, seed: { deals: 200 }, randomSeed: 1 })
  })
  afterAll(async () => {
    await emu.close()
  })

  it('answers gzip (preferred), br or deflate by Accept-Encoding, and plain text when not asked', async () => {
    const url = `${emu.webhookUrl}crm.deal.list`
    const plain = await rawPost(url)
    expect(plain.headers['content-encoding']).toBeUndefined()
    const expected = JSON.parse(plain.body.toString('utf8')).result
    expect(expected).toHaveLength(50)

    const gzip = await rawPost(url, 'gzip')
    expect(gzip.headers['content-encoding']).toBe('gzip')
    expect(JSON.parse(gunzipSync(gzip.body).toString('utf8')).result).toEqual(expected)
    expect(gzip.body.length).toBeLessThan(plain.body.length / 4)

    const all = await rawPost(url, 'gzip, deflate, br')
    expect(all.headers['content-encoding']).toBe('gzip')
    expect(all.headers.vary).toBe('Accept-Encoding')

    const br = await rawPost(url, 'br, deflate')
    expect(br.headers['content-encoding']).toBe('br')
    expect(JSON.parse(brotliDecompressSync(br.body).toString('utf8')).result).toEqual(expected)

    const refused = await rawPost(url, 'br;q=0, deflate')
    expect(refused.headers['content-encoding']).toBe('deflate')
    expect(JSON.parse(inflateSync(refused.body).toString('utf8')).result).toEqual(expected)
  })

  it('leaves small answers alone', async () => {
    const small = await rawPost(`${emu.webhookUrl}server.time`, 'gzip')
    expect(small.headers['content-encoding']).toBeUndefined()
  })

  it('the SDK reads compressed exports exactly, and the wire carries fewer bytes than the JSON', async () => {
    const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), { limiter: false })
    emu.resetStats()
    const rows = await client.crm.deal.list({ order: { ID: 'ASC' } }).asList()
    const stats = emu.getStats()
    expect(rows.map((row) => Number(row.ID))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    expect(stats.responseBodyBytes).toBeGreaterThan(0)
    expect(stats.responseBodyBytes).toBeLessThan(JSON.stringify(rows).length / 4)
  })
})

describe('the Node transport against a hostile server', () => {
  let server: HostileServer
  beforeAll(async () => {
    server = await startHostileServer()
  })
  afterAll(async () => {
    await server.close()
  })

  const answer = { ID: '7', TITLE: 'x'.repeat(2000) }
  const codings: Array<[string, (body: Buffer) => Buffer]> = [
    ['gzip', (body) => gzipSync(body)],
    ['deflate', (body) => deflateSync(body)],
    ['deflate', (body) => deflateRawSync(body)],
    ['br', (body) => brotliCompressSync(body)],
  ]

  it('asks for gzip, deflate and br and decodes each (zlib-wrapped and raw deflate alike)', async () => {
    for (const [coding, encode] of codings) {
      server.reset([{ body: encode(Buffer.from(envelope(answer))), headers: { 'content-encoding': coding } }])
      const client = hostileClient(server, createNodeTransport())
      const response = await client.call('crm.deal.get', { id: 7 })
      expect(response.result).toEqual(answer)
      expect(server.received[0].headers['accept-encoding']).toBe('gzip, deflate, br')
    }
  })

  it('refuses a decompression bomb at the size cap with a typed error', async () => {
    // 65 MiB of zeros gzip to about 65 KiB: small on the wire, over the 64 MiB cap once decoded.
    const bomb = gzipSync(Buffer.alloc(MAX_RESPONSE_BYTES + 2 ** 20), { level: constants.Z_BEST_COMPRESSION })
    expect(bomb.length).toBeLessThan(2 ** 20)
    server.reset([{ body: bomb, headers: { 'content-encoding': 'gzip' } }])
    const error = await rejection(hostileClient(server, createNodeTransport()).call('crm.deal.get', { id: 1 }))
    expect(error).toBeInstanceOf(BitrixRequestError)
    expect((error as BitrixRequestError).message).toMatch(
      /unreadable response .*larger than 67108864 bytes once decoded/,
    )
  })

  it('refuses a small bomb (decoded in one call) at a lowered cap too', async () => {
    // 100 KB of zeros gzip to about 100 bytes: decoded at once, not streamed; the cap still holds.
    server.reset([{ body: gzipSync(Buffer.alloc(100_000)), headers: { 'content-encoding': 'gzip' } }])
    const client = hostileClient(server, createNodeTransport({ maxResponseBytes: 10_000 }))
    const error = await rejection(client.call('crm.deal.get', { id: 1 }))
    expect(error).toBeInstanceOf(BitrixRequestError)
    expect((error as BitrixRequestError).message).toMatch(/larger than 10000 bytes once decoded/)
  })

  it('decodes a large compressed answer while streaming', async () => {
    // Random hex does not compress far: the compressed body is larger than what is decoded in one call.
    const rows = Array.from({ length: 5_000 }, (_, i) => ({
      ID: String(i + 1),
      TITLE: randomBytes(16).toString('hex'),
    }))
    const body = gzipSync(Buffer.from(envelope(rows)), { level: 1 })
    expect(body.length).toBeGreaterThan(64 * 1024)
    server.reset([{ body, headers: { 'content-encoding': 'gzip' } }])
    const response = await hostileClient(server, createNodeTransport()).call('crm.deal.list', {})
    expect(response.result).toEqual(rows)
  })

  it('refuses a plain body over a (lowered) cap before reading it all', async () => {
    server.reset([{ body: envelope(answer) }])
    const client = hostileClient(server, createNodeTransport({ maxResponseBytes: 1000 }))
    const error = await rejection(client.call('crm.deal.get', { id: 1 }))
    expect(error).toBeInstanceOf(BitrixRequestError)
    expect((error as BitrixRequestError).message).toMatch(/larger than 1000 bytes/)
  })

  it('a body that is not what its Content-Encoding says, or an unknown coding, is a typed error', async () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ['gzip', Buffer.from(envelope(answer)), /not valid gzip/],
      ['br', gzipSync(Buffer.from(envelope(answer))), /not valid br/],
      ['compress', Buffer.from(envelope(answer)), /Content-Encoding "compress", not one of gzip, deflate, br/],
      ['gzip, br', brotliCompressSync(gzipSync(Buffer.from(envelope(answer)))), /Content-Encoding "gzip, br"/],
    ]
    for (const [coding, body, message] of cases) {
      server.reset([{ body, headers: { 'content-encoding': coding } }])
      const error = await rejection(hostileClient(server, createNodeTransport()).call('crm.deal.get', { id: 1 }))
      expect(error).toBeInstanceOf(BitrixRequestError)
      expect((error as BitrixRequestError).message).toMatch(message)
    }
  })

  it('a compressed body cut mid-stream is a network error, not a short result', async () => {
    server.reset([
      { body: gzipSync(Buffer.from(envelope(answer))), headers: { 'content-encoding': 'gzip' }, cut: true },
    ])
    const error = await rejection(hostileClient(server, createNodeTransport()).call('crm.deal.get', { id: 1 }))
    expect(error).toBeInstanceOf(BitrixRequestError)
  })
})
