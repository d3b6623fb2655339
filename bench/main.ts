/**
 * `npm run bench`: every client against the same portal emulator, one child process per run, then the
 * comparison table on stdout and in bench/results.md (raw figures in node_modules/.cache/b24tssdk-bench/results.json).
 *
 *   npm run bench                  the full run (about 5 minutes)
 *   npm run bench -- --quick       every N divided by 10, a smoke test; results.md is not written
 *   npm run bench -- --only export,create
 *   npm run bench -- --million     adds a 1,000,000-deal export (about 3 more minutes)
 *   npm run bench -- --only timings  the durations tests no longer assert (bench/timings.ts), alone
 */
import { fork } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { DEFAULT_COST_MODEL, EMULATOR_TLS_CERT, startEmulator } from '../src/emulator/index.js'
import { type Meta, type RunResult, render } from './report.js'
import type { ChildReport } from './run-one.js'
import { SCENARIOS } from './scenarios/index.js'
import { measureTimings, renderTimings } from './timings.js'

interface Step {
  scenario: string
  key: string
  n: number
  timeScale: number
  /** Deals the portal starts with. */
  deals: number
  /** Repetition of the same run (the CPU scenario runs three times, interleaved, and reports the median). */
  round: number
}

/**
 * The emulator runs `timeScale` times faster than a portal (bucket, operating windows and server time alike);
 * every client's limiter is scaled by the same factor. Export and create run at 10 so the per-request cost of the
 * client and the network, which no factor shrinks, stays small next to the portal's own time. The CPU scenario
 * runs at 1,000: the bucket then drains 2,000 requests per second, more than a sequential client sends, so no
 * client sleeps and the figure is the request path alone (a timer wake-up costs every client the same ~250 µs).
 */
const EXPORT_SCALE = 10
const PER_CALL_SCALE = 1_000
const PER_CALL_ROUNDS = 3
const CREATE_SCALE = 10
const CHILD_TIMEOUT_MS = 300_000

/** `million`: also export 1,000,000 deals with asListFast (no 429 with the default budget, memory while streaming). */
function plan(divide: number, million: boolean): Step[] {
  const deals = 100_000 / divide
  const exportStep = (key: string, n = deals, timeScale = EXPORT_SCALE): Step => ({
    scenario: 'export',
    key,
    n,
    timeScale,
    deals: n,
    round: 1,
  })
  const perCall = (round: number) =>
    ['ours', 'js', 'bare'].map(
      (key): Step => ({
        scenario: 'per-call',
        key,
        n: 3_000 / divide,
        timeScale: PER_CALL_SCALE,
        deals: 1_000,
        round,
      }),
    )
  const create = (key: string): Step => ({
    scenario: 'create',
    key,
    n: 10_000 / divide,
    timeScale: CREATE_SCALE,
    deals: 0,
    round: 1,
  })
  return [
    exportStep('ours-fast'),
    exportStep('ours-fast-real', deals, 1),
    exportStep('ours-fast-concurrent-real', deals, 1),
    exportStep('ours-fast-concurrent'),
    exportStep('ours-list'),
    exportStep('js-fetchList'),
    exportStep('js-callList'),
    exportStep('2bad-list'),
    exportStep('2bad-list', deals / 10),
    ...(million ? [exportStep('ours-fast-million', 1_000_000)] : []),
    ...Array.from({ length: PER_CALL_ROUNDS }, (_, round) => perCall(round + 1)).flat(),
    create('ours'),
    create('ours-sequential'),
    create('js'),
  ]
}

const here = dirname(fileURLToPath(import.meta.url))
const root = dirname(here)
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const onlyArg = args.find((arg, index) => args[index - 1] === '--only' || arg.startsWith('--only='))
const only = onlyArg?.replace('--only=', '').split(',')
const steps = plan(quick ? 10 : 1, args.includes('--million')).filter((step) => !only || only.includes(step.scenario))
const withTimings = !only || only.includes('timings')
if (only?.length === 1 && withTimings) {
  console.log(renderTimings(await measureTimings()))
  process.exit(0)
}

// Generated files live where neither Git nor Biome looks.
const outDir = join(root, 'node_modules', '.cache', 'b24tssdk-bench')
mkdirSync(outDir, { recursive: true })
const certFile = join(outDir, 'emulator-cert.pem')
writeFileSync(certFile, EMULATOR_TLS_CERT)

// Children run plain `node` on a bundle (this SDK compiled like its published build, peers from node_modules as
// published), so no TypeScript loader sits in any measured process.
const childDir = join(outDir, 'child')
const BUILD_COMMAND =
  'esbuild bench/run-one.ts --bundle --splitting --format=esm --platform=node --target=node20 --packages=external --outdir=node_modules/.cache/b24tssdk-bench/child --out-extension:.js=.mjs'
await build({
  entryPoints: [join(here, 'run-one.ts')],
  outdir: childDir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
})

