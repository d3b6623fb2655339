import { describe, expect, it } from 'vitest'
import { oauthApp, postJson, request, start } from './emulator-helpers.js'

describe('emulator leaky bucket', () => {
  it('refuses the request over the burst with 503 QUERY_LIMIT_EXCEEDED and recovers as it drains', async () => {
    // Emulator time nearly stands still, so only advanceTime drains the bucket (it drains in whole-second steps).
    const emu = await start({ bucket: { burst: 5, drainPerSecond: 1 }, timeScale: 0.001 })
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await request(`${emu.webhookUrl}test.echo`)).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 503])
    const refused = await request(`${emu.webhookUrl}test.echo`)
    expect(refused.json).toEqual({ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' })
    emu.advanceTime(2)
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(503)
    expect(emu.getStats().responses503).toBe(3)
  })

  it('uses the standard plan by default (burst 50) and the enterprise plan on request', async () => {
    // Emulator time nearly stands still (1 ms per real second), so a loaded machine cannot drain the bucket.
    const standard = await start({ timeScale: 0.001 })
    const enterprise = await start({ plan: 'enterprise', timeScale: 0.001 })
    const count503 = async (url: string) => {
      let refused = 0
      for (let i = 0; i < 55; i++) if ((await request(`${url}test.echo`)).status === 503) refused++
      return refused
    }
    expect(await count503(standard.webhookUrl)).toBe(5)
    expect(await count503(enterprise.webhookUrl)).toBe(0)
    const off = await start({ plan: 'off' })
    expect(await count503(off.webhookUrl)).toBe(0)
  })

  it('drains timeScale times faster', async () => {
    const emu = await start({ bucket: { burst: 2, drainPerSecond: 1 }, timeScale: 100 })
    await request(`${emu.webhookUrl}test.echo`)
    await request(`${emu.webhookUrl}test.echo`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
  })

  it('counts a batch as one request', async () => {
    const emu = await start({ bucket: { burst: 2, drainPerSecond: 0 } })
    const cmd = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`c${i}`, 'test.echo']))
    expect((await postJson(`${emu.webhookUrl}batch`, { cmd })).status).toBe(200)
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(503)
  })
})

describe('emulator operating-time limit', () => {
  it('lets the call that crosses the limit finish and blocks the next with 429', async () => {
    const emu = await start({ operatingLimit: 10 })
    const cost = () => request(`${emu.webhookUrl}test.cost?seconds=4`)
    const first = await cost()
    expect(first.json.time.operating).toBe(4)
    expect(first.json.time.processing).toBe(4)
    const resetAt = first.json.time.operating_reset_at
    expect(resetAt).toBeGreaterThanOrEqual(first.json.time.start + 600)
    expect(resetAt).toBeLessThanOrEqual(Math.ceil(first.json.time.finish + 600))
    expect((await cost()).json.time.operating).toBe(8)
    const crossing = await cost()
    expect(crossing.status).toBe(200)
    expect(crossing.json.time.operating).toBe(12)
    const blocked = await cost()
    expect(blocked.status).toBe(429)
    expect(blocked.json).toEqual({
      error: 'OPERATION_TIME_LIMIT',
      error_description: 'Method is blocked due to operation time limit.',
    })
    // Other methods and other credentials keep working.
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
    expect((await request(`${emu.createWebhook().url}test.cost?seconds=1`)).status).toBe(200)
    emu.advanceTime(601)
    expect((await cost()).status).toBe(200)
    const stats = emu.getStats()
    expect(stats.responses429).toBe(1)
    expect(stats.operationLimitBlocks).toBe(1)
    expect(stats.operatingSeconds['test.cost']).toBe(17)
  })

  it('does not record calls under minimalFixTime', async () => {
    const emu = await start()
    const cheap = await request(`${emu.webhookUrl}test.cost?seconds=0.05`)
    expect(cheap.json.time.operating).toBe(0)
    expect(cheap.json.time.operating_reset_at).toBeUndefined()
    const precise = await start({ minimalFixTime: 0 })
    expect((await request(`${precise.webhookUrl}test.cost?seconds=0.05`)).json.time.operating).toBe(0.05)
  })

  it('keeps operating time per app for OAuth calls', async () => {
    const emu = await start({ operatingLimit: 1 })
    const { token } = oauthApp(emu)
    const url = `${emu.url}/rest/test.cost?seconds=2&auth=${token.accessToken}`
    expect((await request(url)).status).toBe(200)
    expect((await request(url)).status).toBe(429)
    const other = oauthApp(emu)
    expect((await request(`${emu.url}/rest/test.cost?seconds=2&auth=${other.token.accessToken}`)).status).toBe(200)
  })

  it('omits operating figures when the limiter is off', async () => {
    const emu = await start({ operatingLimit: false })
    const res = await request(`${emu.webhookUrl}test.cost?seconds=5`)
    expect(res.json.time.operating).toBeUndefined()
  })

  it('sleeps simulated time scaled down by timeScale', async () => {
    const emu = await start({ realDelays: true, timeScale: 100 })
    const started = performance.now()
    const res = await request(`${emu.webhookUrl}test.cost?seconds=5`)
    const elapsed = performance.now() - started
    // It slept (a lower bound no load can break); how close to 50 ms is measured by `npm run bench -- --only timings`.
    expect(elapsed).toBeGreaterThanOrEqual(45)
    expect(res.json.time.duration).toBeGreaterThanOrEqual(5)
  })
})
