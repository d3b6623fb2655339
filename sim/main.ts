/**
 * `npm run sim`: one app, many portals, several workers, one Redis — simulated end to end on loopback and bounded
 * in time and count. See `npm run sim -- --help` and docs/scale.md.
 *
 * Stages: Redis and a multi-portal emulator (HTTPS, named portals reached through the transport's `resolve`);
 * every portal installed through the OAuth code flow (authorize page → code → exchange at the shared OAuth
 * server → installation in the Redis store; the authorize page posts `ONAPPINSTALL` to the app's endpoint); the
 * event stage (a deal added on every portal → the app's handler receives `ONCRMDEALADD`, verifies it, reads the
 * deal); worker processes; phase 1 (warm-up: every
 * portal exports and writes); a token-expiry wave on every portal; phase 2 (every portal reads and writes on its
 * expired token); phase 3 (baseline: every portal reads); phase 4 (every portal reads, one hot portal gets
 * `hotFactor` times an export, a write and a read) with one worker SIGKILLed; the figures.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { formatMarkdown } from '../scripts/format-markdown.js'
import { EMULATOR_TLS_CERT, type Emulator, startEmulator } from '../src/emulator/index.js'
import { createDefaultTransport, type Transport, TransportError } from '../src/http/transport.js'
import { authorizationUrl, BitrixApp, exchangeCode, PortalWorkPool, parseAuthorizationRedirect } from '../src/index.js'
import { RedisInstallationStore } from '../src/redis/index.js'
import { parseArgs, type SimOptions, USAGE } from './args.js'
import { startAppEndpoint } from './events.js'
import { startSimRedis } from './redis.js'
import { buildResults, type ItemResult, requestTotals, type WorkerFinal } from './results.js'
import { renderMarkdown, updateScaleDoc } from './results-md.js'
import { takenList, WORK_LIST, type WorkItem } from './work.js'
import { spawnWorkers } from './workers.js'

const PREFIX = 'sim'

function log(message: string): void {
  process.stdout.write(`[sim ${new Date().toISOString().slice(11, 19)}] ${message}\n`)
}

let parsed: SimOptions | 'help'
try {
  parsed = parseArgs(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${USAGE}`)
  process.exit(2)
}
if (parsed === 'help') {
  process.stdout.write(USAGE)
  process.exit(0)
}
const options: SimOptions = parsed
const gc = (globalThis as { gc?: () => void }).gc

/** Heap in use after a collection when `--expose-gc` is on (npm run sim turns it on). */
function heapUsed(): number {
  gc?.()
  return process.memoryUsage().heapUsed
}

const cleanups: Array<() => Promise<void> | void> = []
async function cleanup(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) await Promise.resolve(step()).catch(() => {})
}
// The whole run is bounded: setup, workload, drain and report together.
const hardLimitMs = (options.duration + 300 + options.portals * 0.3) * 1000
const watchdog = setTimeout(() => {
  process.stderr.write(`sim: hard time limit of ${Math.round(hardLimitMs / 1000)} s reached; stopping\n`)
  void cleanup().finally(() => process.exit(3))
}, hardLimitMs)

const startedAt = Date.now()
const redis = await startSimRedis()
cleanups.push(() => redis.stop())
const admin = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: 2 })
cleanups.push(() => admin.disconnect())
log(`redis-server on 127.0.0.1:${redis.port}`)

const heapBefore = heapUsed()
const emu: Emulator = await startEmulator({
  portals: options.portals,
  https: true,
  seed: { deals: options.deals },
  receivedLimit: 0,
})
cleanups.push(() => emu.close())
log(`emulator on ${emu.url} with ${options.portals} named portals (p0001.bitrix24.test …)`)

const transport = retryingReads(
  createDefaultTransport({
    tls: { ca: EMULATOR_TLS_CERT },
    resolve: (hostname) => (hostname.endsWith('.bitrix24.test') ? '127.0.0.1' : undefined),
  }),
)
// The app's endpoint for portal calls: every portal's authorize page posts ONAPPINSTALL there.
const appEndpoint = await startAppEndpoint(transport)
cleanups.push(() => appEndpoint.close())
const app = emu.createApp({ redirectUri: 'https://app.example/install', installUrl: appEndpoint.url })
const bitrixApp = new BitrixApp({ clientId: app.clientId, clientSecret: app.clientSecret, oauthServer: emu.url })
const store = new RedisInstallationStore({ client: admin, prefix: PREFIX })

/** The access token each portal's install flow got (the event stage binds with it). */
const accessTokens = new Map<string, string>()

