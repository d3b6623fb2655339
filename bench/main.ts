/**
 * `npm run bench`: every client against the same portal emulator, one child process per run, then the
 * comparison tables on stdout, in bench/results.md and, machine-readable, in bench/results.json (which
 * `npm run figures` turns into the README's Figures table). `npm run bench -- --help` lists the options.
 */
import { fork } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { EMULATOR_TLS_CERT, startEmulator } from '../src/emulator/index.js'
import {
  COST_VARIANTS,
  costsOf,
  FAST_SCALE,
  PER_CALL_SCALE,
  parseBenchArgs,
  planSteps,
  REAL_SCALE,
  type Step,
  USAGE,
} from './plan.js'
import { type BenchResults, type Meta, type RunResult, render } from './report.js'
import type { ChildReport } from './run-one.js'
import { SCENARIOS } from './scenarios/index.js'
import { measureTimings, renderTimings, type Timing } from './timings.js'

const CHILD_TIMEOUT_MS = 600_000

let args: ReturnType<typeof parseBenchArgs>
try {
  args = parseBenchArgs(process.argv.slice(2))
} catch (error) {
  console.error(`${(error as Error).message}\n\n${USAGE}`)
  process.exit(2)
}
if (args.help) {
  console.log(USAGE)
  process.exit(0)
}

const here = dirname(fileURLToPath(import.meta.url))
const root = dirname(here)
const steps = planSteps(args)
const withTimings = !args.only || args.only.includes('timings')
const full = !args.quick && !args.only

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
    costs: costsOf(step.costs),
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
      command: `# emulator: timeScale ${step.timeScale}, ${step.deals} deals, cost model ${step.costs}\nBENCH_ENV='{"webhookUrl":"<emulator>","timeScale":${step.timeScale},"n":${step.n}}' NODE_EXTRA_CA_CERTS=node_modules/.cache/b24tssdk-bench/emulator-cert.pem node node_modules/.cache/b24tssdk-bench/child/run-one.mjs ${step.scenario} ${step.key}`,
      requests: stats.httpRequests,
      wireBytes: stats.responseBodyBytes,
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
  const label = `[${index + 1}/${steps.length}] ${step.scenario} ${step.key}${round} (N=${step.n.toLocaleString('en-US')}, timeScale ${step.timeScale}, costs ${step.costs})`
  process.stdout.write(`${label} … `)
  const result = await runStep(step)
  results.push(result)
  console.log(
    result.error ? `failed after ${result.wallS.toFixed(1)} s: ${result.error}` : `${result.wallS.toFixed(2)} s`,
  )
}
const timings: Timing[] = withTimings ? await measureTimings() : []

const cpus = os.cpus()
const meta: Meta = {
  date: new Date().toISOString(),
  machine: `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  args: process.argv.slice(2),
  full,
  commands: [
    `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    `# which runs, in order:`,
    BUILD_COMMAND,
    ...results.map((run) => run.command),
  ],
  totalS: (performance.now() - started) / 1000,
  emulator: `b24tssdk/emulator, https, plan standard (burst 50, drain 2/s), realDelays, operating limit 480 s / 10 min, a fresh emulator per run; cost models ${JSON.stringify(COST_VARIANTS)}`,
}
const output: BenchResults = { meta, results, timings }
const body = render(output) + (withTimings ? `\n${renderTimings(timings)}` : '')
console.log(`\n${body}`)
const outFolder = full ? here : outDir
writeFileSync(join(outFolder, 'results.json'), `${JSON.stringify(output, null, 2)}\n`)
writeFileSync(join(outFolder, 'results.md'), resultsPage(body, meta))
console.log(`written ${relative(root, join(outFolder, 'results.json'))} and results.md`)
console.log(`the bench took ${(meta.totalS / 60).toFixed(1)} min (measured, this run${full ? '' : ', partial'})`)

function resultsPage(tables: string, meta: Meta): string {
  return `# Benchmark results

Generated by \`npm run bench\`${meta.full ? '' : ` (a partial run: ${meta.args.join(' ')})`}; method and fairness in [README.md](README.md); the same figures, machine-readable, in results.json.

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
- Scales: \`timeScale\` ${REAL_SCALE} (a real portal's speed) and ${FAST_SCALE} for exports, ${REAL_SCALE} for the creates; the CPU scenario
  at ${PER_CALL_SCALE}, where the bucket drains faster than any sequential client sends, so no client sleeps.
- Server time comes from the emulator's cost model, not from a portal: every export runs under the sourced
  constants, all halved and all doubled. Request counts and bytes do not depend on the model.
- The whole bench took ${(meta.totalS / 60).toFixed(1)} min.

${tables}
## Commands

\`\`\`sh
${meta.commands.join('\n')}
\`\`\`
`
}
