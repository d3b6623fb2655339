/** Turns the runs into the comparison tables and the target checks (Markdown, printed and written alike). */
import type { ChildReport } from './run-one.js'

export interface RunResult extends ChildReport {
  scenario: string
  key: string
  sdk: string
  how: string
  n: number
  timeScale: number
  command: string
  /** The emulator's counters for this run alone. */
  requests: number
  operatingS: number
  responses503: number
  responses429: number
  /** `crm.deal.add` executions the portal counted. */
  addCalls: number
}

export interface Meta {
  date: string
  machine: string
  node: string
  commands: string[]
  totalS: number
  emulator: string
}

const BURST = 50
const DRAIN = 2

const num = (value: number | undefined, digits = 0) =>
  value === undefined || !Number.isFinite(value)
    ? '—'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const mark = (ok: boolean) => (ok ? '✔' : '✘')

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}

const outcome = (run: RunResult) => (run.error ? `failed: ${run.error}` : (run.note ?? ''))

/** Wall time the portal's bucket needs for `requests` requests: the burst at once, the rest at the drain rate. */
export function bucketBoundS(requests: number, timeScale: number): number {
  return Math.max(0, requests - BURST) / (DRAIN * timeScale)
}

export function render(results: RunResult[], meta: Meta): string {
  const of = (scenario: string) => results.filter((run) => run.scenario === scenario)
  const find = (scenario: string, key: string, n?: number) =>
    results.find((run) => run.scenario === scenario && run.key === key && (n === undefined || run.n === n))
  const exportRuns = of('export')
  const perCall = of('per-call')
  const create = of('create')
  const out: string[] = []

  if (exportRuns.length > 0) {
    out.push(
      `### 1. Export every deal (timeScale ${exportRuns[0].timeScale})`,
      '',
      table(
        [
          'client',
          'method',
          'deals',
          'HTTP requests',
          'rows / request',
          'wall s',
          'server operating s',
          '503',
          '429',
          'rows returned',
          'exact',
          'peak RSS MB (before work)',
          'note',
        ],
        exportRuns.map((run) => [
          run.sdk,
          run.how,
          num(run.n),
          num(run.requests),
          num((run.rows ?? 0) / Math.max(1, run.requests)),
          num(run.wallS, 2),
          num(run.operatingS, 1),
          num(run.responses503),
          num(run.responses429),
          num(run.rows),
          mark(run.exact === true),
          `${num(run.peakRssMb)} (${num(run.baselineRssMb)})`,
          outcome(run),
        ]),
      ),
      '',
    )
  }

  const js = find('per-call', 'js')
  const floor = find('per-call', 'bare')
  if (perCall.length > 0) {
    out.push(
      `### 2. Client CPU per call: ${num(perCall[0].n)} sequential crm.deal.get (timeScale ${perCall[0].timeScale})`,
      '',
      table(
        [
          'client',
          'call',
          'CPU µs / call',
          '× JS SDK',
          '× bare keep-alive',
          'wall s',
          'HTTP requests',
          '503',
          '429',
          'peak RSS MB',
          'note',
        ],
        perCall.map((run) => [
          run.sdk,
          run.how,
          num(run.cpuPerCallUs),
          num((run.cpuPerCallUs ?? 0) / (js?.cpuPerCallUs ?? Number.NaN), 2),
          num((run.cpuPerCallUs ?? 0) / (floor?.cpuPerCallUs ?? Number.NaN), 2),
          num(run.wallS, 2),
          num(run.requests),
          num(run.responses503),
          num(run.responses429),
          num(run.peakRssMb),
          outcome(run),
        ]),
      ),
      '',
    )
  }

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
            num(bound, 2),
            num(run.wallS / bound, 3),
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

  out.push('### Targets', '', table(['target', 'measured', 'met'], targets(find, meta)), '')
  return out.join('\n')
}

type Find = (scenario: string, key: string, n?: number) => RunResult | undefined

function targets(find: Find, meta: Meta): string[][] {
  const rows: string[][] = []
  const fast = find('export', 'ours-fast')
  const concurrent = find('export', 'ours-fast-concurrent')
  const jsLists = [find('export', 'js-fetchList'), find('export', 'js-callList')].filter(
    (run): run is RunResult => run !== undefined && !run.error,
  )
  const jsBest = jsLists.length > 0 ? Math.min(...jsLists.map((run) => run.wallS)) : undefined
  for (const run of [fast, concurrent]) {
    if (!run) continue
    const perRequest = (run.rows ?? 0) / Math.max(1, run.requests)
    rows.push([`export, ${run.how}: ≥ 2,400 rows per HTTP request`, num(perRequest), mark(perRequest >= 2400)])
    if (jsBest !== undefined) {
      const ratio = jsBest / run.wallS
      rows.push([
        `export, ${run.how}: ≥ 30× less wall time than the JS SDK's faster list reader`,
        `${num(ratio, 1)}× (${num(jsBest, 1)} s vs ${num(run.wallS, 2)} s)`,
        mark(ratio >= 30),
      ])
    }
    rows.push([`export, ${run.how}: rows exact`, `${num(run.rows)} of ${num(run.n)}`, mark(run.exact === true)])
    rows.push([`export, ${run.how}: peak RSS while streaming ≤ 150 MB`, `${num(run.peakRssMb)} MB`, mark(run.peakRssMb <= 150)])
  }
  const list = find('export', 'ours-list')
  if (list) rows.push(['export, asList(): rows exact', `${num(list.rows)} of ${num(list.n)}`, mark(list.exact === true)])

  const mine = find('per-call', 'ours')?.cpuPerCallUs
  const js = find('per-call', 'js')?.cpuPerCallUs
  const floor = find('per-call', 'bare')?.cpuPerCallUs
  if (mine !== undefined && js !== undefined) {
    rows.push(['per call: CPU ≤ 0.5× the JS SDK', `${num(mine / js, 2)}× (${num(mine)} vs ${num(js)} µs)`, mark(mine <= 0.5 * js)])
  }
  if (mine !== undefined && floor !== undefined) {
    rows.push([
      'per call: CPU ≤ 1.3× bare keep-alive node:https',
      `${num(mine / floor, 2)}× (${num(mine)} vs ${num(floor)} µs)`,
      mark(mine <= 1.3 * floor),
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
      `create, ${run.how}: wall within 10 % of what the bucket allows`,
      `${num(run.wallS, 2)} s vs ${num(bound, 2)} s (${num((run.wallS / bound - 1) * 100, 1)} %)`,
      mark(run.wallS <= 1.1 * bound),
    ])
  }
  rows.push(['whole bench under 10 minutes', `${num(meta.totalS / 60, 1)} min`, mark(meta.totalS < 600)])
  return rows
}
