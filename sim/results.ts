/** The simulation's figures, computed from what the workers reported, the emulator's counters and Redis INFO. */
import type { Emulator } from '../src/emulator/index.js'
import type { SimOptions } from './args.js'
import type { EventStage } from './events.js'
import type { WorkItem } from './work.js'

/** One item as a worker reported it. */
export interface ItemResult {
  id: number
  ok: boolean
  /** `Date.now()` when the worker took it. */
  started: number
  /** Milliseconds from taking it to its end (pool and limiter waits included). */
  ms: number
  rows?: number
  error?: string
}

/** A worker's own figures at the end. */
export interface WorkerFinal {
  w: string
  requests: number
  oauthRequests: number
  status503: number
  status429: number
  portals: number
  rss: number
  peakRss: number
  heapUsed: number
  redaction: { secrets: number; microsPerLine: number }
}

export interface Target {
  target: string
  value: string
  met: boolean
}

export interface SimResults {
  command: string
  options: SimOptions
  finishedAt: string
  timings: {
    installSeconds: number
    phase1Seconds: number
    workSeconds: number
    hotSeconds: number
    hotRequests: number
    totalSeconds: number
  }
  items: {
    queued: number
    ok: number
    failed: number
    unfinished: number
    stillQueued: number
    reruns: number
    errors: string[]
  }
  throughput: {
    restRequests: number
    oauthRequests: number
    requestsPerSecond: number
    rows: number
    rowsPerSecond: number
  }
  floor: { portals: number; portalsMissingWork: number; kinds: string[] }
  limits: { responses503: number; responses429: number; portalsWith503: string[]; portalsWith429: string[] }
  refreshes: { portals: number; histogram: Record<string, number> }
  events: EventStage & { stage: string }
  redis: {
    opsPerSdkCall: number
    sdkOps: number
    queueOps: number
    byCommand: Record<string, number>
    keys: number
    keysPerPortal: number
    usedMemoryBytes: number
    bytesPerPortal: number
  }
  workers: Array<{ id: string; rssMb: number; peakRssMb: number; heapMb: number; portals: number }>
  killed: { worker: string; requeued: number; atItems: number } | undefined
  hot: {
    host: string
    requests: number
    windowSeconds: number
    rate: number
    bucketRate: number
    shareOfBucket: number
  }
  latency: {
    coldP95WithoutHotMs: number
    coldP95WithHotMs: number
    coldP50WithoutHotMs: number
    coldP50WithHotMs: number
  }
  redaction: { secretsLive: number; microsPerLine: number }
  emulator: { activePortals: number; heapPerPortalKb: number | undefined }
  targets: Target[]
}

export interface ResultInput {
  options: SimOptions
  emu: Emulator
  hosts: string[]
  hotHost: string
  items: WorkItem[]
  results: Map<number, ItemResult>
  reruns: number
  finals: WorkerFinal[]
  killed: SimResults['killed']
  /** Items still in the work list or a worker's taken list at the end (not lost: not run yet). */
  stillQueued: number
  events: EventStage
  /** Each portal's refreshes and requests just before the token-expiry wave. */
  beforeWave: Map<string, { refreshes: number; requests: number }>
  /** REST requests (named portals) and OAuth-server requests (default portal) when the workload began. */
  requestsBefore: { rest: number; oauth: number }
  commandsBefore: string
  commandsAfter: string
  redisMemory: string
  redisKeys: number
  timings: SimResults['timings']
  emulatorHeapPerPortal: number
  heapMeasured: boolean
}

/** Standard plan: what the bucket lets through (burst, then per second). */
const BUCKET = { burst: 50, drainPerSecond: 2 }
/** Commands the work queue itself uses (not the SDK's). */
const QUEUE_COMMANDS = new Set(['lmove', 'lrem', 'lpush', 'rpush', 'llen', 'info', 'dbsize', 'ping', 'client', 'hello'])

/** `cmdstat_evalsha:calls=12,…` lines → calls by command. */
function commandCalls(info: string): Map<string, number> {
  const calls = new Map<string, number>()
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1], Number(match[2]))
  return calls
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1)

/** REST requests received by the named portals, and OAuth-server requests (they reach the default portal). */
export function requestTotals(emu: Emulator, hosts: readonly string[]): { rest: number; oauth: number } {
  let rest = 0
  for (const host of hosts) rest += emu.portal(host).stats.httpRequests
  return { rest, oauth: emu.stats.httpRequests }
}

