/**
 * Durations and rates that tests used to assert, measured and reported here instead (tests assert behaviour only,
 * so a busy machine cannot fail them). Each row has the figure and the target it used to be held to.
 *
 *   npm run bench -- --only timings      this table alone (about a minute)
 *   npm run bench                        the comparison, then this table
 */
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { DEFAULT_COST_MODEL, startEmulator } from '../src/emulator/index.js'
import type { CallContext, Params } from '../src/emulator/kernel.js'
import { createPortal } from '../src/emulator/methods/index.js'
import { BitrixWebhook, Client } from '../src/index.js'
import { RateLimiter, type WaitInfo } from '../src/limits/index.js'
import { redact, SecretRegistry } from '../src/log/index.js'
import { typecheckConsumer } from '../test/types/consumer-tsc.js'

export interface Timing {
  what: string
  figure: string
  /** What the figure was asserted against when it was a test. */
  target: string
  /** The figure as a number, where one figure is reported elsewhere (the README's Figures table). */
  seconds?: number
  met: boolean
}

function since(started: number): number {
  return performance.now() - started
}

/** Formerly test/types/consumer-typecheck.test.ts: `tsc` over a consumer of the full catalogue. */
function consumerTypecheck(): Timing[] {
  const started = performance.now()
  typecheckConsumer()
  const seconds = since(started) / 1000
  return [
    {
      what: 'type-check a consumer of the catalogue',
      figure: `${seconds.toFixed(1)} s`,
      seconds,
      target: '< 10 s',
      met: seconds < 10,
    },
  ]
}

/** Formerly test/unit/emulator-methods-scale.test.ts: the emulator's portal with 1,000,000 deals, in-process. */
function emulatorScale(): Timing[] {
  const started = performance.now()
  const portal = createPortal({ seed: { deals: 1_000_000 }, costs: DEFAULT_COST_MODEL, randomSeed: 1 })
  const createdMs = since(started)
  const ctx: CallContext = { userId: 1, authType: 'webhook', now: () => 1767300000, cost: () => {} }
  const timed = (method: string, params: Params): number => {
    const t0 = performance.now()
    portal.methods.get(method)?.handler(params, ctx)
    return since(t0)
  }
  let slowestKeyset = 0
  for (let page = 0; page < 20; page++) {
    const filter = { '>ID': 500_000 + page * 50 }
    slowestKeyset = Math.max(
      slowestKeyset,
      timed('crm.deal.list', { select: ['ID'], filter, order: { ID: 'ASC' }, start: -1 }),
    )
  }
  const pages = Math.max(
    timed('crm.deal.list', { select: ['ID'] }),
    timed('crm.deal.list', { select: ['ID'], order: { ID: 'DESC' } }),
    timed('crm.item.list', { entityTypeId: 2, order: { id: 'DESC' }, filter: { '<id': 10 }, start: -1 }),
  )
  const sortMs = timed('crm.deal.list', { select: ['ID', 'TITLE'], order: { TITLE: 'ASC' } })
  const ms = (value: number) => `${value.toFixed(1)} ms`
  return [
    { what: 'emulator: create a 1M-deal portal', figure: ms(createdMs), target: '< 500 ms', met: createdMs < 500 },
    {
      what: 'emulator: slowest of 20 keyset pages (1M deals)',
      figure: ms(slowestKeyset),
      target: '< 200 ms',
      met: slowestKeyset < 200,
    },
    {
      what: 'emulator: slowest ID-ordered page, both directions',
      figure: ms(pages),
      target: '< 200 ms',
      met: pages < 200,
    },
    { what: 'emulator: sort 1M deals by TITLE', figure: ms(sortMs), target: '< 15,000 ms', met: sortMs < 15_000 },
  ]
}

/** Formerly test/e2e/emulator-server.test.ts and emulator-limits.test.ts: server start and simulated delays. */
async function emulatorServer(): Promise<Timing[]> {
  let started = performance.now()
  const big = await startEmulator({ seed: { deals: 1_000_000 } })
  const startMs = since(started)
  await big.close()
  const slow = await startEmulator({ realDelays: true, timeScale: 100 })
  started = performance.now()
  await fetch(`${slow.webhookUrl}test.cost?seconds=5`).then((response) => response.text())
  const sleptMs = since(started)
  await slow.close()
  return [
    {
      what: 'emulator: start with 1M deals',
      figure: `${startMs.toFixed(0)} ms`,
      target: '< 1,000 ms',
      met: startMs < 1000,
    },
    {
      what: 'emulator: 5 s of server time at timeScale 100',
      figure: `${sleptMs.toFixed(0)} ms`,
      target: '45–1,000 ms',
      met: sleptMs >= 45 && sleptMs < 1000,
    },
  ]
}

