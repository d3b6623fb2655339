/** Picks how a whole list is read, for `asList()` (an array) and `asListFast()` (a stream). */
import { MAX_BATCH_SIZE } from './batch.js'
import { readAutoConcurrent } from './list-auto.js'
import {
  type AsListFastOptions,
  type AsListOptions,
  type ListContext,
  type ListSender,
  listShapeOf,
  PAGE_SIZE,
  PageBudget,
} from './list-common.js'
import { idListOf, readByIdChunks } from './list-id-chunks.js'
import { idRange, readByKeyset } from './list-keyset.js'
import { readAllByOffsets } from './list-offsets.js'
import { detectListShape } from './list-shape.js'
import { isIdOrder, orderOf, selectForSort, sortRows } from './list-sort.js'
import { mergeStreams } from './merge-streams.js'

/** Up to this `limit`, a list sorted by another field is read by offsets: one batch of pages at most. */
const OFFSETS_LIMIT = PAGE_SIZE * MAX_BATCH_SIZE

/** Reads the shape off one plain page for a method the catalogue doesn't know. */
async function probeShape(context: ListContext, params: Readonly<Record<string, unknown>>, signal?: AbortSignal) {
  const probe = await context.sender.send<unknown>(context.method, { ...params, start: 0 }, signal)
  return detectListShape(probe.result)
}

export async function readList(
  sender: ListSender,
  method: string,
  params: Readonly<Record<string, unknown>>,
  options: AsListOptions = {},
): Promise<unknown[]> {
  const context: ListContext = { sender, method, reader: 'asList' }
  const budget = new PageBudget(context, options.maxPages)
  const shape = await listShapeOf(context)
  const strategy = options.strategy ?? 'auto'
  const ids = shape ? idListOf(params, shape) : undefined
  const order = shape ? orderOf(params, shape) : undefined
  if (shape && ids && (strategy === 'auto' || strategy === 'idChunks')) {
    if (order === undefined || order.length === 0) {
      return readByIdChunks(context, params, shape, ids, { ...options, budget })
    }
    // Chunks come back chunk by chunk: sort them into the order asked for.
    const read = selectForSort(params, order, shape)
    const rows = await readByIdChunks(context, read.params, shape, ids, { signal: options.signal, budget })
    return sortRows(rows, order, shape, read.added).slice(0, options.limit)
  }
  if (shape?.keyset && order && strategy !== 'offsets' && strategy !== 'idChunks') {
    const byId = isIdOrder(order, shape)
    const small = options.limit !== undefined && options.limit <= OFFSETS_LIMIT
    if (byId || strategy === 'keyset' || !small) {
      // Not by ID: read everything by keyset, with the order fields selected, and sort here.
      const read = byId ? { params: { ...params }, added: [] } : selectForSort(params, order, shape)
      const rows: unknown[] = []
      const stream = readByKeyset(context, read.params, shape, {
        signal: options.signal,
        limit: byId ? options.limit : undefined,
        descending: byId && order[0]?.descending === true,
        budget,
      })
      for await (const row of stream) rows.push(row)
      return byId ? rows : sortRows(rows, order, shape, read.added).slice(0, options.limit)
    }
  }
  return readAllByOffsets(context, { ...params }, shape, { ...options, budget })
}

export async function* streamList(
  sender: ListSender,
  method: string,
  params: Readonly<Record<string, unknown>>,
  options: AsListFastOptions = {},
): AsyncGenerator<unknown, void, undefined> {
  const context: ListContext = { sender, method, reader: 'asListFast' }
  const budget = new PageBudget(context, options.maxPages)
  if ((options.limit ?? 1) <= 0) return
  const shape = (await listShapeOf(context)) ?? (await probeShape(context, params, options.signal))
  if (!shape?.keyset) {
    // No way to filter by ID: batched offsets, then the rows one by one.
    yield* await readAllByOffsets(context, { ...params }, shape, { ...options, budget })
    return
  }
  if (options.concurrency === 'auto') {
    yield* readAutoConcurrent(context, params, shape, { ...options, budget })
    return
  }
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1))
  if (concurrency === 1) {
    yield* readByKeyset(context, params, shape, { ...options, budget })
    return
  }
  const range = await idRange(context, params, shape, options)
  if (!range) return
  const { low, high } = range
  const descending = options.descending === true
  const span = Math.ceil((high - low + 1) / concurrency)
  const streams: AsyncIterable<unknown>[] = []
  for (let index = 0; index < concurrency; index++) {
    const from = low + index * span
    const to = Math.min(high, from + span - 1)
    if (from > to) break
    streams.push(
      readByKeyset(context, params, shape, {
        descending,
        after: descending ? to + 1 : from - 1,
        until: descending ? from : to,
        signal: options.signal,
        budget,
      }),
    )
  }
  let remaining = options.limit ?? Number.POSITIVE_INFINITY
  for await (const row of mergeStreams(streams)) {
    yield row
    if (--remaining <= 0) return
  }
}
