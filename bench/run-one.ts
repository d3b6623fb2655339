/**
 * One measured run in its own process, so peak memory and CPU belong to one client alone:
 *
 *   node node_modules/.cache/b24tssdk-bench/child/run-one.mjs <scenario> <run>      (built by main.ts; BENCH_ENV holds the portal's address)
 *   node --import tsx bench/run-one.ts <scenario> <run>    (the same from source)
 *
 * Sends one `ChildReport` to the orchestrator over IPC (or prints it when started by hand).
 */

import { SCENARIOS } from './scenarios/index.js'
import type { Outcome } from './scenarios/types.js'
import type { BenchEnv } from './sdks.js'

export interface ChildReport extends Outcome {
  wallS: number
  cpuS: number
  /** Resident memory after loading and setting up the client, before the work. */
  baselineRssMb: number
  /** Peak resident memory of the whole process (`process.resourceUsage().maxRSS`). */
  peakRssMb: number
  error?: string
}

const [scenario, key] = process.argv.slice(2)
const spec = SCENARIOS[scenario]?.[key]
if (!spec) throw new Error(`unknown run ${scenario} ${key}`)
const { n, ...env } = JSON.parse(process.env.BENCH_ENV ?? '{}') as BenchEnv & { n: number }

const work = await spec.prepare({ env, n })
const baselineRssMb = process.memoryUsage().rss / 2 ** 20
const cpuBefore = process.cpuUsage()
const started = performance.now()
let outcome: Outcome = {}
let error: string | undefined
try {
  outcome = await work()
} catch (caught) {
  // One line: some clients put whole payloads in their messages.
  error = (caught instanceof Error ? caught.message : String(caught)).replace(/\s+/g, ' ').slice(0, 160)
}
const cpu = process.cpuUsage(cpuBefore)
const report: ChildReport = {
  ...outcome,
  wallS: (performance.now() - started) / 1000,
  cpuS: (cpu.user + cpu.system) / 1e6,
  baselineRssMb,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
  ...(error ? { error } : {}),
}
// Keep-alive sockets would hold the process open; it has nothing left to do.
if (process.send) process.send(report, () => process.exit(0))
else {
  console.log(JSON.stringify(report))
  process.exit(0)
}
