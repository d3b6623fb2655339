/** Turns the runs into the comparison tables and the target checks (Markdown, printed and written alike). */
import type { ChildReport } from './run-one.js'
import type { Timing } from './timings.js'

export interface RunResult extends ChildReport {
  scenario: string
  key: string
  sdk: string
  how: string
  n: number
  timeScale: number
  round: number
  /** Name of the emulator's cost model for this run. */
  costs: string
  command: string
  /** The emulator's counters for this run alone. */
  requests: number
  /** Response body bytes the emulator sent (compressed where the client asked for it). */
  wireBytes: number
  operatingS: number
  responses503: number
  responses429: number
  /** Calls the portal refused for operating time (batch sub-calls included). */
  operatingBlocks: number
  /** `crm.deal.add` executions the portal counted. */
  addCalls: number
}

export interface Meta {
  date: string
  machine: string
  node: string
  /** The bench's command-line arguments. */
  args: string[]
  /** Every scenario at full size (no --quick, no --only): the run the README's figures may come from. */
  full: boolean
  commands: string[]
  totalS: number
  emulator: string
}

/** What `npm run bench` writes to results.json. */
export interface BenchResults {
  meta: Meta
  results: RunResult[]
  timings: Timing[]
}

const BURST = 50
const DRAIN = 2

export const num = (value: number | undefined, digits = 0) =>
  value === undefined || !Number.isFinite(value)
    ? '—'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const mark = (ok: boolean) => (ok ? '✔' : '✘')

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}

