/**
 * Every way of reading a whole list returns each record exactly once — under injected 503s, 429s, 500s,
 * connection resets and an access token that expires mid-export.
 */
import { describe, expect, it } from 'vitest'
import type { Emulator } from '../../src/emulator/index.js'
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
