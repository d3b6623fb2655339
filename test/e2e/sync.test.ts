/**
 * Incremental sync against the emulator: a first run reads everything; a second run, while another client
 * changes, deletes and adds rows between its pages, returns exactly the changed and added rows (each once, with
 * their new values) and the deleted IDs; a third run with nothing changed reads nothing in one request.
 */
import { describe, expect, it } from 'vitest'
import type { Emulator } from '../../src/emulator/index.js'
import type { Client, SyncCheckpoint, SyncResult } from '../../src/index.js'
import type { BatchCommand } from '../../src/requests/batch.js'
import { countRequests, usePortal, webhookClient } from './sdk-fixtures.js'

/** Write operations applied a chunk at a time by a second client, driven from the sync's loop. */
class Writer {
  readonly #chunks: Array<() => Array<[Write, BatchCommand]>>
  readonly added: number[] = []
  #next = 0

  constructor(
    private readonly client: Client,
    chunks: Array<() => Array<[Write, BatchCommand]>>,
    private readonly addedId: (result: unknown) => number | undefined,
  ) {
    this.#chunks = chunks
  }

  get done(): boolean {
    return this.#next >= this.#chunks.length
  }

  /** Applies the next chunk, if any, and waits for it. */
  async step(): Promise<void> {
    if (this.done) return
    const chunk = this.#chunks[this.#next++]()
    const outcomes = await this.client.callMany(
      chunk.map(([, command]) => command),
      { concurrency: 1 },
    )
    outcomes.forEach((outcome, index) => {
      if (!outcome.ok) throw outcome.error
      const id = chunk[index][0].kind === 'add' ? this.addedId(outcome.result) : undefined
      if (id !== undefined) this.added.push(id)
    })
  }
}

/** Splits writes into chunks of `size`, each built when it is applied. */
function chunked(
  items: readonly Write[],
  size: number,
  build: (item: Write) => BatchCommand,
): Array<() => Array<[Write, BatchCommand]>> {
  const chunks: Array<() => Array<[Write, BatchCommand]>> = []
  for (let index = 0; index < items.length; index += size) {
    const part = items.slice(index, index + size)
    chunks.push(() => part.map((item) => [item, build(item)]))
  }
  return chunks
}

/** Interleaves lists: a, b, c, a, b, c, … (so every chunk mixes changes, deletions and additions). */
function interleave<T>(...lists: T[][]): T[] {
  const out: T[] = []
  for (let index = 0; lists.some((list) => index < list.length); index++) {
    for (const list of lists) if (index < list.length) out.push(list[index])
  }
  return out
}

type Write = { kind: 'change'; id: number } | { kind: 'delete'; id: number } | { kind: 'add'; n: number }

/** Reads one run: the rows by ID, counting versions, with `between` awaited every `every` rows. */
async function readRun<R>(
  run: AsyncIterable<R> & { result(): SyncResult },
  id: (row: R) => number,
  between?: { every: number; step: () => Promise<void> },
): Promise<{ rows: Map<number, R>; versions: number; result: SyncResult }> {
  const rows = new Map<number, R>()
  let versions = 0
  for await (const row of run) {
    rows.set(id(row), row)
    versions++
    if (between && versions % between.every === 0) await between.step()
  }
  return { rows, versions, result: run.result() }
}

/** A checkpoint as it comes back from storage. */
function stored(checkpoint: SyncCheckpoint): SyncCheckpoint {
  return JSON.parse(JSON.stringify(checkpoint)) as SyncCheckpoint
}

/** One list under test: how to read it and how a second client writes to it. */
interface Scenario<R> {
  run: (checkpoint: SyncCheckpoint | null) => AsyncIterable<R> & { result(): SyncResult }
  id: (row: R) => number
  title: (row: R) => unknown
  change: (id: number) => BatchCommand
  remove: (id: number) => BatchCommand
  add: (n: number) => BatchCommand
  addedId: (result: unknown) => number | undefined
}

/** How many rows there are, and how many are changed, deleted and added (in chunks) while the second run reads. */
interface Load {
  rows: number
  changed: number
  deleted: number
  added: number
  /** Writes per chunk; a chunk goes in as the run starts, then one every `every` rows it yields. */
  chunk: number
  every: number
}

/**
 * First run: every row. Second run, while `load` writes land between its pages: exactly the changed and added
 * rows, each once with its new values, and the deleted IDs. Third run, nothing changed: no row, one request.
 */
async function threeRuns<R>(emu: Emulator, writerClient: Client, load: Load, s: Scenario<R>) {
  const first = await readRun(s.run(null), s.id)
  expect(first.rows.size).toBe(load.rows)
  expect(first.versions).toBe(load.rows)
  expect(first.result.deleted).toEqual([])

  // Disjoint sets of seeded rows (even IDs changed, odd IDs deleted), spread over the whole ID range.
  const changeStep = Math.floor(load.rows / load.changed / 2) * 2
  const deleteStep = Math.floor(load.rows / load.deleted / 2) * 2
  const changed = Array.from({ length: load.changed }, (_, index) => 2 + index * changeStep)
  const deleted = Array.from({ length: load.deleted }, (_, index) => 3 + index * deleteStep)
  const writes = interleave<Write>(
    changed.map((id) => ({ kind: 'change', id })),
    deleted.map((id) => ({ kind: 'delete', id })),
    Array.from({ length: load.added }, (_, n) => ({ kind: 'add', n })),
  )
  const writer = new Writer(
    writerClient,
    chunked(writes, load.chunk, (write) =>
      write.kind === 'change' ? s.change(write.id) : write.kind === 'delete' ? s.remove(write.id) : s.add(write.n),
    ),
    s.addedId,
  )
  const run = s.run(stored(first.result.checkpoint))
  await writer.step()
  const second = await readRun(run, s.id, { every: load.every, step: () => writer.step() })
  expect(writer.done).toBe(true)
  expect(writer.added).toHaveLength(load.added)
  const expected = [...changed, ...writer.added].sort((a, b) => a - b)
  expect([...second.rows.keys()].sort((a, b) => a - b)).toEqual(expected)
  expect(second.versions).toBe(expected.length)
  for (const id of changed) expect(s.title(second.rows.get(id) as R)).toBe(`changed ${id}`)
  expect(second.result.deleted).toEqual(deleted)

  const { value: third, requests } = await countRequests(emu, () =>
    readRun(s.run(stored(second.result.checkpoint)), s.id),
  )
  expect(third.versions).toBe(0)
  expect(third.result.deleted).toEqual([])
  expect(requests).toBeLessThanOrEqual(1)
  return second.result.checkpoint
}

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
      {
        run: (checkpoint) => client.crm.deal.list({ select: ['ID', 'TITLE'] }).changesSince(checkpoint),
        id: (deal) => Number(deal.ID),
        title: (deal) => deal.TITLE,
        change: (id) => w.crm.deal.update({ id, fields: { TITLE: `changed ${id}` } }),
        remove: (id) => w.crm.deal.delete({ id }),
        add: (n) => w.crm.deal.add({ fields: { TITLE: `added ${n}` } }),
        addedId: (result) => (typeof result === 'number' ? result : undefined),
      },
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