async function runStep(step: Step): Promise<RunResult> {
  const emulator = await startEmulator({
    https: true,
    plan: 'standard',
    timeScale: step.timeScale,
    realDelays: true,
    costs: DEFAULT_COST_MODEL,
    seed: { deals: step.deals },
    randomSeed: 1,
  })
  try {
    const env = { webhookUrl: emulator.webhookUrl, timeScale: step.timeScale, ca: EMULATOR_TLS_CERT, n: step.n }
    const child = fork(join(childDir, 'run-one.mjs'), [step.scenario, step.key], {
      cwd: root,
      execArgv: [],
      env: { ...process.env, BENCH_ENV: JSON.stringify(env), NODE_EXTRA_CA_CERTS: certFile },
    })
    const report = await new Promise<ChildReport>((resolve, reject) => {
      let received: ChildReport | undefined
      const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS)
      child.on('message', (message) => {
        received = message as ChildReport
      })
      child.on('error', reject)
      child.on('exit', (code, signal) => {
        clearTimeout(timer)
        if (received) resolve(received)
        else reject(new Error(`child exited with ${signal ?? code} and no report`))
      })
    }).catch(
      (error: Error): ChildReport => ({
        wallS: Number.NaN,
        cpuS: 0,
        baselineRssMb: 0,
        peakRssMb: 0,
        error: error.message,
      }),
    )
    const stats = emulator.getStats()
    const spec = SCENARIOS[step.scenario][step.key]
    return {
      ...report,
      ...step,
      sdk: spec.sdk,
      how: spec.how,
      command: `BENCH_ENV='{"webhookUrl":"<emulator>","timeScale":${step.timeScale},"n":${step.n}}' NODE_EXTRA_CA_CERTS=node_modules/.cache/b24tssdk-bench/emulator-cert.pem node node_modules/.cache/b24tssdk-bench/child/run-one.mjs ${step.scenario} ${step.key}`,
      requests: stats.httpRequests,
      operatingS: Object.values(stats.operatingSeconds).reduce((sum, seconds) => sum + seconds, 0),
      responses503: stats.responses503,
      responses429: stats.responses429,
      operatingBlocks: stats.operationLimitBlocks,
      addCalls: stats.calls['crm.deal.add'] ?? 0,
    }
  } finally {
    await emulator.close()
  }
}

/** Compiles the emulator's hot paths in this process before anything is timed, so the first run isn't slower. */
async function warmUpEmulator(): Promise<void> {
  const emulator = await startEmulator({ plan: 'off', realDelays: false, seed: { deals: 10_000 } })
  try {
    const post = (method: string, body: unknown) =>
      fetch(`${emulator.webhookUrl}${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((response) => response.text())
    const page = (index: number) =>
      `crm.deal.list?order[ID]=ASC&start=-1${index === 0 ? '' : `&filter[>ID]=$result[p${index - 1}][49][ID]`}`
    const pages = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`p${index}`, page(index)]))
    const adds = Object.fromEntries(
      Array.from({ length: 50 }, (_, index) => [`a${index}`, `crm.deal.add?fields[TITLE]=w${index}`]),
    )
    for (let round = 0; round < 3; round++) {
      await post('batch', { halt: 0, cmd: pages })
      await post('batch', { halt: 0, cmd: adds })
      for (let id = 1; id <= 100; id++) await post('crm.deal.get', { id })
    }
  } finally {
    await emulator.close()
  }
}

await warmUpEmulator()
const started = performance.now()
const results: RunResult[] = []
for (const [index, step] of steps.entries()) {
  const round = step.round > 1 ? ` round ${step.round}` : ''
  const label = `[${index + 1}/${steps.length}] ${step.scenario} ${step.key}${round} (N=${step.n.toLocaleString('en-US')}, timeScale ${step.timeScale})`
  process.stdout.write(`${label} … `)
  const result = await runStep(step)
  results.push(result)
  console.log(
    result.error ? `failed after ${result.wallS.toFixed(1)} s: ${result.error}` : `${result.wallS.toFixed(2)} s`,
  )
}

const cpus = os.cpus()
const meta: Meta = {
  date: new Date().toISOString(),
  machine: `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  commands: [
    `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
    `# which runs, in order:`,
    BUILD_COMMAND,
    ...results.map((run) => run.command),
  ],
  totalS: (performance.now() - started) / 1000,
  emulator: `b24tssdk/emulator, https, plan standard (burst 50, drain 2/s), realDelays, cost model ${JSON.stringify(DEFAULT_COST_MODEL)}, operating limit 480 s / 10 min, a fresh emulator per run`,
}
const body = render(results, meta) + (withTimings ? `\n${renderTimings(await measureTimings())}` : '')
console.log(`\n${body}`)
console.log(`total ${(meta.totalS / 60).toFixed(1)} min`)
writeFileSync(join(outDir, 'results.json'), `${JSON.stringify({ meta, results }, null, 2)}\n`)
if (!quick && !only) {
  writeFileSync(join(here, 'results.md'), resultsPage(body, meta))
  console.log(`written ${relative(root, join(here, 'results.md'))}`)
}

function resultsPage(tables: string, meta: Meta): string {
  return `# Benchmark results

Generated by \`npm run bench\`; method and fairness in [README.md](README.md).

- Date: ${meta.date}
- Machine: ${meta.machine}
- Node: ${meta.node}
- Portal: ${meta.emulator}
- Fair limits: the emulator runs \`timeScale\` times faster than a real portal (its leaky bucket, operating-time
  windows and simulated server time alike), and every client's own limiter is set to the same scaled limits:
  this SDK \`new RateLimiter({ plan: 'standard', timeScale })\`; the official JS SDK
  \`restrictionParams.rateLimit = { burstLimit: 50, drainRate: 2 × timeScale }\` with its operating window divided
  by \`timeScale\`; the bare client a 48-request bucket draining at 2 × timeScale per second. @2bad/bitrix has a fixed
  queue of 2 requests per real second and no way to change it, so it runs slower than the others' scaled limits.
- Scales: \`timeScale\` ${EXPORT_SCALE} for the export, ${CREATE_SCALE} for the creates; the CPU scenario at ${PER_CALL_SCALE}, where the bucket drains faster
  than any sequential client sends, so no client sleeps (why: [README.md](README.md#fairness)).
- Total time: ${(meta.totalS / 60).toFixed(1)} min

${tables}
## Commands

\`\`\`sh
${meta.commands.join('\n')}
\`\`\`
`
}
