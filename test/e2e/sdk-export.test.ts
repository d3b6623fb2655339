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

  it('sends no page past the end: list sub-calls = pages of rows + the end probe + the final check', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const before = emu.getStats().calls['crm.deal.list'] ?? 0
    let rows = 0
    for await (const _deal of client.crm.deal.list({ select: ['ID'] }).asListFast()) rows++
    const subCalls = (emu.getStats().calls['crm.deal.list'] ?? 0) - before
    expect(rows).toBe(DEALS)
    expect(subCalls).toBeLessThanOrEqual(Math.ceil(DEALS / 50) + 2)
  })

  it('respects an upper bound of the caller, in both directions, without overrunning it', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    for (const descending of [false, true]) {
      const before = emu.getStats().calls['crm.deal.list'] ?? 0
      const ids: number[] = []
      const filter = { '<ID': 5_001, '>=ID': 1_001 }
      for await (const deal of client.crm.deal.list({ select: ['ID'], filter }).asListFast({ descending })) {
        ids.push(Number(deal.ID))
      }
      const subCalls = (emu.getStats().calls['crm.deal.list'] ?? 0) - before
      expect(ids).toHaveLength(4_000)
      expect(Math.min(...ids)).toBe(1_001)
      expect(Math.max(...ids)).toBe(5_000)
      expect(subCalls).toBeLessThanOrEqual(4_000 / 50 + 2)
    }
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

describe('asListFast while deals are being created', () => {
  const busy = usePortal({ seed: { deals: DEALS }, plan: 'standard', realDelays: false })

  it('picks up deals created while the export runs, each once', async () => {
    const emu = busy.emu()
    const client = webhookClient(emu)
    const ids: number[] = []
    let created: number[] = []
    for await (const deal of client.crm.deal.list({ select: ['ID'] }).asListFast()) {
      ids.push(Number(deal.ID))
      if (ids.length === 3_000) {
        const outcomes = await client.callMany(
          Array.from({ length: 60 }, (_, i) => client.crm.deal.add({ fields: { TITLE: `late ${i}` } })),
        )
        created = outcomes.map((outcome) => (outcome.ok ? Number(outcome.result) : 0))
      }
    }
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of created) expect(ids).toContain(id)
  })
})
