/**
 * One worker process of the simulated app. It takes work items from a Redis list (moving each to its own
 * `taken` list until done, so the coordinator can requeue the items of a killed worker), runs them fairly across
 * portals in a `PortalWorkPool`, with each portal's token in the Redis installation store (one refresh per expiry
 * across all workers, under the Redis lock) and each portal's limits in the Redis limiter store. It reports every
 * item and, on `stop`, its own figures, as JSON lines on stdout.
 */
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { EMULATOR_TLS_CERT } from '../src/emulator/server/tls.js'
import { createDefaultTransport, type Transport } from '../src/http/transport.js'
import { BitrixApp, Client, PortalWorkPool, RateLimiter, StoredBitrixToken } from '../src/index.js'
import { redact, secretRegistry } from '../src/log/index.js'
import { RedisInstallationStore, RedisLimiterStore, RedisRefreshLock } from '../src/redis/index.js'
import { takenList, WORK_LIST, type WorkItem } from './work.js'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}
const say = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`)

const workerId = env('WORKER_ID')
const clientId = env('CLIENT_ID')
const prefix = env('REDIS_PREFIX')
const concurrency = Number(env('CONCURRENCY'))
const redis = new Redis(Number(env('REDIS_PORT')), '127.0.0.1', { maxRetriesPerRequest: 2 })
const queue = new Redis(Number(env('REDIS_PORT')), '127.0.0.1', { maxRetriesPerRequest: 2 })
const installations = new RedisInstallationStore({ client: redis, prefix })
const lock = new RedisRefreshLock({ client: redis, prefix, leaseMs: 5_000, waitMs: 60_000 })
const limits = new RedisLimiterStore({ client: redis, prefix })
const bitrixApp = new BitrixApp({ clientId, clientSecret: env('CLIENT_SECRET'), oauthServer: env('OAUTH_SERVER') })

const counts = { requests: 0, oauthRequests: 0, status503: 0, status429: 0 }
const base = createDefaultTransport({
  tls: { ca: EMULATOR_TLS_CERT },
  resolve: (hostname) => (hostname.endsWith('.bitrix24.test') ? '127.0.0.1' : undefined),
})
/** The SDK's own transport, counting what goes over the wire. */
const transport: Transport = async (request) => {
  if (request.url.includes('/oauth/token')) counts.oauthRequests += 1
  else counts.requests += 1
  const response = await base(request)
  if (response.status === 503) counts.status503 += 1
  if (response.status === 429) counts.status429 += 1
  return response
}

/** Aborted on `stop`: items not yet started stay in this worker's taken list, unfinished. */
const stopController = new AbortController()
const STOPPED = new Error('worker stopping')
const pool = new PortalWorkPool({ concurrency, perPortal: 2, queueLimit: concurrency, signal: stopController.signal })
const clients = new Map<string, Promise<Client>>()

function clientOf(memberId: string): Promise<Client> {
  let client = clients.get(memberId)
  if (!client) {
    client = StoredBitrixToken.load({ memberId, store: installations, lock, bitrixApp }).then((token) => {
      const limiter = new RateLimiter({
        plan: 'standard',
        store: limits,
        key: memberId,
        app: clientId,
        // The portal's budget is spent: its other items wait in the pool while other portals go on.
        onWait: (wait) => pool.pause(memberId, wait.waitMs),
      })
      return new Client(token, { transport, limiter })
    })
    clients.set(memberId, client)
  }
  return client
}

/** Runs one item; resolves to the rows it moved. */
async function run(item: WorkItem): Promise<number> {
  const client = await clientOf(item.memberId)
  if (item.kind === 'export') {
    const rows = await client.crm.deal.list({ select: ['ID', 'TITLE'] }).asList()
    return rows.length
  }
  if (item.kind === 'write') {
    const commands = Object.fromEntries(
      Array.from({ length: 10 }, (_, n) => [
        `d${n}`,
        client.crm.deal.add({ fields: { TITLE: `sim ${item.id} #${n}`, OPPORTUNITY: n * 100 } }),
      ]),
    )
    const batch = await client.callBatch(commands)
    const failed = Object.keys(batch.result.resultError ?? {}).length
    if (failed > 0) throw new Error(`${failed} of 10 deal adds failed`)
    return 10
  }
  const page = await client.crm.deal.list({ select: ['ID', 'TITLE'], order: { ID: 'DESC' } })
  const first = page.result[0]
  if (first) await client.crm.deal.get({ id: Number(first.ID) })
  return page.result.length + (first ? 1 : 0)
}

