/**
 * The simulation's report as Markdown (sim/results.md and stdout), and the figures block of docs/scale.md, both
 * generated from the results object so no figure is typed by hand.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { SimResults } from './results.js'

const START = '<!-- sim:figures:start -->'
const END = '<!-- sim:figures:end -->'

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })

function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map(String).join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** The capacity model: what the measured per-call and per-portal figures mean for 100,000 portals. */
export function capacity(results: SimResults): Array<[string, string]> {
  const perWorker = results.throughput.requestsPerSecond / Math.max(1, results.options.workers)
  const activeRate = 1_000 * 2
  const ops = results.redis.opsPerSdkCall
  return [
    ['Redis operations per SDK call (limiter + lock + store)', n(ops, 2)],
    ['Redis keys per installed portal', n(results.redis.keysPerPortal, 2)],
    ['Redis memory per installed portal', `${n(results.redis.bytesPerPortal)} bytes`],
    ['Redis keys for 100,000 portals', n(results.redis.keysPerPortal * 100_000)],
    ['Redis memory for 100,000 portals', `${n((results.redis.bytesPerPortal * 100_000) / 1024 / 1024)} MiB`],
    ['1,000 active portals at their full bucket rate (2 req/s each)', `${n(activeRate)} req/s`],
    ['Redis operations per second for 1,000 active portals', n(activeRate * ops)],
    ['Redis operations per second if all 100,000 portals ran at full rate', n(100 * activeRate * ops)],
    ['REST requests per second one worker sustained here', n(perWorker, 1)],
    [
      'Workers per 1,000 active portals at full rate (at this per-worker figure)',
      n(Math.ceil(activeRate / Math.max(1, perWorker))),
    ],
    ['Memory per worker (peak RSS, largest)', `${n(Math.max(0, ...results.workers.map((w) => w.peakRssMb)), 1)} MB`],
    [
      'Emulator heap per touched portal',
      results.emulator.heapPerPortalKb === undefined
        ? 'not measured (run with --expose-gc)'
        : `${n(results.emulator.heapPerPortalKb)} KB`,
    ],
  ]
}

/** Figures of one run, Markdown. */
export function renderMarkdown(results: SimResults): string {
  const { throughput, limits, redis, hot, latency, items, timings } = results
  const workers = results.workers.map((w) => [w.id, w.portals, w.rssMb, w.peakRssMb, w.heapMb])
  const commands = Object.entries(redis.byCommand)
    .sort((a, b) => b[1] - a[1])
    .map(([command, calls]) => `${command} ${n(calls)}`)
    .join(', ')
  return `# Simulation results

\`${results.command}\` — finished ${results.finishedAt}, ${n(timings.totalSeconds)} s from start to report
(install ${n(timings.installSeconds, 1)} s, phase 1 ${n(timings.phase1Seconds, 1)} s, workload ${n(timings.workSeconds, 1)} s).

## Targets

${table(
  ['target', 'measured', 'met'],
  results.targets.map((t) => [t.target, t.value, t.met ? 'met' : '**not met**']),
)}

## Figures

${table(
  ['figure', 'value'],
  [
    ['REST requests (workload)', n(throughput.restRequests)],
    ['OAuth-server requests (workload)', n(throughput.oauthRequests)],
    ['REST requests per second', n(throughput.requestsPerSecond, 1)],
    ['rows moved', n(throughput.rows)],
    ['rows per second', n(throughput.rowsPerSecond, 1)],
    [
      'items queued / done / failed / still queued at the end / re-run',
      `${items.queued} / ${items.ok} / ${items.failed} / ${items.stillQueued} / ${items.reruns}`,
    ],
    ['503 responses / 429 responses (all portals)', `${limits.responses503} / ${limits.responses429}`],
    ['refreshes per portal after the expiry wave', JSON.stringify(results.refreshes.histogram)],
    ['events', results.events.stage],
    [
      'Redis ops per SDK call',
      `${n(redis.opsPerSdkCall, 2)} (${n(redis.sdkOps)} SDK ops, ${n(redis.queueOps)} work-queue ops)`,
    ],
    ['Redis commands (workload)', commands],
    ['Redis keys / memory', `${n(redis.keys)} keys, ${n(redis.usedMemoryBytes / 1024 / 1024, 1)} MiB`],
    [
      `hot portal ${hot.host}`,
      `${hot.requests} requests in ${hot.windowSeconds} s = ${hot.rate} req/s; bucket allows ${hot.bucketRate} req/s (${Math.round(hot.shareOfBucket * 100)} %)`,
    ],
    [
      'cold portals, read item p50 / p95 without the hot portal (phase 3)',
      `${latency.coldP50WithoutHotMs} / ${latency.coldP95WithoutHotMs} ms`,
    ],
    [
      'cold portals, read item p50 / p95 with the hot portal (phase 4)',
      `${latency.coldP50WithHotMs} / ${latency.coldP95WithHotMs} ms`,
    ],
    [
      'killed worker',
      results.killed
        ? `${results.killed.worker} after ${results.killed.atItems} phase-4 items; ${results.killed.requeued} items requeued`
        : 'none',
    ],
    [
      'redaction with every secret live',
      `${results.redaction.microsPerLine} µs per log line with ${n(results.redaction.secretsLive)} secrets registered`,
    ],
    ['emulator portals holding state', n(results.emulator.activePortals)],
  ],
)}
${items.errors.length > 0 ? `\nErrors seen (first ten kinds): ${items.errors.map((e) => `\`${e}\``).join('; ')}\n` : ''}
## Workers

${table(['worker', 'portals', 'RSS MB', 'peak RSS MB', 'heap MB'], workers)}

## Capacity model

${table(['quantity', 'value'], capacity(results))}
`
}

/** Replaces the figures block of `path` (between the sim markers) with this run's; false when there is none. */
export function updateScaleDoc(results: SimResults, path: string): boolean {
  if (!existsSync(path)) return false
  const text = readFileSync(path, 'utf8')
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start < 0 || end < start) return false
  const figures = renderMarkdown(results)
    .replace(/^# Simulation results\n/, '')
    .replace(/^## /gm, '### ')
  writeFileSync(path, `${text.slice(0, start + START.length)}\n${figures}\n${text.slice(end)}`)
  return true
}
