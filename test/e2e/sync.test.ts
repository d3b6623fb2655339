/**
 * Incremental sync against the emulator: a first run reads everything; a second run, while another client
 * changes, deletes and adds rows between its pages, returns exactly the changed and added rows (each once, with
 * their new values) and the deleted IDs; a third run with nothing changed reads nothing in one request.
 */
import { describe, expect, it } from 'vitest'
import type { Client, SyncCheckpoint, SyncResult } from '../../src/index.js'
import type { BatchCommand } from '../../src/requests/batch.js'
import { countRequests, usePortal, webhookClient } from './sdk-fixtures.js'

/** Write operations applied a chunk at a time by a second client, driven from the sync's loop. */
class Writer {
  readonly #chunks: Array<() => BatchCommand[]>
  readonly added: number[] = []
  #next = 0

  constructor(
    private readonly client: Client,
    chunks: Array<() => BatchCommand[]>,
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
    const commands = this.#chunks[this.#next++]()
    const outcomes = await this.client.callMany(commands, { concurrency: 1 })
    for (const outcome of outcomes) {
      if (!outcome.ok) throw outcome.error
      const id = this.addedId(outcome.result)
      if (id !== undefined) this.added.push(id)
    }
  }
}

/** Splits writes into chunks of `size`, each built when it is applied. */
function chunked<T>(items: readonly T[], size: number, build: (item: T) => BatchCommand): Array<() => BatchCommand[]> {
  const chunks: Array<() => BatchCommand[]> = []
  for (let index = 0; index < items.length; index += size) {
    const part = items.slice(index, index + size)
    chunks.push(() => part.map(build))
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

describe('crm.deal.list changesSince over 10,000 deals', () => {
  const DEALS = 10_000
  const portal = usePortal({ seed: { deals: DEALS, smartItems: 0, tasks: 0 }, plan: 'off', realDelays: false })

  it('first run: every deal; second run with 500 changed, 100 deleted, 200 added while it reads: exactly those; third run: nothing, one request', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const writerClient = webhookClient(emu)
    const request = client.crm.deal.list({ select: ['ID', 'TITLE'] })

    const first = await readRun(request.changesSince(null), (deal) => Number(deal.ID))
    expect(first.rows.size).toBe(DEALS)
    expect(first.versions).toBe(DEALS)
    expect(first.result.deleted).toEqual([])

    // Disjoint sets of seeded deals to change and to delete, spread over the whole ID range.
    const changed = Array.from({ length: 500 }, (_, index) => 2 + index * 20)
    const deleted = Array.from({ length: 100 }, (_, index) => 3 + index * 98)
    expect(changed.filter((id) => deleted.includes(id))).toEqual([])
    const writes = interleave<Write>(
      changed.map((id) => ({ kind: 'change', id })),
      deleted.map((id) => ({ kind: 'delete', id })),
      Array.from({ length: 200 }, (_, n) => ({ kind: 'add', n })),
    )
    const writer = new Writer(
      writerClient,
      chunked(writes, 40, (write) =>
        write.kind === 'change'
          ? writerClient.crm.deal.update({ id: write.id, fields: { TITLE: `changed ${write.id}` } })
          : write.kind === 'delete'
            ? writerClient.crm.deal.delete({ id: write.id })
            : writerClient.crm.deal.add({ fields: { TITLE: `added ${write.n}` } }),
      ),
      (result) => (typeof result === 'number' ? result : undefined),
    )
    // The first chunk goes in as the run sends its first request; the others between its rows.
    const run = request.changesSince(stored(first.result.checkpoint))
    await writer.step()
    const second = await readRun(run, (deal) => Number(deal.ID), { every: 20, step: () => writer.step() })
    expect(writer.done).toBe(true)
    expect(writer.added).toHaveLength(200)
    const expected = [...changed, ...writer.added].sort((a, b) => a - b)
    expect([...second.rows.keys()].sort((a, b) => a - b)).toEqual(expected)
    expect(second.versions).toBe(expected.length)
    for (const id of changed) expect(second.rows.get(id)?.TITLE).toBe(`changed ${id}`)
    expect(second.result.deleted).toEqual([...deleted].sort((a, b) => a - b))

    const { value: third, requests } = await countRequests(emu, () =>
      readRun(request.changesSince(stored(second.result.checkpoint)), (deal) => Number(deal.ID)),
    )
    expect(third.versions).toBe(0)
    expect(third.result.deleted).toEqual([])
    expect(requests).toBeLessThanOrEqual(1)
  }, 120_000)
})
