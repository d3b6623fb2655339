/**
 * Every way of reading a whole list returns each record exactly once — under injected 503s, 429s, 500s,
 * connection resets and an access token that expires mid-export.
 */
import { describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { type AsListFastOptions, type AsListOptions, Client } from '../../src/index.js'
import { countRequests, limitsOf, oauthToken, usePortal, webhookClient } from './sdk-fixtures.js'

const DEALS = 3_210
const portal = usePortal({ seed: { deals: DEALS }, plan: 'off', realDelays: false })
const retryFast = { defaultInitialRetryDelay: 0.005, defaultRetryDelayIncrement: 0.005, defaultMaxRetries: 6 }

function injectTrouble(emu: Emulator): void {
  emu.faults.inject({ method: 'batch', kind: 'http503', times: 2 })
  emu.faults.inject({ method: 'batch', kind: 'http429', times: 1 })
  emu.faults.inject({ method: 'batch', kind: 'http500', times: 1 })
  emu.faults.inject({ method: 'batch', kind: 'reset', times: 1 })
  emu.faults.inject({ method: 'crm.deal.list', kind: 'http503', times: 1 })
}

async function collect(source: AsyncIterable<{ ID?: string | null }> | Promise<Array<{ ID?: string | null }>>) {
  const ids: number[] = []
  if (Symbol.asyncIterator in source) for await (const row of source) ids.push(Number(row.ID))
  else for (const row of await source) ids.push(Number(row.ID))
  return ids
}

function expectExact(ids: number[], expected: number): void {
  expect(new Set(ids).size).toBe(ids.length)
  expect(ids).toHaveLength(expected)
}

const asListCases: Array<[string, Record<string, unknown>, AsListOptions]> = [
  ['offsets (order by TITLE)', { order: { TITLE: 'ASC' } }, {}],
  ['keyset (no order)', {}, {}],
  ['keyset (order by ID DESC)', { order: { ID: 'DESC' } }, {}],
  ['forced offsets', {}, { strategy: 'offsets' }],
]

const fastCases: Array<[string, AsListFastOptions]> = [
  ['ascending', {}],
  ['descending', { descending: true }],
  ['3 ranges in parallel', { concurrency: 3 }],
  ['3 ranges, descending', { concurrency: 3, descending: true }],
]

describe('asList strategies under faults', () => {
  it.each(asListCases)('%s', async (_name, order, options) => {
    const emu = portal.emu()
    const client = webhookClient(emu, retryFast)
    injectTrouble(emu)
    const ids = await collect(client.crm.deal.list({ select: ['ID'], ...order }).asList(options))
    emu.faults.clear()
    expectExact(ids, DEALS)
  })

  it('ID chunks for an @ID filter: 2,500 IDs per request', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu, retryFast)
    const wanted = Array.from({ length: 2_600 }, (_, i) => i * 1 + 300)
    injectTrouble(emu)
    const { value: ids, requests } = await countRequests(emu, () =>
      collect(client.crm.deal.list({ select: ['ID'], filter: { '@ID': wanted } }).asList()),
    )
    emu.faults.clear()
    expectExact(ids, wanted.length)
    expect(new Set(ids)).toEqual(new Set(wanted))
    expect(requests).toBeLessThanOrEqual(2 + 6)
  })
  it.each([
    ['TITLE', { TITLE: 'ASC' }],
    ['ID DESC', { ID: 'DESC' }],
  ] as const)('ID chunks come back in the order asked for (%s)', async (_name, order) => {
    const client = webhookClient(portal.emu())
    const wanted = Array.from({ length: 300 }, (_, i) => 3_000 - i * 7)
    const call = () => client.crm.deal.list({ select: ['ID'], filter: { '@ID': wanted }, order })
    const byServer = await collect(call().asList({ strategy: 'offsets' }))
    const byChunks = await collect(call().asList())
    expectExact(byChunks, wanted.length)
    expect(byChunks).toEqual(byServer)
  })
})

