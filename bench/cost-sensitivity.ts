/**
 * How the export scenario's ratios move with the emulator's cost model: each constant of `DEFAULT_COST_MODEL`
 * halved and doubled in turn, the export of N deals run by this SDK (`asListFast()`), the official JS SDK
 * (`fetchList`) and @2bad/bitrix (`list`) against a fresh emulator per run, in this process (reduced size; the
 * full benchmark is `npm run bench`). Prints a Markdown table (docs/emulator.md, "Cost model").
 *
 *   npx tsx bench/cost-sensitivity.ts [N=10000] [timeScale=20]   (VARIANTS=k runs the first k rows only)
 *
 * The JS SDK insists on HTTPS and verifies the certificate, so NODE_EXTRA_CA_CERTS must name the emulator's
 * test certificate (the script writes it to the temporary directory and says so when the variable is unset):
 *
 *   NODE_EXTRA_CA_CERTS=/tmp/b24tssdk-emulator-cert.pem npx tsx bench/cost-sensitivity.ts 10000 20
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CostModel, DEFAULT_COST_MODEL, EMULATOR_TLS_CERT, startEmulator } from '../src/emulator/index.js'
import { exportRuns } from './scenarios/export.js'

const n = Number(process.argv[2] ?? 10_000)
const timeScale = Number(process.argv[3] ?? 20)

/** Whether the file NODE_EXTRA_CA_CERTS names holds the emulator's certificate. */
function trustsEmulator(): boolean {
  try {
    return readFileSync(process.env.NODE_EXTRA_CA_CERTS ?? '', 'utf8').includes(EMULATOR_TLS_CERT.trim())
  } catch {
    return false
  }
}

if (!trustsEmulator()) {
  const certFile = join(tmpdir(), 'b24tssdk-emulator-cert.pem')
  writeFileSync(certFile, EMULATOR_TLS_CERT)
  console.error(`The JS SDK needs the emulator's certificate trusted: run again with NODE_EXTRA_CA_CERTS=${certFile}`)
  process.exit(2)
}

interface Measured {
  requests: number
  wall: number
  operating: number
  blocked: number
  ok: boolean
}

async function measure(key: string, costs: CostModel): Promise<Measured> {
  const emu = await startEmulator({
    https: true,
    plan: 'standard',
    timeScale,
    realDelays: true,
    costs,
    seed: { deals: n },
    randomSeed: 1,
  })
  try {
    const work = await exportRuns[key].prepare({
      env: { webhookUrl: emu.webhookUrl, timeScale, ca: EMULATOR_TLS_CERT },
      n,
    })
    emu.resetStats()
    const started = performance.now()
    const outcome = await work().catch((error: unknown) => {
      console.error(`${key}: ${String(error)}`)
      return { exact: false }
    })
    const wall = (performance.now() - started) / 1000
    const stats = emu.getStats()
    return {
      requests: stats.httpRequests,
      wall,
      operating: stats.operatingSeconds['crm.deal.list'] ?? 0,
      blocked: stats.operationLimitBlocks,
      ok: outcome.exact === true,
    }
  } finally {
    await emu.close()
  }
}

const variants: Array<{ label: string; costs: CostModel }> = [{ label: 'defaults', costs: DEFAULT_COST_MODEL }]
for (const key of Object.keys(DEFAULT_COST_MODEL) as Array<keyof CostModel>) {
  for (const factor of [0.5, 2]) {
    variants.push({
      label: `${key} × ${factor}`,
      costs: { ...DEFAULT_COST_MODEL, [key]: DEFAULT_COST_MODEL[key] * factor },
    })
  }
}

const fixed = (value: number, digits = 1) => value.toFixed(digits)
console.log(
  `Export of ${n.toLocaleString('en-US')} deals, timeScale ${timeScale}, standard plan, one emulator per run\n`,
)
console.log(
  '| cost model | ours: requests / wall s / operating s | JS SDK: requests / wall s / operating s | wall JS ÷ ours | operating JS ÷ ours | @2bad: operating s / blocked calls / exact | operating @2bad ÷ ours |',
)
console.log('| --- | --- | --- | --- | --- | --- | --- |')
for (const variant of variants.slice(0, Number(process.env.VARIANTS ?? variants.length))) {
  const ours = await measure('ours-fast', variant.costs)
  const js = await measure('js-fetchList', variant.costs)
  const twoBad = await measure('2bad-list', variant.costs)
  console.log(
    `| ${variant.label} | ${ours.requests} / ${fixed(ours.wall, 2)} / ${fixed(ours.operating)} | ` +
      `${js.requests} / ${fixed(js.wall, 2)} / ${fixed(js.operating)} | ${fixed(js.wall / ours.wall)} | ` +
      `${fixed(js.operating / ours.operating)} | ${fixed(twoBad.operating)} / ${twoBad.blocked} / ${twoBad.ok ? '✔' : '✘'} | ` +
      `${fixed(twoBad.operating / ours.operating)} |`,
  )
}