export function buildResults(input: ResultInput): SimResults {
  const { emu, hosts, hotHost, items, results, finals, options } = input
  const done = items.filter((item) => results.get(item.id)?.ok)
  const failed = items.filter((item) => results.has(item.id) && !results.get(item.id)?.ok)
  const errors = [...new Set(failed.map((item) => results.get(item.id)?.error ?? ''))].slice(0, 10)
  const rows = done.reduce((sum, item) => sum + (results.get(item.id)?.rows ?? 0), 0)
  const after = requestTotals(emu, hosts)
  const restRequests = after.rest - input.requestsBefore.rest
  const oauthRequests = after.oauth - input.requestsBefore.oauth
  const seconds = Math.max(0.001, input.timings.workSeconds)

  const kinds = ['export', 'write', 'read']
  const doneKinds = new Map<string, Set<string>>()
  for (const item of done) {
    const set = doneKinds.get(item.host) ?? new Set<string>()
    set.add(item.kind)
    doneKinds.set(item.host, set)
  }
  const portalsMissingWork = hosts.filter((host) => kinds.some((kind) => !doneKinds.get(host)?.has(kind))).length

  const portalsWith503: string[] = []
  const portalsWith429: string[] = []
  let responses503 = 0
  let responses429 = 0
  const histogram: Record<string, number> = {}
  for (const host of hosts) {
    const stats = emu.portal(host).stats
    responses503 += stats.responses503
    responses429 += stats.responses429
    if (stats.responses503 > 0) portalsWith503.push(host)
    if (stats.responses429 > 0) portalsWith429.push(host)
    const before = input.beforeWave.get(host) ?? { refreshes: 0, requests: 0 }
    // Only a portal called after the wave needed its expired token refreshed.
    if (stats.httpRequests > before.requests) {
      const refreshes = stats.oauthRefreshes - before.refreshes
      const bucket = refreshes >= 2 ? '2+' : String(refreshes)
      histogram[bucket] = (histogram[bucket] ?? 0) + 1
    }
  }

  const before = commandCalls(input.commandsBefore)
  const byCommand: Record<string, number> = {}
  let sdkOps = 0
  let queueOps = 0
  for (const [command, calls] of commandCalls(input.commandsAfter)) {
    const delta = calls - (before.get(command) ?? 0)
    if (delta <= 0) continue
    byCommand[command] = delta
    if (QUEUE_COMMANDS.has(command)) queueOps += delta
    else sdkOps += delta
  }
  const usedMemory = Number(/^used_memory:(\d+)/m.exec(input.redisMemory)?.[1] ?? 0)

  const hotResults = items
    .filter((item) => item.hot)
    .map((item) => results.get(item.id))
    .filter((result): result is ItemResult => result !== undefined)
  const hotStart = Math.min(...hotResults.map((r) => r.started))
  const hotEnd = Math.max(...hotResults.map((r) => r.started + r.ms))
  const windowSeconds = hotResults.length > 0 ? Math.max(1, (hotEnd - hotStart) / 1000) : input.timings.hotSeconds
  const hotRate = input.timings.hotRequests / windowSeconds
  const bucketRate = (BUCKET.burst + BUCKET.drainPerSecond * windowSeconds) / windowSeconds
  const shareOfBucket = hotRate / bucketRate

  const coldMs = (phase: WorkItem['phase']) =>
    items
      .filter((item) => item.phase === phase && item.host !== hotHost)
      .map((item) => results.get(item.id))
      .filter((result): result is ItemResult => result?.ok === true)
      .map((result) => result.ms)
  const coldWithout = coldMs(3)
  const coldWith = coldMs(4)

  const redactions = finals.map((final) => final.redaction)
  const redaction = {
    secretsLive: Math.max(0, ...redactions.map((r) => r.secrets)),
    microsPerLine: round(Math.max(0, ...redactions.map((r) => r.microsPerLine))),
  }
  const refreshedPortals = Object.values(histogram).reduce((sum, count) => sum + count, 0)
  const exactlyOnce = histogram['1'] ?? 0
  const unfinished = items.length - done.length - failed.length
  const coldItems = items.filter((item) => !item.hot)
  const coldDone = coldItems.filter((item) => results.get(item.id)?.ok).length
  const ev = input.events
  const eventsMet =
    ev.available &&
    ev.reason === undefined &&
    ev.deals === hosts.length &&
    ev.processed === ev.deals &&
    ev.delivered === ev.deals &&
    ev.duplicates === 0 &&
    ev.installEvents === hosts.length &&
    ev.forgedRefused
  const eventsStage = ev.available
    ? `${ev.processed} of ${ev.deals} deals (${hosts.length} portals) verified and read back once from ONCRMDEALADD in ${ev.seconds} s; ` +
      `${ev.delivered} delivered, ${ev.duplicates} twice; ${ev.installEvents} ONAPPINSTALL; forged event ${ev.forgedRefused ? 'refused' : 'NOT refused'}` +
      (ev.reason === undefined ? '' : `; ${ev.reason}`)
    : `not available: ${ev.reason ?? ''}`

  const targets: Target[] = [
    {
      target: 'every portal exports, writes and reads (floor: one of each)',
      value: `${hosts.length - portalsMissingWork} of ${hosts.length} portals`,
      met: portalsMissingWork === 0,
    },
    {
      target: '0 × 503 on every portal',
      value: `${responses503} (${portalsWith503.length} portals)`,
      met: responses503 === 0,
    },
    {
      target: '0 × 429 on every portal',
      value: `${responses429} (${portalsWith429.length} portals)`,
      met: responses429 === 0,
    },
    {
      target: 'exactly one refresh per expired token',
      value: `${exactlyOnce} of ${refreshedPortals} portals called after the wave refreshed once (${JSON.stringify(histogram)})`,
      met: refreshedPortals === hosts.length && exactlyOnce === refreshedPortals,
    },
    { target: 'every event processed once', value: eventsStage, met: eventsMet },
    {
      target: 'busy portal at ≥ 80 % of its bucket',
      value: `${round(hotRate)} req/s of ${round(bucketRate)} (${Math.round(shareOfBucket * 100)} %)`,
      met: shareOfBucket >= 0.8,
    },
    {
      target: 'no item lost when a worker was killed (done, failed with a typed error, or still queued at the end)',
      value: `${done.length} done + ${failed.length} failed + ${input.stillQueued} still queued of ${items.length}`,
      met: done.length + failed.length + input.stillQueued === items.length,
    },
    {
      target: 'every cold portal item done',
      value: `${coldDone} of ${coldItems.length}`,
      met: coldDone === coldItems.length,
    },
    {
      target: 'finishes within ten minutes',
      value: `${Math.round(input.timings.totalSeconds)} s from start to report`,
      met: input.timings.totalSeconds <= 600,
    },
  ]

  return {
    command: `npm run sim -- --portals ${options.portals} --workers ${options.workers} --duration ${options.duration}`,
    options,
    finishedAt: new Date().toISOString(),
    timings: input.timings,
    items: {
      queued: items.length,
      ok: done.length,
      failed: failed.length,
      unfinished,
      stillQueued: input.stillQueued,
      reruns: input.reruns,
      errors,
    },
    throughput: {
      restRequests,
      oauthRequests,
      requestsPerSecond: round(restRequests / seconds),
      rows,
      rowsPerSecond: round(rows / seconds),
    },
    floor: { portals: hosts.length, portalsMissingWork, kinds },
    limits: {
      responses503,
      responses429,
      portalsWith503: portalsWith503.slice(0, 20),
      portalsWith429: portalsWith429.slice(0, 20),
    },
    refreshes: { portals: refreshedPortals, histogram },
    events: { ...input.events, stage: eventsStage },
    redis: {
      opsPerSdkCall: round(sdkOps / Math.max(1, restRequests + oauthRequests)),
      sdkOps,
      queueOps,
      byCommand,
      keys: input.redisKeys,
      keysPerPortal: round(input.redisKeys / hosts.length),
      usedMemoryBytes: usedMemory,
      bytesPerPortal: Math.round(usedMemory / hosts.length),
    },
    workers: finals.map((final) => ({
      id: final.w,
      rssMb: mb(final.rss),
      peakRssMb: mb(final.peakRss),
      heapMb: mb(final.heapUsed),
      portals: final.portals,
    })),
    killed: input.killed,
    hot: {
      host: hotHost,
      requests: input.timings.hotRequests,
      windowSeconds: round(windowSeconds, 1),
      rate: round(hotRate),
      bucketRate: round(bucketRate),
      shareOfBucket: round(shareOfBucket),
    },
    latency: {
      coldP95WithoutHotMs: percentile(coldWithout, 95),
      coldP95WithHotMs: percentile(coldWith, 95),
      coldP50WithoutHotMs: percentile(coldWithout, 50),
      coldP50WithHotMs: percentile(coldWith, 50),
    },
    redaction,
    emulator: {
      activePortals: emu.activePortals,
      heapPerPortalKb: input.heapMeasured ? Math.round(input.emulatorHeapPerPortal / 1024) : undefined,
    },
    targets,
  }
}
