import { describe, expect, it } from 'vitest'
import { BitrixAPIError, BitrixRequestError, BitrixValidationError } from '../../src/errors/index.js'
import { ref } from '../../src/index.js'
import type { BatchCommand } from '../../src/requests/batch.js'
import { countRequests, usePortal, webhookClient } from './sdk-fixtures.js'

const portal = usePortal({ seed: { deals: 50 }, plan: 'off', realDelays: false })
const retryFast = { defaultInitialRetryDelay: 0.005, defaultRetryDelayIncrement: 0.005 }

async function dealsTitled(marker: string): Promise<number> {
  const client = webhookClient(portal.emu())
  const rows = await client.crm.deal.list({ select: ['ID'], filter: { '%TITLE': marker } }).asList()
  return rows.length
}

describe('callMany: bulk writes', () => {
  it('packs 523 adds into ceil(523 / 50) requests and reports each result in input order', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const titles = Array.from({ length: 523 }, (_, i) => `bulk-a-${i}`)
    const { value: outcomes, requests } = await countRequests(emu, () =>
      client.callMany(titles.map((TITLE) => client.crm.deal.add({ fields: { TITLE } }))),
    )
    expect(requests).toBe(Math.ceil(523 / 50))
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true)
    const ids = outcomes.map((outcome) => (outcome.ok ? Number(outcome.result) : 0))
    const check = await client.callBatch([client.crm.deal.get({ id: ids[0] }), client.crm.deal.get({ id: ids[522] })])
    expect(check.result.result[0]?.TITLE).toBe('bulk-a-0')
    expect(check.result.result[1]?.TITLE).toBe('bulk-a-522')
  })

  /** Adds `n` deals with callMany while the first batch waits 300 ms before the portal runs it; the IDs, in input order. */
  async function idsWithSlowFirstBatch(marker: string, n: number, options: { concurrency?: number } = {}) {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const slow = emu.faults.inject({ method: 'batch', kind: 'slow', delayMs: 300, times: 1 })
    const outcomes = await client.callMany(
      Array.from({ length: n }, (_, i) => client.crm.deal.add({ fields: { TITLE: `${marker}-${i}` } })),
      options,
    )
    slow.remove()
    expect(slow.hits).toBe(1)
    return outcomes.map((outcome) => (outcome.ok ? Number(outcome.result) : Number.NaN))
  }

  it('applies writes in input order by default, even when the first batch is slow to reach the portal', async () => {
    const ids = await idsWithSlowFirstBatch('bulk-order', 150)
    expect(ids.every(Number.isInteger)).toBe(true)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
  })

  it('with concurrency 2, batches race: the documented caveat holds (a slow first batch is overtaken)', async () => {
    const ids = await idsWithSlowFirstBatch('bulk-race', 100, { concurrency: 2 })
    expect(ids.every(Number.isInteger)).toBe(true)
    // Outcomes stay in input order; the portal applied the second batch first.
    expect(ids[50]).toBeLessThan(ids[0])
  })

  it('keeps per-item errors beside the successes', async () => {
    const client = webhookClient(portal.emu())
    const outcomes = await client.callMany([
      client.crm.deal.update({ id: 1, fields: { TITLE: 'bulk-b-ok' } }),
      client.crm.deal.update({ id: 99_999_999, fields: { TITLE: 'nope' } }),
      client.crm.deal.delete({ id: 99_999_998 }),
      client.crm.deal.update({ id: 2, fields: { TITLE: 'bulk-b-ok' } }),
    ])
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, false, true])
    expect(outcomes[1].ok ? undefined : outcomes[1].error).toBeInstanceOf(BitrixAPIError)
    // The portal answered these errors itself: the writes were certainly not applied.
    expect(outcomes[1].ok ? undefined : outcomes[1].unknown).toBe(false)
  })

  it('re-sends a batch the portal refused (503) and writes nothing twice', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu, retryFast)
    emu.faults.inject({ method: 'batch', kind: 'http503', times: 3 })
    const outcomes = await client.callMany(
      Array.from({ length: 260 }, (_, i) => client.crm.deal.add({ fields: { TITLE: `bulk-c-${i}` } })),
      { concurrency: 2 },
    )
    emu.faults.clear()
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(260)
    expect(await dealsTitled('bulk-c-')).toBe(260)
  })

  it('does not re-send a batch whose fate is unknown; its items report the error', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu, retryFast)
    emu.faults.inject({ method: 'batch', kind: 'reset', times: 1 })
    const outcomes = await client.callMany(
      Array.from({ length: 120 }, (_, i) => client.crm.deal.add({ fields: { TITLE: `bulk-d-${i}` } })),
    )
    emu.faults.clear()
    const failed = outcomes.filter((outcome) => !outcome.ok)
    expect(failed).toHaveLength(50)
    for (const outcome of failed) {
      expect(outcome.ok ? undefined : outcome.error).toBeInstanceOf(BitrixRequestError)
      expect(outcome.ok ? undefined : outcome.unknown).toBe(true)
    }
    const created = await dealsTitled('bulk-d-')
    expect(created).toBeGreaterThanOrEqual(70)
    expect(created).toBeLessThanOrEqual(120)
  })
})

