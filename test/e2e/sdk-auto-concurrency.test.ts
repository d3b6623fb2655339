/**
 * `asListFast({ concurrency: 'auto' })` against the emulator: as many ID ranges at once as keep the method's
 * operating time under the share asked for, re-chosen from the figures the portal reports; zero 429s. Pages here
 * cost 0.205 s of server time (over the 0.1 s the portal records), so a 60,000-deal read spends about 246 s of a
 * 400 s limit; the share (0.5) is reached part way through and the reader goes on with one range.
 */
import { describe, expect, it } from 'vitest'
import { BitrixValidationError } from '../../src/errors/index.js'
import { BitrixWebhook, Client, RateLimiter } from '../../src/index.js'
import { autoConcurrency } from '../../src/requests/list-auto.js'
import { usePortal } from './sdk-fixtures.js'

const LIMIT = 400
const DEALS = 60_000
const portal = usePortal({
  seed: { deals: DEALS },
  plan: 'standard',
  realDelays: false,
  operatingLimit: LIMIT,
  costs: { base: 0.005, perRow: 0.004 },
})

describe("asListFast({ concurrency: 'auto' })", () => {
  it('adapts the number of ranges to the operating budget, reads every row once, and gets no 429', async () => {
    const emu = portal.emu()
    const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), {
      limiter: new RateLimiter({ plan: 'standard', operatingLimit: LIMIT }),
    })
    emu.resetStats()
    const chosen: number[] = []
    const seen = new Uint8Array(DEALS + 1)
    let rows = 0
    const stream = client.crm.deal
      .list({ select: ['ID'] })
      .asListFast({ concurrency: 'auto', operatingShare: 0.5, onConcurrency: (n) => chosen.push(n) })
    for await (const row of stream) {
      rows++
      seen[Number(row.ID)]++
    }
    const stats = emu.getStats()
    expect(rows).toBe(DEALS)
    expect(seen.subarray(1).every((count) => count === 1)).toBe(true)
    expect(stats.responses429).toBe(0)
    expect(stats.operationLimitBlocks).toBe(0)
    // Several ranges while the budget is fresh, then fewer, and one once the share is used up.
    expect(Math.max(...chosen)).toBeGreaterThan(1)
    expect(chosen[chosen.length - 1]).toBe(1)
    // Past the share the read went on with one range, paced by the limiter: never at the portal's limit.
    expect(stats.operatingSeconds['crm.deal.list']).toBeGreaterThan(LIMIT * 0.5)
    expect(stats.operatingSeconds['crm.deal.list']).toBeLessThan(LIMIT * 0.9)
  })

  it('refuses a share outside (0, 1] before sending anything', async () => {
    const emu = portal.emu()
    const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), { limiter: false })
    emu.resetStats()
    const read = async () => {
      for await (const _ of client.crm.deal.list({}).asListFast({ concurrency: 'auto', operatingShare: 1.5 })) break
    }
    await expect(read()).rejects.toBeInstanceOf(BitrixValidationError)
  })
})

describe('autoConcurrency', () => {
  const base = { limit: 480, share: 0.5, max: 8 }
  it('starts with one range, widens with headroom, narrows as the budget fills', () => {
    expect(autoConcurrency({ ...base, operating: 0, pageCost: undefined })).toBe(1)
    expect(autoConcurrency({ ...base, operating: 0, pageCost: 0.0685 })).toBe(8)
    expect(autoConcurrency({ ...base, operating: 200, pageCost: 0.2 })).toBe(2)
    expect(autoConcurrency({ ...base, operating: 239, pageCost: 0.2 })).toBe(1)
    expect(autoConcurrency({ ...base, operating: 400, pageCost: 0.2 })).toBe(1)
  })
})