/** The install flow of one portal: its authorize page, the code exchanged at the OAuth server, the store. */
async function install(host: string): Promise<string> {
  const domain = emu.portal(host).domain
  const answer = await transport({
    url: authorizationUrl({ domain, clientId: app.clientId, state: `install-${host}` }),
    method: 'GET',
    headers: {},
    connectTimeoutMs: 10_000,
    readTimeoutMs: 30_000,
  })
  const location = answer.headers.location
  if (answer.status !== 302 || typeof location !== 'string')
    throw new Error(`${host}: authorize answered ${answer.status}`)
  const redirect = parseAuthorizationRedirect(location)
  const token = await exchangeCode(redirect.code, {
    bitrixApp,
    domain: redirect.domain,
    oauthServer: emu.url,
    context: { transport },
  })
  const memberId = redirect.memberId ?? ''
  accessTokens.set(host, token.authToken)
  await store.save({
    memberId,
    domain: token.domain,
    scopes: redirect.scope,
    accessToken: token.authToken,
    refreshToken: token.refreshToken,
    expires: token.expires,
  })
  return memberId
}

const hosts = emu.portals
const memberIds = new Map<string, string>()
const installPool = new PortalWorkPool({ concurrency: 32, perPortal: 1 })
const installStarted = Date.now()
await Promise.all(hosts.map((host) => installPool.run(host, async () => memberIds.set(host, await install(host)))))
const installSeconds = (Date.now() - installStarted) / 1000
const heapAfterInstall = heapUsed()
log(`${memberIds.size} portals installed in ${installSeconds.toFixed(1)} s`)

// The ONAPPINSTALL events of the install flows, then the event stage.
await waitForInstalls(Date.now() + Math.max(10_000, hosts.length * 20))
const events = await appEndpoint.runStage(emu, hosts, accessTokens)
log(
  events.available
    ? `events: ${events.installEvents} ONAPPINSTALL; ${events.processed} of ${events.deals} deals' ONCRMDEALADD verified and read back in ${events.seconds} s`
    : `event delivery not available (${events.reason})`,
)

// The stage's four calls per portal went around the workers' shared limiter: let the buckets drain them (2 per
// second on the standard plan) before the workload starts, as the workers' limiter assumes an idle portal.
await sleep(3_000)

async function waitForInstalls(until: number): Promise<void> {
  while (appEndpoint.installEvents() < hosts.length && Date.now() < until) await sleep(100)
}

const workers = await spawnWorkers(options.workers, {
  REDIS_PORT: String(redis.port),
  REDIS_PREFIX: PREFIX,
  CLIENT_ID: app.clientId,
  CLIENT_SECRET: app.clientSecret,
  OAUTH_SERVER: emu.url,
  CONCURRENCY: String(options.concurrency),
})
cleanups.push(() => {
  for (const worker of workers) worker.kill()
})
log(`${workers.length} workers ready`)

// The workload.
let nextId = 1
const items = new Map<number, WorkItem>()
function queueItems(list: WorkItem[]): Promise<unknown> {
  for (const item of list) items.set(item.id, item)
  // Shuffled so no portal's items come in one run; LMOVE takes from the right end.
  const shuffled = [...list].sort(() => Math.random() - 0.5)
  return admin.lpush(WORK_LIST, ...shuffled.map((item) => JSON.stringify(item)))
}
function itemsFor(host: string, kinds: WorkItem['kind'][], phase: WorkItem['phase'], hot: boolean): WorkItem[] {
  const memberId = memberIds.get(host) ?? ''
  return kinds.map((kind) => ({ id: nextId++, host, memberId, kind, phase, hot }))
}

const results = new Map<number, ItemResult>()
let reruns = 0
for (const worker of workers) {
  worker.onItem((result) => {
    if (results.has(result.id)) reruns += 1
    if (!results.get(result.id)?.ok) results.set(result.id, result)
  })
}

async function waitFor(done: () => boolean, until: number): Promise<void> {
  while (!done() && Date.now() < until) await sleep(100)
}

const commandsBefore = await admin.info('commandstats')
const requestsBefore = requestTotals(emu, hosts)
const workStarted = Date.now()
const deadline = workStarted + options.duration * 1000
/** Queues a phase and waits until it is done or `share` of the workload time has passed. */
async function runPhase(list: WorkItem[], share: number, what: string): Promise<number> {
  const started = Date.now()
  await queueItems(list)
  log(what)
  await waitFor(() => list.every((item) => results.has(item.id)), workStarted + (deadline - workStarted) * share)
  return (Date.now() - started) / 1000
}

const phase1Seconds = await runPhase(
  hosts.flatMap((host) => itemsFor(host, ['export', 'write'], 1, false)),
  0.3,
  'phase 1 (warm-up): every portal exports and writes',
)
const beforeWave = new Map(
  hosts.map((host) => {
    const stats = emu.portal(host).stats
    return [host, { refreshes: stats.oauthRefreshes, requests: stats.httpRequests }]
  }),
)
for (const host of hosts) emu.portal(host).expireTokens()
log("the wave: every portal's access token expired")
await runPhase(
  hosts.flatMap((host) => itemsFor(host, ['read', 'write'], 2, false)),
  0.5,
  'phase 2: every portal reads and writes on an expired token',
)
await runPhase(
  hosts.flatMap((host) => itemsFor(host, ['read'], 3, false)),
  0.6,
  'phase 3 (baseline): every portal reads, no hot portal',
)

