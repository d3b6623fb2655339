/**
 * Incremental sync against the emulator: a first run reads everything; a second run, while another client
 * changes, deletes and adds rows between its pages, returns exactly the changed and added rows (each once, with
 * their new values) and the deleted IDs; a third run with nothing changed reads nothing in one request.
 */
import { describe, expect, it } from 'vitest'
import { usePortal, webhookClient } from './sdk-fixtures.js'
import { dealScenario, type Load, threeRuns } from './sync-fixtures.js'

describe('crm.deal.list changesSince over 10,000 deals', () => {
  const portal = usePortal({ seed: { deals: 10_000, smartItems: 0, tasks: 0 }, plan: 'off', realDelays: false })

  it('second run with 500 changed, 100 deleted, 200 added while it reads: exactly those; third run: one request', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const w = webhookClient(emu)
    const checkpoint = await threeRuns(
      emu,
      w,
      { rows: 10_000, changed: 500, deleted: 100, added: 200, chunk: 40, every: 20 },
      dealScenario(client, w),
    )
    expect(checkpoint.since).toMatch(/\+02:00$/)
  }, 120_000)
})

const SMALL: Load = { rows: 300, changed: 40, deleted: 10, added: 20, chunk: 7, every: 3 }

describe('changesSince on a smart process and on tasks, in a portal at UTC−05:00', () => {
  const portal = usePortal({
    seed: { deals: 0, smartItems: 300, tasks: 300, users: 5 },
    plan: 'off',
    realDelays: false,
    timezoneOffsetMinutes: -300,
  })

  it('crm.item.list (entityTypeId 128, camelCase updatedTime and id)', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const w = webhookClient(emu)
    const list = () => client.crm.item.list({ entityTypeId: 128, select: ['id', 'title'] })
    const checkpoint = await threeRuns(emu, w, SMALL, {
      run: (checkpoint) => list().changesSince(checkpoint),
      id: (item) => Number(item.id),
      title: (item) => item.title,
      change: (id) => w.crm.item.update({ entityTypeId: 128, id, fields: { title: `changed ${id}` } }),
      remove: (id) => w.crm.item.delete({ entityTypeId: 128, id }),
      add: (n) => w.crm.item.add({ entityTypeId: 128, fields: { title: `added ${n}` } }),
      addedId: (result) => (result as { item?: { id?: number } }).item?.id,
    })
    expect(checkpoint.method).toBe('crm.item.list')
    expect(checkpoint.since).toMatch(/-05:00$/)
  })

  it('tasks.task.list (CHANGED_DATE in the filter, changedDate and id in result.tasks)', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const w = webhookClient(emu)
    const list = () => client.tasks.task.list({ select: ['ID', 'TITLE'] })
    const checkpoint = await threeRuns(emu, w, SMALL, {
      run: (checkpoint) => list().changesSince(checkpoint),
      id: (task) => Number(task.id),
      title: (task) => task.title,
      change: (id) => w.tasks.task.update({ taskId: id, fields: { TITLE: `changed ${id}` } }),
      remove: (id) => w.tasks.task.delete({ taskId: id }),
      add: (n) => w.tasks.task.add({ fields: { TITLE: `added ${n}`, RESPONSIBLE_ID: 1 } }),
      addedId: (result) => {
        const id = (result as { task?: { id?: unknown } }).task?.id
        return id === undefined ? undefined : Number(id)
      },
    })
    expect(checkpoint.since).toMatch(/-05:00$/)
  })
})
