/**
 * changesSince() beyond the main scenario: checkpoints that don't fit, misuse of a run, versions written within
 * one second, the deletion sources, and rows the caller never received.
 */
import { describe, expect, it } from 'vitest'
import { BitrixValidationError } from '../../src/errors/index.js'
import type { DeletionSource, SyncCheckpoint, SyncRun } from '../../src/index.js'
import { countRequests, usePortal, webhookClient } from './sdk-fixtures.js'

async function drain<R>(run: SyncRun<R>): Promise<R[]> {
  const rows: R[] = []
  for await (const row of run) rows.push(row)
  return rows
}

describe('changesSince: checkpoints and misuse', () => {
  const portal = usePortal({ seed: { deals: 120, smartItems: 0, tasks: 0 }, plan: 'off', realDelays: false })

  it('refuses a checkpoint of another method, another filter or another version, before sending anything', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const first = client.crm.deal.list({ select: ['ID'] }).changesSince(null)
    await drain(first)
    const checkpoint = first.result().checkpoint
    const cases: Array<[unknown, string]> = [
      [{ ...checkpoint, version: 2 }, 'checkpoint.version'],
      [{ ...checkpoint, since: 'yesterday' }, 'checkpoint.since'],
      [{ ...checkpoint, ids: 'all of them' }, 'checkpoint.ids'],
      [{ ...checkpoint, seen: [[1, 2]] }, 'checkpoint.seen'],
    ]
    for (const [bad, parameter] of cases) {
      const { value: error, requests } = await countRequests(emu, () =>
        drain(client.crm.deal.list({ select: ['ID'] }).changesSince(bad as SyncCheckpoint)).catch((e: unknown) => e),
      )
      expect(error).toBeInstanceOf(BitrixValidationError)
      expect((error as BitrixValidationError).parameter).toBe(parameter)
      expect(requests).toBe(0)
    }
    const otherFilter = client.crm.deal.list({ select: ['ID'], filter: { STAGE_ID: 'WON' } }).changesSince(checkpoint)
    await expect(drain(otherFilter)).rejects.toThrow(/another filter/)
    const otherMethod = client.crm.lead.list({ select: ['ID'] }).changesSince(checkpoint)
    await expect(drain(otherMethod)).rejects.toThrow(/belongs to string "crm.deal.list"/)
  })

  it('sets the filter on the modification date itself, and syncs only the lists that have one', async () => {
    const client = webhookClient(portal.emu())
    const own = client.crm.deal.list({ filter: { '>=DATE_MODIFY': '2026-01-01' } }).changesSince(null)
    await expect(drain(own)).rejects.toThrow(/sets the filter on DATE_MODIFY itself/)
    const users = client.user.get({}).changesSince(null)
    await expect(drain(users)).rejects.toBeInstanceOf(BitrixValidationError)
  })

  it('gives its result only once every row was read, and is read once', async () => {
    const client = webhookClient(portal.emu())
    const run = client.crm.deal.list({ select: ['ID'] }).changesSince(null)
    expect(() => run.result()).toThrow(/has not finished/)
    for await (const _ of run) break
    expect(() => run.result()).toThrow(/has not finished/)
    expect(() => run[Symbol.asyncIterator]()).toThrow(/read once/)
  })
})

describe('changesSince: versions written within one second', () => {
  // Emulator time all but stopped: every write of the test lands in the same second.
  const portal = usePortal({
    seed: { deals: 60, smartItems: 0, tasks: 0 },
    plan: 'off',
    realDelays: false,
    timeScale: 1e-6,
  })

  it('delivers a row changed again in the same second, and never the same version twice', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const list = (checkpoint: SyncCheckpoint | null) =>
      client.crm.deal.list({ select: ['ID', 'TITLE'] }).changesSince(checkpoint)
    const first = list(null)
    expect(await drain(first)).toHaveLength(60)

    await client.crm.deal.update({ id: 5, fields: { TITLE: 'first' } })
    const second = list(first.result().checkpoint)
    expect((await drain(second)).map((deal) => [deal.ID, deal.TITLE])).toEqual([['5', 'first']])

    await client.crm.deal.update({ id: 5, fields: { TITLE: 'second' } })
    const third = list(second.result().checkpoint)
    expect((await drain(third)).map((deal) => [deal.ID, deal.TITLE])).toEqual([['5', 'second']])

    // The same second, read again: nothing new.
    const fourth = list(third.result().checkpoint)
    expect(await drain(fourth)).toEqual([])
    expect(fourth.result().checkpoint.since).toBe(third.result().checkpoint.since)
  })
})

describe('changesSince: deletion sources', () => {
  const portal = usePortal({ seed: { deals: 200, smartItems: 0, tasks: 0 }, plan: 'off', realDelays: false })

  it("'none' keeps no IDs and reports none; a DeletionSource's IDs are reported as they come, without an ID scan", async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const request = client.crm.deal.list({ select: ['ID'], filter: { '<ID': 150 } })
    const plain = request.changesSince(null, { deletions: 'none' })
    expect(await drain(plain)).toHaveLength(149)
    expect(plain.result().checkpoint.ids).toBeUndefined()
    await client.crm.deal.delete({ id: 7 })
    const after = request.changesSince(plain.result().checkpoint, { deletions: 'none' })
    await drain(after)
    expect(after.result().deleted).toEqual([])

    const events: DeletionSource = { deletedIds: async () => [9, 7, 9] }
    const { value: withEvents, requests } = await countRequests(emu, async () => {
      const run = request.changesSince(after.result().checkpoint, { deletions: events })
      await drain(run)
      return run.result()
    })
    expect(withEvents.deleted).toEqual([7, 9])
    expect(withEvents.idScan).toBe(false)
    expect(requests).toBe(1)
  })

  it('the ID diff finds rows the caller never received (a checkpoint missing IDs) and delivers them', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const request = client.crm.deal.list({ select: ['ID', 'TITLE'], filter: { '>ID': 150 } })
    const first = request.changesSince(null)
    expect(await drain(first)).toHaveLength(50)
    const checkpoint = first.result().checkpoint
    expect(checkpoint.ids).toBe('151-200')
    const missing = { ...checkpoint, ids: '151-160,163-200' }
    const run = request.changesSince(missing)
    expect((await drain(run)).map((deal) => Number(deal.ID))).toEqual([161, 162])
    expect(run.result().idScan).toBe(true)
    expect(run.result().checkpoint.ids).toBe('151-200')
  })
})
