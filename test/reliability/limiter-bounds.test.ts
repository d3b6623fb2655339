/**
 * The limiter's bounds over real HTTP: a portal reporting an absurd reset time holds a method for at most the
 * 10-minute window, `maxQueueWait` ends a queued call with a typed error and sends nothing, and the read timeout
 * counts per attempt, not the time queued.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator } from '../../src/emulator/index.js'
import { BitrixQueueTimeout, BitrixValidationError } from '../../src/errors/index.js'
import { BitrixWebhook, Client, Config, RateLimiter, type WaitInfo } from '../../src/index.js'

/** A portal whose every answer says the method used 1000 s and resets in a million seconds. */
async function hostilePortal(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0
  const server = http.createServer((req, res) => {
    requests++
    req.resume()
    req.on('end', () => {
      const now = Date.now() / 1000
      const time = {
        start: now,
        finish: now + 0.01,
        duration: 0.01,
        processing: 0.01,
        date_start: new Date().toISOString(),
        date_finish: new Date().toISOString(),
        operating: 1000,
        operating_reset_at: Math.round(now + 1e6),
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ result: { ID: '1' }, time }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/rest/1/hostilekey/`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

describe('a portal that reports a reset a million seconds away', () => {
  let portal: Awaited<ReturnType<typeof hostilePortal>>
  beforeAll(async () => {
    portal = await hostilePortal()
  })
  afterAll(async () => {
    await portal.close()
  })

  it('holds the method at most the 10-minute window; maxQueueWait ends the call with what it waited for', async () => {
    const waits: WaitInfo[] = []
    const limiter = new RateLimiter({ onWait: (info) => waits.push(info) })
    const client = new Client(BitrixWebhook.fromUrl(portal.url), { limiter, validateArguments: false })
    await client.call('crm.deal.get', { id: 1 })
    const error = await client.call('crm.deal.get', { id: 1 }, { maxQueueWait: 1 }).response.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BitrixQueueTimeout)
    const timeout = error as BitrixQueueTimeout
    expect(timeout).toMatchObject({ method: 'crm.deal.get', sent: false, reason: 'operating', maxQueueWaitMs: 1000 })
    expect(timeout.neededMs).toBeGreaterThan(590_000)
    expect(timeout.neededMs).toBeLessThanOrEqual(600_000)
    expect(timeout.message).toMatch(/crm\.deal\.get: not sent, queued \d+ ms of maxQueueWait 1000 ms/)
    expect(timeout.message).toContain('operating-time budget of crm.deal.get')
    expect(portal.requests()).toBe(1)
    // Other methods are not held.
    await client.call('crm.deal.list', {})
    expect(portal.requests()).toBe(2)
    expect(waits).toEqual([])
  })

  it('the client option applies to every call; a per-call value overrides it', async () => {
    const client = new Client(BitrixWebhook.fromUrl(portal.url), {
      limiter: new RateLimiter(),
      validateArguments: false,
      maxQueueWait: 0.2,
    })
    await client.call('crm.deal.get', { id: 1 })
    const error = await client.call('crm.deal.get', { id: 1 }).response.catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'BitrixQueueTimeout', maxQueueWaitMs: 200, reason: 'operating' })
    const override = await client.call('crm.deal.get', { id: 1 }, { maxQueueWait: 3 }).response.catch((e: unknown) => e)
    expect(override).toMatchObject({ name: 'BitrixQueueTimeout', maxQueueWaitMs: 3000 })
  })

  it('the global setting applies to clients without their own, and reset() lifts it', async () => {
    const config = new Config().configure({ maxQueueWait: 0.1 })
    try {
      const client = new Client(BitrixWebhook.fromUrl(portal.url), {
        limiter: new RateLimiter(),
        validateArguments: false,
      })
      await client.call('crm.deal.get', { id: 1 })
      const error = await client.call('crm.deal.get', { id: 1 }).response.catch((e: unknown) => e)
      expect(error).toMatchObject({ name: 'BitrixQueueTimeout', maxQueueWaitMs: 100 })
    } finally {
      config.reset()
    }
    expect(new Config().maxQueueWait).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('maxQueueWait is checked like the other settings', () => {
  it('rejects what is not seconds > 0, naming the setting', async () => {
    const webhook = BitrixWebhook.fromUrl('http://127.0.0.1:9/rest/1/key/')
    for (const bad of [0, -1, Number.NaN, '5']) {
      expect(() => new Client(webhook, { maxQueueWait: bad as number })).toThrow(BitrixValidationError)
    }
    expect(() => new Client(webhook, { maxQueueWait: 0 })).toThrow(/maxQueueWait/)
    const client = new Client(webhook, { maxQueueWait: Number.POSITIVE_INFINITY })
    const error = await client.call('server.time', {}, { maxQueueWait: -2 }).response.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BitrixValidationError)
    expect((error as Error).message).toContain('maxQueueWait')
  })
})

describe('200 concurrent reads at 2 per second (emulator at 10× speed)', () => {
  const SCALE = 10
  let emu: Awaited<ReturnType<typeof startEmulator>>
  beforeAll(async () => {
    emu = await startEmulator({ randomSeed: 1, timeScale: SCALE, seed: { deals: 10 } })
  })
  afterAll(async () => {
    await emu.close()
  })

  it('queue longer than the read timeout, and every read succeeds: the timeout counts per attempt', async () => {
    const waits: WaitInfo[] = []
    const limiter = new RateLimiter({ timeScale: SCALE, onWait: (info) => waits.push(info) })
    const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), {
      limiter,
      defaultTimeout: 2,
    })
    const results = await Promise.all(Array.from({ length: 200 }, () => client.server.time().response))
    expect(results).toHaveLength(200)
    for (const response of results) expect(typeof response.result).toBe('string')
    // The limiter planned the last calls to queue well past the 2-second read timeout.
    expect(Math.max(...waits.filter((w) => w.reason === 'bucket').map((w) => w.waitMs))).toBeGreaterThan(4_000)
  })

  it('maxQueueWait ends the calls that would queue too long, sends nothing for them, lets the rest through', async () => {
    emu.resetLimits()
    const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), {
      limiter: new RateLimiter({ timeScale: SCALE }),
      maxQueueWait: 1,
    })
    const before = emu.getStats().calls['server.time'] ?? 0
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, () =>
        client.server
          .time()
          .response.then(() => 'ok' as const)
          .catch((error: unknown) => error),
      ),
    )
    const sent = (emu.getStats().calls['server.time'] ?? 0) - before
    const failed = outcomes.filter((outcome) => outcome !== 'ok')
    for (const error of failed) {
      expect(error).toBeInstanceOf(BitrixQueueTimeout)
      expect(error).toMatchObject({ sent: false, method: 'server.time', waitingFor: 'server.time' })
      // `backoff` when a 503 (a burst arriving bunched on a busy machine) moved the queue back.
      expect(['bucket', 'backoff']).toContain((error as BitrixQueueTimeout).reason)
    }
    expect(failed.length).toBeGreaterThan(50)
    expect(sent).toBe(200 - failed.length)
  })
})
