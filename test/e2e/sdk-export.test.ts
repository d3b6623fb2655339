import { describe, expect, it } from 'vitest'
import { countRequests, usePortal, webhookClient } from './sdk-fixtures.js'

const DEALS = 12_345
const portal = usePortal({ seed: { deals: DEALS }, plan: 'standard', realDelays: false })

describe('asListFast over 12,345 deals', () => {
  it('yields each deal exactly once in at most ceil(N / 2,500) + 1 HTTP requests', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const seen = new Set<number>()
    let duplicates = 0
    const { requests } = await countRequests(emu, async () => {
      for await (const deal of client.crm.deal.list({ select: ['ID', 'TITLE'] }).asListFast()) {
        const id = Number(deal.ID)
        if (seen.has(id)) duplicates++
        seen.add(id)
      }
    })
    expect(duplicates).toBe(0)
    expect(seen.size).toBe(DEALS)
    expect(requests).toBeLessThanOrEqual(Math.ceil(DEALS / 2_500) + 1)
  })

  it('the same under injected 503s, resets and 500s', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu, {
      defaultInitialRetryDelay: 0.01,
      defaultRetryDelayIncrement: 0.01,
      defaultMaxRetries: 5,
    })
    emu.faults.inject({ method: 'batch', kind: 'http503', times: 1 })
    emu.faults.inject({ method: 'batch', kind: 'reset', probability: 0.3, times: 2 })
    emu.faults.inject({ method: 'batch', kind: 'http500', times: 1 })
    const ids: number[] = []
    for await (const deal of client.crm.deal.list({ select: ['ID'] }).asListFast()) ids.push(Number(deal.ID))
    emu.faults.clear()
    expect(ids).toHaveLength(DEALS)
    expect(new Set(ids).size).toBe(DEALS)
  })
})
