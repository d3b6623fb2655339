import { describe, expect, it } from 'vitest'
import { BitrixAPIError, BitrixRequestError } from '../../src/errors/index.js'
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
    for (const outcome of failed) expect(outcome.ok ? undefined : outcome.error).toBeInstanceOf(BitrixRequestError)
    const created = await dealsTitled('bulk-d-')
    expect(created).toBeGreaterThanOrEqual(70)
    expect(created).toBeLessThanOrEqual(120)
  })
})