describe('callBatches and callMany keep a command with the commands it references', () => {
  it('49 reads, an add and a get of the added deal: the add moves to the batch of its get, the ID is not lost', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const reads = Array.from({ length: 49 }, (_, i) => client.crm.deal.get({ id: (i % 50) + 1 }))
    const add = client.crm.deal.add({ fields: { TITLE: 'plan-e' } })
    const get = client.crm.deal.get({ id: ref(add) })
    const { value: batch, requests } = await countRequests(emu, () => client.callBatches([...reads, add, get]))
    const deals = batch.result as Array<{ ID?: string; TITLE?: string } | undefined>
    expect(requests).toBe(2)
    expect(Object.keys(batch.resultError)).toEqual([])
    expect(deals[48]?.ID).toBe('49')
    const id = batch.result[49]
    expect(Number(id)).toBeGreaterThan(0)
    expect(deals[50]?.ID).toBe(String(id))
    expect(deals[50]?.TITLE).toBe('plan-e')
  })

  it('refuses before the first request a reference to a command not in the call, or a later one', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const outside = client.crm.deal.add({ fields: { TITLE: 'plan-f' } })
    const reads = Array.from({ length: 60 }, () => client.crm.deal.get({ id: 1 }))
    const { value: error, requests } = await countRequests(emu, () =>
      client.callBatches([...reads, client.crm.deal.get({ id: ref(outside) })]).catch((e: unknown) => e),
    )
    expect(error).toBeInstanceOf(BitrixValidationError)
    expect((error as Error).message).toMatch(/crm\.deal\.add request that is not among the commands/)
    expect(requests).toBe(0)
    const later = client.crm.deal.add({ fields: { TITLE: 'plan-g' } })
    const forward = await client
      .callBatch({ get: client.crm.deal.get({ id: ref(later) }), later })
      .catch((e: unknown) => e)
    expect(forward).toBeInstanceOf(BitrixValidationError)
    expect(await dealsTitled('plan-f')).toBe(0)
    expect(await dealsTitled('plan-g')).toBe(0)
  })

  it('refuses a chain of references longer than one batch before sending anything', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const first = client.crm.deal.add({ fields: { TITLE: 'plan-h' } })
    const chain: BatchCommand[] = [first]
    for (let i = 0; i < 50; i++) chain.push(client.crm.deal.update({ id: ref(first), fields: { TITLE: `plan-h${i}` } }))
    const { value: error, requests } = await countRequests(emu, () =>
      client.callBatches(chain).catch((e: unknown) => e),
    )
    expect(error).toBeInstanceOf(BitrixValidationError)
    expect((error as Error).message).toMatch(/chain of 51 commands/)
    expect(requests).toBe(0)
  })

  it('callMany sends an add and the update that references it in one batch', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const writes = Array.from({ length: 49 }, (_, i) => client.crm.deal.add({ fields: { TITLE: `plan-i-${i}` } }))
    const add = client.crm.deal.add({ fields: { TITLE: 'plan-j' } })
    const update = client.crm.deal.update({ id: ref(add), fields: { TITLE: 'plan-j-updated' } })
    const outcomes = await client.callMany([...writes, add, update])
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true)
    const id = outcomes[49].ok ? Number(outcomes[49].result) : 0
    expect((await client.crm.deal.get({ id })).result.TITLE).toBe('plan-j-updated')
  })
})
