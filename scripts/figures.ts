/**
 * `npm run figures`: writes the README's Figures table from the last full bench run (bench/results.json) and the
 * bundle-size script, between the `<!-- figures:start -->` and `<!-- figures:end -->` markers. No number in that
 * table is typed by hand, so it cannot drift from what the bench and the build measure.
 *
 *   npm run bench && npm run figures
 *   npx tsx scripts/figures.ts --results <file> --readme <file>   (another results file or README, e.g. to try it)
 *   npx tsx scripts/figures.ts --check                              (exit 1 when the README is not up to date)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { COST_VARIANTS, FAST_SCALE, REAL_SCALE } from '../bench/plan.js'
import {
  type BenchResults,
  bucketBoundS,
  cpuOf,
  type ExportComparison,
  exportComparisons,
  num,
  type RunResult,
} from '../bench/report.js'
import { type BundleSize, measureCheckout } from './bundle-size.js'
import { formatMarkdown } from './format-markdown.js'

export const START = '<!-- figures:start -->'
export const END = '<!-- figures:end -->'

const kib = (bytes: number) => `${num(bytes / 1024, 1)} KiB`
const mb = (bytes: number) => `${num(bytes / 2 ** 20, 1)} MB`

function row(what: string, figure: string): string {
  return `| ${what} | ${figure} |`
}

function exportRows(results: RunResult[]): string[] {
  const rows: string[] = []
  const comparisons = exportComparisons(results)
  const at = (timeScale: number) => comparisons.filter((each) => each.timeScale === timeScale)
  const sourced = (list: ExportComparison[]) => list.find((each) => each.costs === 'sourced') ?? list[0]
  for (const timeScale of [FAST_SCALE, REAL_SCALE]) {
    const head = sourced(at(timeScale))
    if (!head) continue
    rows.push(
      row(
        `Export ${num(head.n)} deals, \`asListFast()\` vs the JS SDK's \`fetchList\` (timeScale ${timeScale})`,
        `${num(head.ours.requests)} vs ${num(head.js.requests)} HTTP requests; ${mb(head.ours.wireBytes)} vs ${mb(head.js.wireBytes)} on the wire; rows exact: ${head.ours.exact ? 'yes' : 'no'}`,
      ),
    )
  }
  const real = at(REAL_SCALE)
  if (real.length > 0) {
    const ratios = real.map((each) => `${each.costs} ${num(each.js.wallS / each.ours.wallS, 1)}×`).join(', ')
    const packing = real
      .filter((each) => each.pages)
      .map((each) => {
        const pages = each.pages as RunResult
        const saved = each.js.wallS - each.ours.wallS
        return saved > 0
          ? `${each.costs} ${num(((pages.wallS - each.ours.wallS) / saved) * 100)} %`
          : `${each.costs} n/a`
      })
      .join(', ')
    rows.push(
      row(
        `… wall time, JS ÷ ours, both measured at timeScale ${REAL_SCALE}, per cost model of the emulator`,
        `${ratios}${packing ? `; share of that gain from packing 50 pages per batch: ${packing}` : ''}`,
      ),
    )
  }
  const fast = at(FAST_SCALE)
  if (fast.length > 0) {
    rows.push(
      row(
        `… wall time, JS ÷ ours at timeScale ${FAST_SCALE}, per cost model`,
        fast.map((each) => `${each.costs} ${num(each.js.wallS / each.ours.wallS, 1)}×`).join(', '),
      ),
    )
  }
  const twoBad = results.find((run) => run.scenario === 'export' && run.key === '2bad-list' && run.n >= 100_000)
  if (twoBad) {
    rows.push(
      row(
        `@2bad/bitrix \`list\`, ${num(twoBad.n)} deals`,
        twoBad.error
          ? `fails under the emulator's cost model (${num(twoBad.operatingBlocks)} calls refused for operating time: it counts the table on every page) — a result of the model, not a measurement of a portal`
          : `succeeds under the emulator's cost model (${num(twoBad.operatingS)} s of simulated server time)`,
      ),
    )
  }
  const auto = results.find((run) => run.scenario === 'export' && run.key === 'ours-fast-auto')
  if (auto) {
    rows.push(
      row(
        `\`asListFast({ concurrency: 'auto' })\`, ${num(auto.n)} deals, pages charged as the docs' \`start=-1\` example`,
        `${num(auto.requests)} requests, ${num(auto.responses429)} × 429, ${num(auto.wallS, 1)} s at timeScale ${auto.timeScale}`,
      ),
    )
  }
  return rows
}

function perCallRows(results: RunResult[]): string[] {
  const mine = cpuOf(results, 'ours')
  const js = cpuOf(results, 'js')
  const bare = cpuOf(results, 'bare')
  if (!mine || !js || !bare) return []
  const spread = (rounds: number[]) => `${num(Math.min(...rounds))}–${num(Math.max(...rounds))}`
  return [
    row(
      `Client CPU per call (${num(results.find((run) => run.scenario === 'per-call')?.n)} × \`crm.deal.get\`, medians of ${mine.rounds.length} rounds)`,
      `${num(mine.median)} µs (${spread(mine.rounds)}): ${num(mine.median / bare.median, 2)}× a bare keep-alive \`node:https\` client (${num(bare.median)} µs), ${num(mine.median / js.median, 2)}× the JS SDK's (${num(js.median)} µs)`,
    ),
  ]
}

function createRows(results: RunResult[]): string[] {
  return results
    .filter((run) => run.scenario === 'create' && run.sdk === 'b24tssdk')
    .map((run) => {
      const expected = Math.ceil(run.n / 50)
      const bound = bucketBoundS(expected, run.timeScale)
      return row(
        `Create ${num(run.n)} deals, ${run.how.replace('crm.deal.add × N', '…')}, timeScale ${run.timeScale}`,
        `${num(run.requests)} requests (ceil(N/50) = ${num(expected)}), wall ${num(run.wallS, 1)} s vs ${num(bound, 1)} s the bucket allows`,
      )
    })
}

export function figuresTable(bench: BenchResults, bundle: BundleSize | undefined): string {
  const { meta, results, timings } = bench
  const typecheck = timings.find((timing) => timing.seconds !== undefined && timing.what.startsWith('type-check'))
  const rows = [
    ...exportRows(results),
    ...perCallRows(results),
    ...createRows(results),
    ...(bundle
      ? [
          row(
            'Bundle of an app making one webhook call (browser, from `dist/`)',
            `${kib(bundle.gzip)} gzip (${kib(bundle.minified)} minified), + ${kib(bundle.lazyChunks)} gzip loaded on the first call (validation rules)`,
          ),
        ]
      : []),
    ...(typecheck ? [row('Type-checking a consumer of the full catalogue', `${num(typecheck.seconds, 1)} s`)] : []),
    row('The whole bench', `${num(meta.totalS / 60, 1)} min`),
  ]
  return [
    `Generated by \`npm run figures\` from the bench run of ${meta.date.slice(0, 10)} (${meta.machine}, Node ${meta.node}) and`,
    '`scripts/bundle-size.ts`; every run, its command and the fairness rules in [bench/results.md](bench/results.md).',
    `Server time is the emulator's cost model (${Object.keys(COST_VARIANTS).join(', ')}), not a portal's; request`,
    'counts and bytes do not depend on it.',
    '',
    '| what | figure |',
    '| --- | --- |',
    ...rows,
  ].join('\n')
}

/** `readme` with the text between the markers replaced by `table`; throws when the markers are missing. */
export function withFigures(readme: string, table: string): string {
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start < 0 || end < start) throw new Error(`the README has no ${START} … ${END} section`)
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const { values } = parseArgs({
    options: {
      results: { type: 'string', default: join(root, 'bench', 'results.json') },
      readme: { type: 'string', default: join(root, 'README.md') },
      check: { type: 'boolean', default: false },
    },
    strict: true,
  })
  const bench = JSON.parse(readFileSync(values.results, 'utf8')) as BenchResults
  if (!bench.meta.full) console.warn(`warning: ${values.results} is a partial bench run (${bench.meta.args.join(' ')})`)
  let bundle: BundleSize | undefined
  if (existsSync(join(root, 'dist', 'index.js'))) bundle = await measureCheckout(root)
  else console.warn('warning: dist/ is missing (npm run build): the bundle row is left out')
  const readme = readFileSync(values.readme, 'utf8')
  const next = withFigures(readme, figuresTable(bench, bundle))
  if (values.check) {
    if (next !== readme) {
      console.error(`${values.readme}: the Figures table is not what npm run figures writes`)
      process.exit(1)
    }
  } else {
    writeFileSync(values.readme, next)
    formatMarkdown([values.readme])
    console.log(`written the Figures table of ${values.readme}`)
  }
}