function outcome(run: RunResult): string {
  const notes = [run.error ? `failed: ${run.error}` : run.note]
  if (run.operatingBlocks > 0) notes.push(`${num(run.operatingBlocks)} calls refused for operating time`)
  return notes.filter(Boolean).join('; ')
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Wall time the portal's bucket needs for `requests` requests: the burst at once, the rest at the drain rate. */
export function bucketBoundS(requests: number, timeScale: number): number {
  return Math.max(0, requests - BURST) / (DRAIN * timeScale)
}

/** CPU per call of one client: every round's figure and their median. */
export function cpuOf(results: RunResult[], key: string): { rounds: number[]; median: number } | undefined {
  const rounds = results
    .filter((run) => run.scenario === 'per-call' && run.key === key && run.cpuPerCallUs !== undefined && !run.error)
    .map((run) => run.cpuPerCallUs as number)
  return rounds.length > 0 ? { rounds, median: median(rounds) } : undefined
}

const mb = (bytes: number) => num(bytes / 2 ** 20, 2)

/** One export run, or undefined. */
export function exportRun(
  results: readonly RunResult[],
  key: string,
  timeScale: number,
  costs: string,
): RunResult | undefined {
  return results.find(
    (run) => run.scenario === 'export' && run.key === key && run.timeScale === timeScale && run.costs === costs,
  )
}

/** Ours against the JS SDK for one scale and cost model: the ratios the README quotes. */
export interface ExportComparison {
  timeScale: number
  costs: string
  n: number
  ours: RunResult
  js: RunResult
  /** Ours with one list page per request (no batch packing), where it ran. */
  pages?: RunResult
}

export function exportComparisons(results: readonly RunResult[]): ExportComparison[] {
  const out: ExportComparison[] = []
  const seen = new Set<string>()
  for (const run of results) {
    if (run.scenario !== 'export' || run.key !== 'ours-fast') continue
    const id = `${run.timeScale}/${run.costs}`
    const js = exportRun(results, 'js-fetchList', run.timeScale, run.costs)
    if (seen.has(id) || !js) continue
    seen.add(id)
    const pages = exportRun(results, 'ours-pages', run.timeScale, run.costs)
    out.push({ timeScale: run.timeScale, costs: run.costs, n: run.n, ours: run, js, ...(pages ? { pages } : {}) })
  }
  return out
}

export function render(output: BenchResults): string {
  const { results, meta } = output
  const of = (scenario: string) => results.filter((run) => run.scenario === scenario)
  const out: string[] = []

  const exportRuns = of('export')
  if (exportRuns.length > 0) {
    out.push(
      '### 1. Export every deal',
      '',
      'Bytes are response bodies as the emulator sent them (compressed when the client asked); server operating',
      "seconds come from the emulator's cost model named in the row.",
      '',
      table(
        [
          'client',
          'method',
          'timeScale',
          'cost model',
          'deals',
          'HTTP requests',
          'rows / request',
          'MB on the wire',
          'wall s',
          'client CPU s',
          'server operating s',
          '503',
          '429',
          'exact',
          'peak RSS MB (before work)',
          'note',
        ],
        exportRuns.map((run) => [
          run.sdk,
          run.how,
          num(run.timeScale),
          run.costs,
          num(run.n),
          num(run.requests),
          num((run.rows ?? 0) / Math.max(1, run.requests)),
          mb(run.wireBytes),
          num(run.wallS, 2),
          num(run.cpuS, 2),
          num(run.operatingS, 1),
          num(run.responses503),
          num(run.responses429),
          mark(run.exact === true),
          `${num(run.peakRssMb)} (${num(run.baselineRssMb)})`,
          outcome(run),
        ]),
      ),
      '',
    )
    const comparisons = exportComparisons(results)
    if (comparisons.length > 0) {
      out.push(
        '#### This SDK (`asListFast()`) against the JS SDK (`fetchList`), per scale and cost model',
        '',
        'Requests and bytes are measured and do not depend on the cost model. Wall time is measured on both sides',
        "(nothing extrapolated); at timeScale 1 the emulator runs at a real portal's speed, with server time from",
        'the cost model. "One page per request" is this SDK reading the same keyset pages without packing 50 of them',
        'into a batch: what is left of the gain without the packing.',
        '',
        table(
          [
            'timeScale',
            'cost model',
            'deals',
            'requests: JS / ours',
            'MB: JS / ours',
            'wall s: JS / ours',
            'wall JS ÷ ours',
            'one page per request: requests / wall s',
            'share of the gain from batch packing',
          ],
          comparisons.map(({ timeScale, costs, n, ours, js, pages }) => [
            num(timeScale),
            costs,
            num(n),
            `${num(js.requests)} / ${num(ours.requests)} (${num(js.requests / ours.requests, 0)}×)`,
            `${mb(js.wireBytes)} / ${mb(ours.wireBytes)}`,
            `${num(js.wallS, 1)} / ${num(ours.wallS, 1)}`,
            `${num(js.wallS / ours.wallS, 1)}×`,
            pages ? `${num(pages.requests)} / ${num(pages.wallS, 1)}` : '—',
            pages ? packingShare(js, ours, pages) : '—',
          ]),
        ),
        '',
      )
    }
  }

  const perCall = of('per-call')
  if (perCall.length > 0) {
    const js = cpuOf(results, 'js')?.median
    const floor = cpuOf(results, 'bare')?.median
    const keys = [...new Set(perCall.map((run) => run.key))]
    out.push(
      `### 2. Client CPU per call: ${num(perCall[0].n)} sequential crm.deal.get (timeScale ${perCall[0].timeScale})`,
      '',
      table(
        [
          'client',
          'call',
          'CPU µs / call, each round',
          'median',
          'spread (min–max)',
          '× JS SDK',
          '× bare keep-alive',
          'wall s (median)',
          'HTTP requests (all rounds)',
          '503',
          '429',
          'peak RSS MB',
          'note',
        ],
        keys.map((key) => {
          const runs = perCall.filter((run) => run.key === key)
          const cpu = cpuOf(results, key)
          const sum = (pick: (run: RunResult) => number) => runs.reduce((total, run) => total + pick(run), 0)
          return [
            runs[0].sdk,
            runs[0].how,
            cpu ? cpu.rounds.map((value) => num(value)).join(' / ') : '—',
            num(cpu?.median),
            cpu ? `${num(Math.min(...cpu.rounds))}–${num(Math.max(...cpu.rounds))}` : '—',
            num((cpu?.median ?? Number.NaN) / (js ?? Number.NaN), 2),
            num((cpu?.median ?? Number.NaN) / (floor ?? Number.NaN), 2),
            num(median(runs.map((run) => run.wallS)), 2),
            num(sum((run) => run.requests)),
            num(sum((run) => run.responses503)),
            num(sum((run) => run.responses429)),
            num(Math.max(...runs.map((run) => run.peakRssMb))),
            runs.map(outcome).filter(Boolean).join('; '),
          ]
        }),
      ),
      '',
    )
  }

  const create = of('create')
  if (create.length > 0) {
    out.push(
      `### 3. Create deals, 50 per batch (timeScale ${create[0].timeScale})`,
      '',
      table(
        [
          'client',
          'method',
          'deals',
          'HTTP requests',
          'ceil(N/50)',
          'crm.deal.add run',
          'wall s',
          'client CPU s',
          'bucket allows s',
          'wall / bucket',
          '503',
          '429',
          'created',
          'note',
        ],
        create.map((run) => {
          const expected = Math.ceil(run.n / 50)
          const bound = bucketBoundS(expected, run.timeScale)
          return [
            run.sdk,
            run.how,
            num(run.n),
            num(run.requests),
            num(expected),
            num(run.addCalls),
            num(run.wallS, 2),
            num(run.cpuS, 2),
            num(bound, 2),
            num(run.wallS / bound, 2),
            num(run.responses503),
            num(run.responses429),
            num(run.rows),
            outcome(run),
          ]
        }),
      ),
      '',
    )
  }

  out.push('### Targets', '', table(['target', 'measured', 'met'], targets(results, meta)), '')
  return out.join('\n')
}

/**
 * How much of the wall-time gain over the JS SDK the batch packing accounts for: of the time saved (JS − ours),
 * the part that one-page-per-request reading does not save (pages − ours).
 */
function packingShare(js: RunResult, ours: RunResult, pages: RunResult): string {
  const saved = js.wallS - ours.wallS
  if (!(saved > 0)) return 'n/a (no gain)'
  return `${num(((pages.wallS - ours.wallS) / saved) * 100)} %`
}

function targets(results: RunResult[], meta: Meta): string[][] {
  const rows: string[][] = []
  const find = (scenario: string, key: string) => results.find((run) => run.scenario === scenario && run.key === key)
  for (const run of results.filter((run) => run.scenario === 'export' && run.key.startsWith('ours'))) {
    const label = `export, ${run.how}, ${num(run.n)} deals, timeScale ${run.timeScale}, costs ${run.costs}`
    if (run.key !== 'ours-pages') {
      const perRequest = (run.rows ?? 0) / Math.max(1, run.requests)
      // Full batches of 2,500 rows plus the one request that reads the ID bounds first.
      const full = Math.min(2_400, run.n / (Math.ceil(run.n / 2_500) + 1))
      rows.push([`${label}: rows per HTTP request ≥ ${num(full)}`, num(perRequest), mark(perRequest >= full)])
    }
    rows.push([
      `${label}: rows exact, no 429`,
      `${num(run.rows)} of ${num(run.n)}, ${num(run.responses429)} × 429`,
      mark(run.exact === true && run.responses429 === 0),
    ])
  }
  for (const run of results.filter((run) => run.scenario === 'export' && run.key === '2bad-list')) {
    rows.push([
      `@2bad/bitrix list, ${num(run.n)} deals, costs ${run.costs}: outcome under the emulator's cost model (not a measurement of a portal)`,
      run.error
        ? `fails: ${num(run.operatingBlocks)} calls refused for operating time (${num(run.operatingS, 0)} s of simulated server time; it counts on every page)`
        : `succeeds, ${num(run.operatingS, 0)} s of simulated server time`,
      'n/a',
    ])
  }
  const million = find('export', 'ours-fast-million')
  if (million) {
    rows.push([
      'export of 1,000,000 deals: peak RSS while streaming ≤ 150 MB',
      `${num(million.peakRssMb)} MB`,
      mark(million.peakRssMb <= 150),
    ])
  }
  const mine = cpuOf(results, 'ours')?.median
  const js = cpuOf(results, 'js')?.median
  const floor = cpuOf(results, 'bare')?.median
  if (mine !== undefined && js !== undefined) {
    rows.push([
      'per call (medians): CPU ≤ 0.45× the JS SDK',
      `${num(mine / js, 2)}× (${num(mine)} vs ${num(js)} µs)`,
      mark(mine <= 0.45 * js),
    ])
  }
  if (mine !== undefined && floor !== undefined) {
    rows.push([
      'per call (medians): CPU ≤ 1.15× bare keep-alive node:https',
      `${num(mine / floor, 2)}× (${num(mine)} vs ${num(floor)} µs)`,
      mark(mine <= 1.15 * floor),
    ])
  }
  for (const key of ['ours', 'ours-concurrent']) {
    const run = find('create', key)
    if (!run) continue
    const expected = Math.ceil(run.n / 50)
    const bound = bucketBoundS(expected, run.timeScale)
    rows.push([
      `create, ${run.how}: requests = ceil(N/50)`,
      `${num(run.requests)} = ${num(expected)}`,
      mark(run.requests === expected && run.exact === true),
    ])
    rows.push([
      `create, ${run.how}, timeScale ${run.timeScale}: wall within 10 % of what the bucket allows`,
      `${num(run.wallS, 2)} s vs ${num(bound, 2)} s (${num((run.wallS / bound - 1) * 100, 1)} %)`,
      bound > 0 ? mark(run.wallS <= 1.1 * bound) : 'n/a (within the burst)',
    ])
  }
  rows.push(['the whole bench (measured)', `${num(meta.totalS / 60, 1)} min`, 'n/a'])
  return rows
}
