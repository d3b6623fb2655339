import { describe, expect, it } from 'vitest'
import { type CallContext, DEFAULT_COST_MODEL, type Params } from '../../src/emulator/kernel.js'
import { createPortal } from '../../src/emulator/methods/index.js'

type Row = Record<string, unknown>

// Behaviour only; how long each of these takes is measured by `npm run bench -- --only timings`.
describe('a portal with 1,000,000 deals', () => {
  // The generic store discovers its families from the catalogue once per process; that happens here, so the figures
  // below are the portal's own.
  createPortal({ seed: {}, costs: DEFAULT_COST_MODEL, randomSeed: 1 })
  const heapBefore = process.memoryUsage().heapUsed
  const portal = createPortal({ seed: { deals: 1_000_000 }, costs: DEFAULT_COST_MODEL, randomSeed: 1 })
  const ctx: CallContext = { userId: 1, authType: 'webhook', now: () => 1767300000, cost: () => {} }
  const call = (method: string, params: Params) => {
    const out = portal.methods.get(method)?.handler(params, ctx)
    return { out: out as { result: unknown; total?: number; next?: number } }
  }

  it('serves keyset pages (>ID, ID ASC, start=-1)', () => {
    let last = 0
    for (let i = 0; i < 20; i++) {
      const { out } = call('crm.deal.list', {
        select: ['ID', 'TITLE'],
        filter: { '>ID': 500_000 + last },
        order: { ID: 'ASC' },
        start: -1,
      })
      const rows = out.result as Row[]
      expect(rows).toHaveLength(50)
      expect(Number(rows[0].ID)).toBe(500_001 + last)
      last = Number(rows[49].ID) - 500_000
    }
  })

  it('serves ID-ordered pages in both directions, with the total counted arithmetically', () => {
    const first = call('crm.deal.list', { select: ['ID'] })
    expect(first.out.total).toBe(1_000_000)
    const desc = call('crm.deal.list', { select: ['ID'], order: { ID: 'DESC' } })
    expect((desc.out.result as Row[])[0].ID).toBe('1000000')
    const item = call('crm.item.list', { entityTypeId: 2, order: { id: 'DESC' }, filter: { '<id': 10 }, start: -1 })
    expect((item.out.result as { items: Row[] }).items.map((i) => i.id)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1])
  })

  it('keeps memory small: seeded rows are never materialised (measured before the sort test)', () => {
    const grown = (process.memoryUsage().heapUsed - heapBefore) / 1e6
    expect(grown).toBeLessThan(100)
  })

  it('sorts a million rows by TITLE', () => {
    const { out } = call('crm.deal.list', { select: ['ID', 'TITLE'], order: { TITLE: 'ASC' } })
    const rows = out.result as Row[]
    expect(rows).toHaveLength(50)
    for (let i = 1; i < rows.length; i++) {
      expect(String(rows[i - 1].TITLE).toLowerCase() <= String(rows[i].TITLE).toLowerCase()).toBe(true)
    }
    expect(out.total).toBe(1_000_000)
  }, 300_000)
})