/** Formerly test/e2e/limits-emulator.test.ts and sdk-retry.test.ts: pacing rate, backoff wait, timeout. */
async function clientPacing(): Promise<Timing[]> {
  const timeScale = 20
  const calls = 150
  const emu = await startEmulator({
    plan: 'standard',
    timeScale,
    realDelays: false,
    randomSeed: 1,
    seed: { deals: 300 },
  })
  try {
    const clientWith = (waits: WaitInfo[]) =>
      new Client(BitrixWebhook.fromUrl(emu.webhookUrl), {
        defaultInitialRetryDelay: 0.01,
        defaultRetryDelayIncrement: 0.01,
        limiter: new RateLimiter({ plan: 'standard', timeScale, onWait: (wait) => waits.push(wait) }),
      })
    const burst = clientWith([])
    const started = performance.now()
    await Promise.all(Array.from({ length: calls }, (_, i) => burst.crm.deal.get({ id: i + 1 })))
    const ratio = (calls - 50) / (2 * timeScale) / (since(started) / 1000)
    const waits: WaitInfo[] = []
    const recovering = clientWith(waits)
    emu.faults.inject({ method: 'crm.deal.get', kind: 'http503', times: 1 })
    await recovering.crm.deal.get({ id: 1 })
    const backoffMs = waits.find((wait) => wait.reason === 'backoff')?.waitMs ?? Number.NaN
    const backoffBound = Math.ceil(1000 / (2 * timeScale))
    const timeoutClient = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), {
      limiter: false,
      defaultTimeout: 0.3,
      defaultMaxRetries: 0,
    })
    emu.faults.inject({ method: 'server.time', kind: 'slow', delayMs: 1_000, times: 1 })
    const timeoutStarted = performance.now()
    await timeoutClient.server.time().response.catch(() => undefined)
    const timeoutMs = since(timeoutStarted)
    return [
      {
        what: `limiter: ${calls} concurrent calls, share of the bucket's rate`,
        figure: `${(ratio * 100).toFixed(0)} %`,
        target: '≥ 90 %',
        met: ratio >= 0.9,
      },
      {
        what: 'limiter: backoff after a foreign 503',
        figure: `${backoffMs} ms`,
        target: `≤ ${backoffBound} ms`,
        met: backoffMs <= backoffBound,
      },
      {
        what: 'client: a 0.3 s read timeout against a 1 s answer',
        figure: `${timeoutMs.toFixed(0)} ms`,
        target: '< 900 ms',
        met: timeoutMs < 900,
      },
    ]
  } finally {
    await emu.close()
  }
}

/**
 * Redaction with many live secrets (formerly "stays fast with thousands of secrets" in test/unit/log-redact):
 * µs per log line and per token rotation with 10,000 and 100,000 secrets held by live credentials.
 */
export function redactionTimings(): Timing[] {
  const line = (secret: string) =>
    `2026-05-14T10:26:32.000Z DEBUG call method=crm.deal.list status=200 durationMs=12 params={"select":["ID","TITLE"],"filter":{">ID":1000}} note="token ${secret} seen"`
  const rows: Timing[] = []
  const perLine: number[] = []
  for (const count of [10_000, 100_000]) {
    const registry = new SecretRegistry()
    const owners = Array.from({ length: count }, () => ({}))
    for (const owner of owners) registry.hold(owner, 'accessToken', randomBytes(16).toString('hex'))
    const sample = line([...registry.values()][count >> 1])
    if (!redact(sample, registry).includes('token *** seen')) throw new Error('redaction missed a held secret')
    const rounds = 20_000
    for (let i = 0; i < rounds / 10; i++) redact(sample, registry) // warm-up
    let started = performance.now()
    for (let i = 0; i < rounds; i++) redact(sample, registry)
    const lineUs = (since(started) * 1000) / rounds
    perLine.push(lineUs)
    started = performance.now()
    for (let i = 0; i < 10_000; i++) registry.hold(owners[i], 'accessToken', randomBytes(16).toString('hex'))
    const rotationUs = (since(started) * 1000) / 10_000
    const label = count.toLocaleString('en-US')
    rows.push(
      {
        what: `redaction: one log line, ${label} live secrets`,
        figure: `${lineUs.toFixed(1)} µs`,
        target: 'reported',
        met: true,
      },
      {
        what: `redaction: one token rotation, ${label} live secrets`,
        figure: `${rotationUs.toFixed(1)} µs`,
        target: 'reported',
        met: true,
      },
    )
  }
  const growth = perLine[1] / perLine[0]
  rows.push({
    what: 'redaction: line cost at 100,000 / at 10,000 secrets',
    figure: `${growth.toFixed(2)}×`,
    target: '< 2× (does not grow with the secrets)',
    met: growth < 2,
  })
  return rows
}

export async function measureTimings(): Promise<Timing[]> {
  return [
    ...redactionTimings(),
    ...emulatorScale(),
    ...(await emulatorServer()),
    ...(await clientPacing()),
    ...consumerTypecheck(),
  ]
}

export function renderTimings(rows: readonly Timing[]): string {
  const lines = [
    '## Timings formerly asserted by tests',
    '',
    '| what | figure | target | met |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.what} | ${row.figure} | ${row.target} | ${row.met ? 'yes' : '**no**'} |`),
  ]
  return `${lines.join('\n')}\n`
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(renderTimings(await measureTimings()))
}
