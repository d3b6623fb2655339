/**
 * The app's event endpoint and the per-portal event stage. The app is registered with an install URL on
 * loopback, so every portal's authorize page posts `ONAPPINSTALL` there and the handler (`createAppHandler`)
 * keeps each portal's application token. The stage binds `ONCRMDEALADD` on every portal with that portal's
 * token and adds one deal on each; the handler verifies each event (the application token of the portal it
 * names), then reads the deal back with the event's access token at the event's `client_endpoint`. A forged
 * event (a known member_id with a wrong application token) must be refused. The bindings are removed again
 * before the workload. Everything is bounded in time.
 */
import { createServer } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Emulator } from '../src/emulator/index.js'
import type { Transport } from '../src/http/transport.js'
import { createAppHandler, PortalWorkPool, toNodeListener } from '../src/index.js'

/** What the event stage found; `available` is false when the emulator posts no events at all. */
export interface EventStage {
  available: boolean
  /** Why not, when not. */
  reason?: string
  /** Portals in the stage. */
  portals: number
  /** `ONAPPINSTALL` events the handler accepted (one per portal installed through its authorize page). */
  installEvents: number
  /** Deals added (one per portal). */
  deals: number
  /** `ONCRMDEALADD` events the handler verified. */
  delivered: number
  /** Deals the handler read back after verifying their event: the right portal, ID and title. */
  processed: number
  /** Deals whose event was handled more than once. */
  duplicates: number
  /** Portal calls the handler refused (the forged probe excluded). */
  rejected: number
  /** The forged event (right member_id, wrong application token) was refused. */
  forgedRefused: boolean
  /** Seconds from the first deal added to the last one processed (or the timeout). */
  seconds: number
}

/** The app's endpoint for portal calls (install events and bound events), on loopback. */
export interface AppEndpoint {
  url: string
  /** Application token and domain by member_id, from `ONAPPINSTALL`. */
  readonly installs: Map<string, { applicationToken: string; domain: string }>
  /** Installs received until now. */
  installEvents(): number
  runStage(emu: Emulator, hosts: string[], tokens: Map<string, string>): Promise<EventStage>
  close(): Promise<void>
}

/** The title of the stage's deal on the portal `domain` (port dropped). */
function titleFor(domain: string): string {
  return `sim event ${domain.replace(/:\d+$/, '')}`
}

export async function startAppEndpoint(transport: Transport): Promise<AppEndpoint> {
  const installs = new Map<string, { applicationToken: string; domain: string }>()
  let installEvents = 0
  let rejected = 0
  let delivered = 0
  /** How often each deal's event was handled, by `memberId:dealId`. */
  const handled = new Map<string, number>()
  let processed = 0

  const call = async (endpoint: string, method: string, body: Record<string, string>) => {
    const answer = await transport({
      url: `${endpoint}${method}`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
      connectTimeoutMs: 5_000,
      readTimeoutMs: 20_000,
    })
    return { status: answer.status, json: JSON.parse(answer.body) as { result?: unknown } }
  }

  const handler = createAppHandler({
    findInstallation: (memberId) => installs.get(memberId),
    onInstall: (installation) => {
      installEvents += 1
      installs.set(installation.memberId, {
        applicationToken: installation.applicationToken,
        domain: installation.domain,
      })
    },
    events: {
      ONCRMDEALADD: async (event) => {
        delivered += 1
        const id = String(event.data.FIELDS?.ID ?? '')
        const key = `${event.auth.memberId}:${id}`
        const count = (handled.get(key) ?? 0) + 1
        handled.set(key, count)
        if (count > 1) return
        const { accessToken, clientEndpoint } = event.auth
        if (accessToken === undefined || clientEndpoint === undefined) return
        const read = await call(clientEndpoint, 'crm.deal.get', { auth: accessToken, id })
        const deal = read.json.result as { ID?: unknown; TITLE?: unknown } | undefined
        // The title names the portal the deal was added on (the event may come before crm.deal.add answers).
        const title = titleFor(event.auth.domain)
        if (read.status === 200 && String(deal?.ID) === id && deal?.TITLE === title) processed += 1
      },
    },
    onRejected: () => {
      rejected += 1
    },
  })
  const server = createServer(toNodeListener(handler))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`

  /** A POST to the handler as a portal would send it, with a wrong application token; refused = 4xx. */
  async function forged(memberId: string): Promise<boolean> {
    const before = rejected
    const answer = await transport({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        event: 'ONCRMDEALADD',
        'data[FIELDS][ID]': '1',
        ts: '0',
        'auth[member_id]': memberId,
        'auth[domain]': installs.get(memberId)?.domain ?? '',
        'auth[application_token]': 'forged',
      }).toString(),
      connectTimeoutMs: 5_000,
      readTimeoutMs: 10_000,
    })
    rejected = before
    return answer.status >= 400 && answer.status < 500
  }

  async function runStage(emu: Emulator, hosts: string[], tokens: Map<string, string>): Promise<EventStage> {
    const stage: EventStage = {
      available: false,
      portals: hosts.length,
      installEvents,
      deals: 0,
      delivered: 0,
      processed: 0,
      duplicates: 0,
      rejected: 0,
      forgedRefused: false,
      seconds: 0,
    }
    const finish = (reason?: string): EventStage => ({
      ...stage,
      available: installEvents > 0 || delivered > 0,
      ...(reason === undefined ? {} : { reason }),
      installEvents,
      delivered,
      processed,
      duplicates: [...handled.values()].filter((count) => count > 1).length,
      rejected,
    })
    if (installEvents === 0) return finish('no ONAPPINSTALL reached the install URL: the emulator posts no events')
    const pool = new PortalWorkPool({ concurrency: 32, perPortal: 1 })
    const started = Date.now()
    const failures: string[] = []
    await Promise.all(
      hosts.map((host) =>
        pool.run(host, async () => {
          const portal = emu.portal(host)
          const auth = tokens.get(host) ?? ''
          const endpoint = `${portal.url}/rest/`
          const bound = await call(endpoint, 'event.bind', { auth, event: 'ONCRMDEALADD', handler: url })
          if (bound.status !== 200) return void failures.push(`${host}: event.bind answered ${bound.status}`)
          const added = await call(endpoint, 'crm.deal.add', { auth, 'fields[TITLE]': titleFor(portal.domain) })
          if (added.status !== 200) return void failures.push(`${host}: crm.deal.add answered ${added.status}`)
          stage.deals += 1
        }),
      ),
    )
    const until = Date.now() + Math.max(15_000, hosts.length * 30)
    while (processed < stage.deals && Date.now() < until) await sleep(100)
    stage.seconds = Math.round((Date.now() - started) / 100) / 10
    // Unbound again, so the workload's writes raise no events (its figures stay those of the REST workload).
    await Promise.all(
      hosts.map((host) =>
        pool.run(host, async () => {
          const auth = tokens.get(host) ?? ''
          await call(`${emu.portal(host).url}/rest/`, 'event.unbind', { auth, event: 'ONCRMDEALADD', handler: url })
        }),
      ),
    )
    const [first] = installs.keys()
    stage.forgedRefused = first === undefined ? false : await forged(first)
    return finish(failures.length > 0 ? failures.slice(0, 3).join('; ') : undefined)
  }

  return {
    url,
    installs,
    installEvents: () => installEvents,
    runStage,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