describe('asListFast under faults', () => {
  it.each(fastCases)('%s', async (_name, options) => {
    const emu = portal.emu()
    const client = webhookClient(emu, retryFast)
    injectTrouble(emu)
    const ids = await collect(client.crm.deal.list({ select: ['ID'] }).asListFast(options))
    emu.faults.clear()
    expectExact(ids, DEALS)
    if (!options.concurrency) {
      const sorted = [...ids].sort((a, b) => (options.descending ? b - a : a - b))
      expect(ids).toEqual(sorted)
    }
  })

  it('survives an access token that expires mid-export', async () => {
    const emu = portal.emu()
    const { token } = oauthToken(emu)
    const client = new Client(token, { ...limitsOf(emu), ...retryFast })
    const ids: number[] = []
    for await (const deal of client.crm.deal.list({ select: ['ID'] }).asListFast()) {
      ids.push(Number(deal.ID))
      if (ids.length === 2_600) emu.expireTokens()
    }
    expectExact(ids, DEALS)
  })

  it('stops at a limit and resumes after the last ID', async () => {
    const client = webhookClient(portal.emu())
    const first = await collect(client.crm.deal.list({ select: ['ID'] }).asListFast({ limit: 1_234 }))
    const rest = await collect(client.crm.deal.list({ select: ['ID'] }).asListFast({ after: first.at(-1) }))
    expectExact([...first, ...rest], DEALS)
  })

  it('is cancelled by an AbortSignal', async () => {
    const client = webhookClient(portal.emu())
    const controller = new AbortController()
    const ids: number[] = []
    const reading = (async () => {
      for await (const deal of client.crm.deal.list({ select: ['ID'] }).asListFast({ signal: controller.signal })) {
        ids.push(Number(deal.ID))
        if (ids.length === 100) controller.abort()
      }
    })()
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' })
    expect(ids).toHaveLength(100)
  })
})

/**
 * Issue 8, item 16: 30,000 deals ordered by TITLE. Offset pages sorted by TITLE make the portal sort the table
 * once per page (~0.6–0.9 s of server time each, 600 pages); the portal cuts a request at 60 s and a method
 * at 480 s per 10 minutes. The emulator charges the same; timeScale keeps the wall time short.
 */
describe('30,000 deals ordered by TITLE', () => {
  const BIG = 30_000
  const big = usePortal({ seed: { deals: BIG }, timeScale: 200 })
  const titleOrder = { order: { TITLE: 'ASC' as const }, select: ['ID' as const] }

  /** Records the server time of every batch the client sends, from the replies as they come over HTTP. */
  function batchTimes(): { fetch: typeof fetch; seconds: number[] } {
    const seconds: number[] = []
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init)
      if (String(input).includes('/batch')) {
        const body = (await response.clone().json()) as { time?: { processing?: number } }
        seconds.push(Number(body.time?.processing ?? 0))
      }
      return response
    }
    return { fetch: recording, seconds }
  }

  it('asList() returns every deal once, in the server order, within the limits', async () => {
    const emu = big.emu()
    const client = webhookClient(emu)
    const before = emu.getStats().operatingSeconds['crm.deal.list'] ?? 0
    const { value: rows, requests } = await countRequests(emu, () => client.crm.deal.list(titleOrder).asList())
    const serverSeconds = (emu.getStats().operatingSeconds['crm.deal.list'] ?? 0) - before
    const ids = rows.map((row) => Number(row.ID))
    expectExact(ids, BIG)
    // The select is the caller's: the TITLE read for sorting is not left in the rows.
    expect(Object.keys(rows[0])).toEqual(['ID'])
    // The order is the portal's own: compare with its pages at the start, the middle and the end.
    for (const start of [0, 14_950, 29_950]) {
      const page = await client.crm.deal.list({ ...titleOrder, start })
      expect(ids.slice(start, start + 50)).toEqual(page.result.map((row) => Number(row.ID)))
    }
    expect(requests).toBeLessThanOrEqual(Math.ceil(BIG / 2_500) + 2)
    // Offsets by TITLE would spend over 400 s here, near the method's 480 s budget.
    expect(serverSeconds).toBeLessThan(30)
  }, 120_000)

  it("asList({ strategy: 'offsets' }) sizes each batch to stay well inside the 60 s cut", async () => {
    // Pages made as slow as 30,000 deals sorted by TITLE (~1 s each) on a smaller table: no limits, no sleeping.
    const DEALS_SLOW = 3_000
    const emu = await startEmulator({
      seed: { deals: DEALS_SLOW },
      randomSeed: 1,
      plan: 'off',
      operatingLimit: false,
      realDelays: false,
      costs: { countPerThousandRows: 0.3 },
    })
    try {
      const recorder = batchTimes()
      const client = webhookClient(emu, { fetch: recorder.fetch })
      const rows = await client.crm.deal.list(titleOrder).asList({ strategy: 'offsets' })
      expectExact(
        rows.map((row) => Number(row.ID)),
        DEALS_SLOW,
      )
      // 50 pages per batch, as before, would take about 45 s of server time each.
      expect(recorder.seconds.length).toBeGreaterThan(1)
      expect(Math.max(...recorder.seconds)).toBeLessThan(30)
    } finally {
      await emu.close()
    }
  }, 60_000)
})
