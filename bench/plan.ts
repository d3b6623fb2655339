/**
 * What `npm run bench` runs: its command line, the cost-model variants and the list of runs. Pure, so `--help`
 * and a bad flag are answered before anything is built, started or written.
 */
import { parseArgs } from 'node:util'
import { type CostModel, DEFAULT_COST_MODEL } from '../src/emulator/index.js'

export const SCENARIO_NAMES = ['export', 'per-call', 'create', 'timings'] as const
export type ScenarioName = (typeof SCENARIO_NAMES)[number]

export const QUICK_DIVISOR = 20

export const USAGE = `Usage: npm run bench -- [options]

Runs every client against the same portal emulator (one child process per run), prints the tables and the
targets, and writes bench/results.json and bench/results.md (a full run only; --quick and --only write to
node_modules/.cache/b24tssdk-bench/ instead, so the committed figures always come from a full run).

Options:
  --only <list>   comma-separated scenarios: ${SCENARIO_NAMES.join(', ')}
  --quick         every size divided by ${QUICK_DIVISOR}: a smoke test of each scenario in a minute or two
  --million       also export 1,000,000 deals with asListFast()
  -h, --help      print this and exit (nothing is run or written)

Then \`npm run figures\` regenerates the README's Figures table from bench/results.json.`

export interface BenchArgs {
  help: boolean
  quick: boolean
  million: boolean
  /** Scenarios to run; all when --only is absent. */
  only: ScenarioName[] | undefined
}

/** Parses the command line; throws a `TypeError` naming the bad flag or scenario. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      quick: { type: 'boolean', default: false },
      million: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  })
  let only: ScenarioName[] | undefined
  if (values.only !== undefined) {
    const names = values.only
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
    const unknown = names.filter((name) => !(SCENARIO_NAMES as readonly string[]).includes(name))
    if (names.length === 0 || unknown.length > 0) {
      throw new TypeError(
        `--only: unknown scenario ${unknown.join(', ') || '(none)'}; known: ${SCENARIO_NAMES.join(', ')}`,
      )
    }
    only = names as ScenarioName[]
  }
  return { help: values.help === true, quick: values.quick === true, million: values.million === true, only }
}

/**
 * The cost models every export runs under: the emulator's sourced constants, all of them halved, all doubled.
 * Request counts do not depend on them; wall time and server time do.
 */
export const COST_VARIANTS: Record<string, CostModel> = {
  sourced: DEFAULT_COST_MODEL,
  halved: scaleCosts(DEFAULT_COST_MODEL, 0.5),
  doubled: scaleCosts(DEFAULT_COST_MODEL, 2),
}

/**
 * A page charged as the docs' `start=-1` example suggests (settings/performance/huge-data.md: a no-count page of
 * 50 rows took 0.0685 s of `processing`): the base cost plus 0.00127 s per row. Used where the operating budget,
 * not the bucket, is the limit (`concurrency: 'auto'`).
 */
export const DOCS_PAGE_COSTS: CostModel = { ...DEFAULT_COST_MODEL, perRow: (0.0685 - DEFAULT_COST_MODEL.base) / 50 }

function scaleCosts(model: CostModel, factor: number): CostModel {
  return Object.fromEntries(Object.entries(model).map(([key, value]) => [key, value * factor])) as unknown as CostModel
}

export interface Step {
  scenario: Exclude<ScenarioName, 'timings'>
  key: string
  n: number
  timeScale: number
  /** Deals the portal starts with. */
  deals: number
  /** Name of the cost model (`COST_VARIANTS`, or `docs-page`). */
  costs: string
  /** Repetition of the same run (the CPU scenario runs several rounds, interleaved, and reports the median). */
  round: number
}

/** timeScale 1 is a real portal's speed; 10 makes the 100,000-deal reads of the slower clients fit the bench. */
export const REAL_SCALE = 1
export const FAST_SCALE = 10
/**
 * The CPU scenario runs at 1,000: the bucket then drains 2,000 requests per second, more than a sequential client
 * sends, so no client sleeps and the figure is the request path alone.
 */
export const PER_CALL_SCALE = 1_000
export const PER_CALL_ROUNDS = 5

export function costsOf(name: string): CostModel {
  return name === 'docs-page' ? DOCS_PAGE_COSTS : (COST_VARIANTS[name] ?? DEFAULT_COST_MODEL)
}

export function planSteps(args: BenchArgs): Step[] {
  const divide = args.quick ? QUICK_DIVISOR : 1
  const small = 10_000 / divide
  const large = 100_000 / divide
  const run = (scenario: Step['scenario'], key: string, n: number, timeScale: number, costs = 'sourced'): Step => ({
    scenario,
    key,
    n,
    timeScale,
    deals: scenario === 'create' ? 0 : scenario === 'per-call' ? 1_000 : n,
    costs,
    round: 1,
  })
  const exports: Step[] = []
  for (const costs of Object.keys(COST_VARIANTS)) {
    exports.push(
      run('export', 'ours-fast', small, REAL_SCALE, costs),
      run('export', 'ours-pages', small, REAL_SCALE, costs),
      run('export', 'js-fetchList', small, REAL_SCALE, costs),
      run('export', 'ours-fast', large, FAST_SCALE, costs),
      run('export', 'js-fetchList', large, FAST_SCALE, costs),
    )
  }
  exports.push(
    run('export', 'ours-fast-concurrent', large, FAST_SCALE),
    run('export', 'ours-list', large, FAST_SCALE),
    run('export', 'js-callList', large, FAST_SCALE),
    run('export', '2bad-list', large, FAST_SCALE),
    run('export', '2bad-list', small, FAST_SCALE),
    run('export', 'ours-fast', large, FAST_SCALE, 'docs-page'),
    run('export', 'ours-fast-auto', large, FAST_SCALE, 'docs-page'),
  )
  if (args.million) exports.push(run('export', 'ours-fast-million', 1_000_000, FAST_SCALE))
  const perCall = Array.from({ length: PER_CALL_ROUNDS }, (_, round) =>
    ['ours', 'js', 'bare'].map((key) => ({
      ...run('per-call', key, 3_000 / divide, PER_CALL_SCALE),
      round: round + 1,
    })),
  ).flat()
  const creates = ['ours', 'ours-concurrent', 'js'].map((key) => run('create', key, small, REAL_SCALE))
  const wanted = (scenario: ScenarioName) => !args.only || args.only.includes(scenario)
  return [
    ...(wanted('export') ? exports : []),
    ...(wanted('per-call') ? perCall : []),
    ...(wanted('create') ? creates : []),
  ]
}
