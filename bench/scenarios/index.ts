import { createRuns } from './create.js'
import { exportRuns } from './export.js'
import { perCallRuns } from './per-call.js'
import type { RunSpec } from './types.js'

export const SCENARIOS: Record<string, Record<string, RunSpec>> = {
  export: exportRuns,
  'per-call': perCallRuns,
  create: createRuns,
}
