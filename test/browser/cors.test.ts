/**
 * What a browser may send to a portal: the portal's CORS allows the request headers `origin, content-type, accept`
 * and nothing else. Over `fetch` (the browser transport) a call carries only those; the Node transport, which no
 * browser runs, keeps `user-agent` and `x-request-id`. The emulator's preflight answers as the portal does.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixWebhook, Client } from '../../src/index.js'

const PORTAL_ALLOWED_HEADERS = ['origin', 'content-type', 'accept']

let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator({ seed: { deals: 2 }, randomSeed: 5, realDelays: false })
})
afterAll(() => emu.close())

describe('request headers a browser may send', () => {
  it('a call over fetch names only headers the portal allows', async () => {
    const sent: string[][] = []
    const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), {
      limiter: false,
      fetch: (input, init) => {
        sent.push(Object.keys(init.headers ?? {}).map((name) => name.toLowerCase()))
        return fetch(input, init)
      },
    })
    const response = await client.crm.deal.list({ select: ['ID'] })
    expect(response.result.length).toBe(2)
    expect(sent).toHaveLength(1)
    expect(sent[0].length).toBeGreaterThan(0)
    for (const name of sent[0]) expect(PORTAL_ALLOWED_HEADERS).toContain(name)
  })

  it('the Node transport still sends a user agent and a request id', async () => {
    const received: IncomingHttpHeaders[] = []
    const server: Server = createServer((req, res) => {
      received.push(req.headers)
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ result: { ok: true }, time: { start: 1, finish: 1, duration: 0, processing: 0 } }))
    })
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
    try {
      const { port } = server.address() as AddressInfo
      const client = new Client(BitrixWebhook.fromUrl(`http://127.0.0.1:${port}/rest/1/key/`), { limiter: false })
      await client.call('server.time', {})
      await client.call('server.time', {})
      expect(received).toHaveLength(2)
      expect(received[0]['user-agent']).toMatch(/^b24tssdk\//)
      expect(received[0]['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
      expect(received[1]['x-request-id']).not.toBe(received[0]['x-request-id'])
    } finally {
      await new Promise((closed) => server.close(closed))
    }
  })
})

describe('the emulator answers a preflight as the portal does', () => {
  it('allows exactly origin, content-type and accept', async () => {
    const response = await fetch(`${emu.url}/rest/crm.deal.list`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'POST' },
    })
    await response.arrayBuffer()
    expect(response.status).toBe(200)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-headers')).toBe(PORTAL_ALLOWED_HEADERS.join(', '))
  })
})