const hotHost = hosts[hosts.length - 1]
const hotBefore = emu.portal(hotHost).stats.httpRequests
const phase4Started = Date.now()
const phase4 = hosts.flatMap((host) => itemsFor(host, ['read'], 4, false))
for (let n = 0; n < options.hotFactor; n += 1) phase4.push(...itemsFor(hotHost, ['export', 'write', 'read'], 4, true))
await queueItems(phase4)
log(`phase 4: every portal reads; ${hotHost} is hot with ${options.hotFactor}× (export, write, read)`)

let killed: { worker: string; requeued: number; atItems: number } | undefined
if (options.kill && workers.length > 1) {
  await waitFor(() => phase4.filter((i) => results.has(i.id)).length >= phase4.length * 0.25, deadline)
  const victim = workers[0]
  victim.kill()
  await victim.exited
  let requeued = 0
  while ((await admin.lmove(takenList(victim.id), WORK_LIST, 'RIGHT', 'RIGHT')) !== null) requeued += 1
  killed = { worker: victim.id, requeued, atItems: phase4.filter((i) => results.has(i.id)).length }
  log(`worker ${victim.id} SIGKILLed; ${requeued} items it held requeued`)
}
await waitFor(() => phase4.every((item) => results.has(item.id)), deadline)
const workSeconds = (Date.now() - workStarted) / 1000
const hotSeconds = (Date.now() - phase4Started) / 1000
const hotRequests = emu.portal(hotHost).stats.httpRequests - hotBefore
log(`workload ended after ${workSeconds.toFixed(1)} s; stopping workers`)

const stopped = await Promise.allSettled(
  workers.filter((worker) => worker.id !== killed?.worker).map((worker) => worker.stop(30_000)),
)
const finals: WorkerFinal[] = []
for (const outcome of stopped) {
  if (outcome.status === 'fulfilled') finals.push(outcome.value)
  else log(`a worker gave no final report: ${(outcome.reason as Error).message.slice(0, 300)}`)
}
const queuedIds = new Set<number>()
for (const list of [WORK_LIST, ...workers.map((worker) => takenList(worker.id))]) {
  for (const raw of await admin.lrange(list, 0, -1)) queuedIds.add((JSON.parse(raw) as WorkItem).id)
}
const stillQueued = [...queuedIds].filter((id) => !results.get(id)?.ok).length
const lost = [...items.values()].filter((item) => !results.has(item.id) && !queuedIds.has(item.id))
if (lost.length > 0) log(`items neither done nor queued: ${JSON.stringify(lost.slice(0, 10))}`)
const commandsAfter = await admin.info('commandstats')
const redisMemory = await admin.info('memory')
const redisKeys = await admin.dbsize()

const report = buildResults({
  options,
  emu,
  hosts,
  hotHost,
  items: [...items.values()],
  results,
  reruns,
  finals,
  killed,
  stillQueued,
  events,
  beforeWave,
  requestsBefore,
  commandsBefore,
  commandsAfter,
  redisMemory,
  redisKeys,
  timings: {
    installSeconds,
    phase1Seconds,
    workSeconds,
    hotSeconds,
    hotRequests,
    totalSeconds: (Date.now() - startedAt) / 1000,
  },
  emulatorHeapPerPortal: (heapAfterInstall - heapBefore) / Math.max(1, emu.activePortals - 1),
  heapMeasured: gc !== undefined,
})
mkdirSync(options.out, { recursive: true })
writeFileSync(join(options.out, 'results.json'), `${JSON.stringify(report, null, 2)}\n`)
const markdown = renderMarkdown(report)
writeFileSync(join(options.out, 'results.md'), markdown)
process.stdout.write(`\n${markdown}`)
const generated = [join(options.out, 'results.md')]
if (updateScaleDoc(report, 'docs/scale.md')) {
  generated.push('docs/scale.md')
  log('docs/scale.md figures regenerated from this run')
}
formatMarkdown(generated)
clearTimeout(watchdog)
await cleanup()
process.exit(0)

/**
 * The sim's own plumbing (install pages, the event stage's reads) goes straight through a transport, without the
 * client's retries: repeat what is safe to repeat (nothing sent, a GET, a read method) up to three times after a
 * network failure such as a keep-alive socket the emulator closed.
 */
function retryingReads(base: Transport): Transport {
  return async (request) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await base(request)
      } catch (error) {
        const safe =
          error instanceof TransportError &&
          error.kind !== 'aborted' &&
          (!error.sent || request.method === 'GET' || /\.(get|list)$/.test(request.url))
        if (!safe || attempt >= 3) throw error
      }
    }
  }
}
