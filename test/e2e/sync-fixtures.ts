/** The incremental-sync scenario shared by the e2e and reliability tests: three runs with writes during the second. */
import { expect } from 'vitest'
import type { Emulator } from '../../src/emulator/index.js'
import type { Client, SyncCheckpoint, SyncResult } from '../../src/index.js'
import type { Deal } from '../../src/methods/generated/entities.js'
import type { BatchCommand } from '../../src/requests/batch.js'
import { countRequests } from './sdk-fixtures.js'

/** A write the scenario makes: batched by `callMany`, or awaited on its own. */
export type WriteCommand = BatchCommand & PromiseLike<{ result: unknown }>

/** Write operations applied a chunk at a time by a second client, driven from the sync's loop. */
export class Writer {
  readonly #chunks: Array<() => Array<[Write, WriteCommand]>>
  readonly added: number[] = []
  #next = 0

  constructor(
    private readonly client: Client,
    chunks: Array<() => Array<[Write, WriteCommand]>>,
    private readonly addedId: (result: unknown) => number | undefined,
    /** Send each write on its own request instead of 50 per batch (so faults injected on `batch` miss them). */
    private readonly oneByOne = false,
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
    const results: unknown[] = []
    if (this.oneByOne) for (const [, command] of chunk) results.push((await command).result)
    else {
      const outcomes = await this.client.callMany(
        chunk.map(([, command]) => command),
        { concurrency: 1 },
      )
      for (const outcome of outcomes) {
        if (!outcome.ok) throw outcome.error
        results.push(outcome.result)
      }
    }
    results.forEach((result, index) => {
      const id = chunk[index][0].kind === 'add' ? this.addedId(result) : undefined
      if (id !== undefined) this.added.push(id)
    })
  }
}

/** Splits writes into chunks of `size`, each built when it is applied. */
export function chunked(
  items: readonly Write[],
  size: number,
  build: (item: Write) => WriteCommand,
): Array<() => Array<[Write, WriteCommand]>> {
  const chunks: Array<() => Array<[Write, WriteCommand]>> = []
  for (let index = 0; index < items.length; index += size) {
    const part = items.slice(index, index + size)
    chunks.push(() => part.map((item) => [item, build(item)]))
  }
  return chunks
}

/** Interleaves lists: a, b, c, a, b, c, … (so every chunk mixes changes, deletions and additions). */
export function interleave<T>(...lists: T[][]): T[] {
  const out: T[] = []
  for (let index = 0; lists.some((list) => index < list.length); index++) {
    for (const list of lists) if (index < list.length) out.push(list[index])
  }
  return out
}

export type Write = { kind: 'change'; id: number } | { kind: 'delete'; id: number } | { kind: 'add'; n: number }

/** Reads one run: the rows by ID, counting versions, with `between` awaited every `every` rows. */
export async function readRun<R>(
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
export function stored(checkpoint: SyncCheckpoint): SyncCheckpoint {
  return JSON.parse(JSON.stringify(checkpoint)) as SyncCheckpoint
}

/** One list under test: how to read it and how a second client writes to it. */
export interface Scenario<R> {
  run: (checkpoint: SyncCheckpoint | null) => AsyncIterable<R> & { result(): SyncResult }
  id: (row: R) => number
  title: (row: R) => unknown
  change: (id: number) => WriteCommand
  remove: (id: number) => WriteCommand
  add: (n: number) => WriteCommand
  addedId: (result: unknown) => number | undefined
  /** Called after the second run, e.g. to take injected faults out before requests are counted. */
  beforeThirdRun?: () => void
}

/** Deals: the reader syncs ID and TITLE; the writer renames, deletes and adds deals. */
export function dealScenario(client: Client, w: Client) {
  return {
    run: (checkpoint: SyncCheckpoint | null) =>
      client.crm.deal.list({ select: ['ID', 'TITLE'] }).changesSince(checkpoint),
    id: (deal: Deal) => Number(deal.ID),
    title: (deal: Deal) => deal.TITLE,
    change: (id: number) => w.crm.deal.update({ id, fields: { TITLE: `changed ${id}` } }),
    remove: (id: number) => w.crm.deal.delete({ id }),
    add: (n: number) => w.crm.deal.add({ fields: { TITLE: `added ${n}` } }),
    addedId: (result: unknown) => (typeof result === 'number' ? result : undefined),
  } satisfies Scenario<Deal>
}

/** How many rows there are, and how many are changed, deleted and added (in chunks) while the second run reads. */
export interface Load {
  rows: number
  changed: number
  deleted: number
  added: number
  /** Writes per chunk; a chunk goes in as the run starts, then one every `every` rows it yields. */
  chunk: number
  every: number
  /** Writes one request each (see `Writer`). */
  oneByOne?: boolean
}

/**
 * First run: every row. Second run, while `load` writes land between its pages: exactly the changed and added
 * rows, each once with its new values, and the deleted IDs. Third run, nothing changed: no row, one request.
 */
export async function threeRuns<R>(emu: Emulator, writerClient: Client, load: Load, s: Scenario<R>) {
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
    load.oneByOne,
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

  s.beforeThirdRun?.()
  const { value: third, requests } = await countRequests(emu, () =>
    readRun(s.run(stored(second.result.checkpoint)), s.id),
  )
  expect(third.versions).toBe(0)
  expect(third.result.deleted).toEqual([])
  expect(requests).toBeLessThanOrEqual(1)
  return second.result.checkpoint
}
