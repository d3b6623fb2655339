/** The RateLimiter against the emulator over real HTTP: no 503 or 429, and close to the rate the bucket allows. */
import { afterEach, describe, expect, it } from 'vitest'
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/index.js'
import { BitrixWebhook, Client, type ClientOptions } from '../../src/index.js'
import { detectPlan, RateLimiter, type RateLimiterOptions, type WaitInfo } from '../../src/limits/index.js'

const running: Emulator[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()))
})

async function portal(options: EmulatorOptions): Promise<Emulator> {
  const emu = await startEmulator({ realDelays: false, randomSeed: 1, seed: { deals: 300 }, ...options })
  running.push(emu)
  return emu
}

function client(emu: Emulator, limiter?: RateLimiterOptions, options: ClientOptions = {}): Client {
  return new Client(BitrixWebhook.fromUrl(emu.webhookUrl), {
    defaultInitialRetryDelay: 0.01,
    defaultRetryDelayIncrement: 0.01,
    limiter: limiter ? new RateLimiter(limiter) : false,
    ...options,
  })
}

describe('RateLimiter against the emulator: request rate', () => {
  // 10× keeps the run short while a busy machine's scheduling jitter stays inside the limiter's headroom.
  const timeScale = 10
  const calls = 150

  // The share of the bucket's rate reached, and the backoff's length, are measured by `npm run bench -- --only timings`.
  it('sends a burst of 150 calls without a 503, paced by the bucket', async () => {
    const emu = await portal({ plan: 'standard', timeScale })
    const waits: WaitInfo[] = []
    const sdk = client(emu, { plan: 'standard', timeScale, onWait: (w) => waits.push(w) })
    const results = await Promise.all(Array.from({ length: calls }, (_, i) => sdk.crm.deal.get({ id: i + 1 })))
    expect(results.every((r) => r.result.ID !== undefined)).toBe(true)
    expect(emu.getStats().responses503).toBe(0)
    // The first call tells what a deal.get costs; then the bucket paces the rest.
    expect(waits.filter((w) => w.reason === 'bucket').length).toBeGreaterThan(90)
    expect(new Set(waits.map((w) => w.reason))).toEqual(new Set(['bucket', 'operating']))
  })

  it('without the limiter the same burst is refused with 503s', async () => {
    const emu = await portal({ plan: 'standard', timeScale })
    const sdk = client(emu, undefined, { defaultMaxRetries: 0 })
    const settled = await Promise.allSettled(Array.from({ length: calls }, (_, i) => sdk.crm.deal.get({ id: i + 1 })))
    // How many depends on how fast 150 requests arrive (the bucket drains meanwhile): some, and each one a 503.
    const rejected = settled.filter((s) => s.status === 'rejected').length
    expect(rejected).toBeGreaterThan(0)
    expect(emu.getStats().responses503).toBe(rejected)
  })

  it('after a 503 from elsewhere, recovers at the drain rate and reports backoff', async () => {
    const emu = await portal({ plan: 'standard', timeScale })
    const waits: WaitInfo[] = []
    const sdk = client(emu, { plan: 'standard', timeScale, onWait: (w) => waits.push(w) })
    emu.faults.inject({ method: 'crm.deal.get', kind: 'http503', times: 1 })
    await sdk.crm.deal.get({ id: 1 })
    expect(emu.getStats().responses503).toBe(1)
    expect(waits[0]).toMatchObject({ reason: 'backoff', method: 'crm.deal.get' })
    expect(waits[0].waitMs).toBeGreaterThan(0)
  })

  it('reads the plan from app.info', async () => {
    const enterprise = await portal({ plan: 'enterprise' })
    const standard = await portal({ plan: 'standard' })
    expect(detectPlan((await client(enterprise).call('app.info')).result)).toBe('enterprise')
    expect(detectPlan((await client(standard).call('app.info')).result)).toBe('standard')
  })
})

describe('RateLimiter against the emulator: operating time', () => {
  // Ten minutes of portal time pass in half a second, so a window resets quickly.
  const timeScale = 1200
  const options: EmulatorOptions = { plan: 'off', operatingLimit: 10, timeScale, costs: { base: 1 } }
  const loop = async (sdk: Client, times: number) => {
    for (let i = 0; i < times; i++) await sdk.call('crm.deal.list', { select: ['ID'], start: -1 })
  }

  it('a loop of list calls never meets a 429: it waits for the reset instead', async () => {
    const emu = await portal(options)
    const waits: WaitInfo[] = []
    const sdk = client(emu, { operatingLimit: 10, timeScale, onWait: (w) => waits.push(w) })
    await loop(sdk, 20)
    const stats = emu.getStats()
    expect(stats.responses429).toBe(0)
    expect(stats.calls['crm.deal.list']).toBe(20)
    expect(waits.filter((w) => w.reason === 'operating').length).toBeGreaterThanOrEqual(1)
    expect(waits.every((w) => w.method === 'crm.deal.list')).toBe(true)
  })

  it('without the limiter the same loop is blocked with 429', async () => {
    const emu = await portal(options)
    const sdk = client(emu, undefined, { defaultMaxRetries: 0 })
    await expect(loop(sdk, 20)).rejects.toMatchObject({ error: 'OPERATION_TIME_LIMIT' })
    expect(emu.getStats().responses429).toBe(1)
  })

  it('after a 429 it holds the method back and reports backoff', async () => {
    const emu = await portal(options)
    const waits: WaitInfo[] = []
    const sdk = client(emu, { operatingLimit: 10, timeScale, onWait: (w) => waits.push(w) }, { defaultMaxRetries: 0 })
    emu.faults.inject({ method: 'crm.deal.list', kind: 'http429', times: 1 })
    await expect(loop(sdk, 1)).rejects.toMatchObject({ error: 'OPERATION_TIME_LIMIT' })
    await loop(sdk, 1)
    expect(waits).toEqual([{ reason: 'backoff', method: 'crm.deal.list', waitMs: expect.any(Number) }])
  })
})