function describeError(error: unknown): string {
  const e = error as { name?: string; error?: string; message?: string }
  return redact(`${e?.name ?? 'Error'}${e?.error ? ` ${e.error}` : ''}: ${e?.message ?? String(error)}`.slice(0, 300))
}

/**
 * Items of one portal this worker holds at most (queued in its pool or running): without this bound a busy
 * portal's items, waiting on its bucket, would fill the worker's intake and hold back every other portal.
 */
const PORTAL_INTAKE = 8
const heldFor = new Map<string, number>()
let returned = 0
let stopping = false
let inFlight = 0
let slotFreed: (() => void) | undefined

async function take(): Promise<void> {
  while (!stopping) {
    if (inFlight >= concurrency * 2) {
      await new Promise<void>((resolve) => {
        slotFreed = resolve
      })
      continue
    }
    const raw = await queue.lmove(WORK_LIST, takenList(workerId), 'RIGHT', 'LEFT')
    if (raw === null) {
      await sleep(50)
      continue
    }
    const item = JSON.parse(raw) as WorkItem
    const held = heldFor.get(item.memberId) ?? 0
    if (held >= PORTAL_INTAKE) {
      // This worker holds enough of that portal's items: back to the end of the queue (atomically, so a kill
      // here loses nothing), and after a run of those a short rest, so a queue of one busy portal is no spin.
      await queue.lmove(takenList(workerId), WORK_LIST, 'LEFT', 'LEFT')
      returned += 1
      if (returned % 8 === 0) await sleep(250)
      continue
    }
    returned = 0
    heldFor.set(item.memberId, held + 1)
    inFlight += 1
    const started = Date.now()
    pool
      .run(item.memberId, () => run(item))
      .then(
        (rows) => say({ t: 'item', id: item.id, ok: true, started, ms: Date.now() - started, rows, w: workerId }),
        (error: unknown) => {
          if (error === STOPPED) return 'unfinished'
          say({ t: 'item', id: item.id, ok: false, started, ms: Date.now() - started, error: describeError(error) })
        },
      )
      // An item never started stays in the taken list: not run, and not lost.
      .then((outcome) => (outcome === 'unfinished' ? undefined : queue.lrem(takenList(workerId), 1, raw)))
      .finally(() => {
        heldFor.set(item.memberId, (heldFor.get(item.memberId) ?? 1) - 1)
        inFlight -= 1
        slotFreed?.()
        slotFreed = undefined
      })
  }
}

/** Microseconds to redact one typical log line with every secret this worker holds live. */
function redactionCost(): { secrets: number; microsPerLine: number } {
  const line = `POST https://p0001.bitrix24.test/rest/crm.deal.list answered 200 in 12 ms for member ${clientId}`
  const rounds = 2_000
  const start = process.hrtime.bigint()
  for (let n = 0; n < rounds; n += 1) redact(line)
  const micros = Number(process.hrtime.bigint() - start) / 1_000 / rounds
  return { secrets: secretRegistry.size, microsPerLine: Math.round(micros * 100) / 100 }
}

let peakRss = 0
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 500)

say({ t: 'ready', w: workerId })
const taking = take()
const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  if (line.trim() === 'stop') break
}
lines.close()
stopping = true
slotFreed?.()
await taking
stopController.abort(STOPPED)
// Items in flight finish (bounded by the coordinator's own deadline, which kills a worker that hangs).
await pool.idle()
clearInterval(sampler)
const memory = process.memoryUsage()
say({
  t: 'final',
  w: workerId,
  ...counts,
  portals: clients.size,
  rss: memory.rss,
  peakRss: Math.max(peakRss, memory.rss),
  heapUsed: memory.heapUsed,
  redaction: redactionCost(),
})
redis.disconnect()
queue.disconnect()
