/**
 * `client.call` is both the generic call and the documented `call.*` namespace (`call.followup.*`, REST 3.0):
 * both reach the portal, over real HTTP, at the address their REST version gives.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BitrixWebhook, Client } from '../../src/index.js'

let server: Server
const paths: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    paths.push(req.url ?? '')
    req.resume()
    req.on('end', () => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ result: { items: [{ id: 7 }] }, time: { start: 1, finish: 1, duration: 0 } }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

function client(): Client {
  const { port } = server.address() as AddressInfo
  return new Client(BitrixWebhook.fromUrl(`http://127.0.0.1:${port}/rest/1/key/`), { limiter: false })
}

describe('client.call', () => {
  it('reaches call.followup.* through the tree, on REST 3.0', async () => {
    paths.length = 0
    const c = client()
    const response = await c.call.followup.list({
      filter: { startDate: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' } },
    })
    expect(response.result).toEqual({ items: [{ id: 7 }] })
    expect(paths).toEqual(['/rest/api/1/key/call.followup.list'])
  })

  it('is still the generic call by name', async () => {
    paths.length = 0
    const c = client()
    await c.call('server.time')
    await c.call('call.followup.get', { callId: 1 })
    expect(paths).toEqual(['/rest/1/key/server.time', '/rest/api/1/key/call.followup.get'])
  })

  it('exposes the namespace to `in` and keeps the function', () => {
    const c = client()
    expect('followup' in c.call).toBe(true)
    expect(typeof c.call).toBe('function')
    expect(c.call).toBe(c.call)
  })
})
