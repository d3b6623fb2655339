/**
 * Whether the emulator delivers events: binds `ONCRMDEALADD` on one portal to a handler on loopback, adds a deal
 * and waits (at most 5 s) for the portal's POST. Event delivery is a separate piece of the emulator; where it is
 * missing the simulation says so instead of pretending, and the per-portal event stage is skipped.
 */
import { createServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Emulator } from '../src/emulator/index.js'
import { EMULATOR_TLS_CERT } from '../src/emulator/index.js'
import { createDefaultTransport } from '../src/http/transport.js'

export interface EventProbe {
  available: boolean
  /** Why not, when not. */
  reason?: string
  /** POSTs the handler received during the probe. */
  delivered: number
}

export async function probeEvents(emu: Emulator, host: string): Promise<EventProbe> {
  let delivered = 0
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      delivered += 1
      res.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const transport = createDefaultTransport({ tls: { ca: EMULATOR_TLS_CERT }, resolve: () => '127.0.0.1' })
  const portal = emu.portal(host)
  const app = emu.createApp({ clientId: 'local.sim.eventprobe' })
  const token = portal.issueToken({ clientId: app.clientId })
  const post = (method: string, body: Record<string, string>) =>
    transport({
      url: `${portal.url}/rest/${method}`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
      connectTimeoutMs: 5_000,
      readTimeoutMs: 10_000,
    })
  try {
    const bound = await post('event.bind', {
      auth: token.accessToken,
      event: 'ONCRMDEALADD',
      handler: `http://127.0.0.1:${port}/event`,
    })
    if (bound.status !== 200) return { available: false, reason: `event.bind answered ${bound.status}`, delivered }
    await post('crm.deal.add', { auth: token.accessToken, 'fields[TITLE]': 'event probe' })
    for (let waited = 0; waited < 5_000 && delivered === 0; waited += 100) await sleep(100)
    return delivered > 0
      ? { available: true, delivered }
      : {
          available: false,
          reason: 'event.bind is accepted but the emulator posts no events (event delivery is not in this build)',
          delivered,
        }
  } finally {
    server.close()
    server.closeAllConnections()
  }
}
