import type { BenchEnv } from '../sdks.js'

export interface RunContext {
  env: BenchEnv
  /** Rows to export, calls to make or deals to create. */
  n: number
}

/** What a run reports about itself; the orchestrator adds the emulator's counters. */
export interface Outcome {
  rows?: number
  /** Every expected ID seen exactly once. */
  exact?: boolean
  /** Client CPU per call over the measured calls only (warm-up excluded), µs. */
  cpuPerCallUs?: number
  note?: string
}

/** Sets a client up (and warms it when the scenario says so); resolves to the measured work. */
export type Prepare = (ctx: RunContext) => Promise<() => Promise<Outcome>>

export interface RunSpec {
  /** Who is measured, as the table shows it. */
  sdk: string
  /** With what, as the table shows it. */
  how: string
  prepare: Prepare
}
