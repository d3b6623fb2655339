/** Picks how a whole list is read, for `asList()` (an array) and `asListFast()` (a stream). */
import { type AsListFastOptions, type AsListOptions, findKey, type ListSender, listShapeOf } from './list-common.js'
import { idListOf, readByIdChunks } from './list-id-chunks.js'
import { idBounds, readByKeyset } from './list-keyset.js'
import { readAllByOffsets } from './list-offsets.js'
import { detectListShape, type ListShape } from './list-shape.js'
import { mergeStreams } from './merge-streams.js'

/** The sort direction when the order is by ID alone (or absent: any order is fine), else undefined. */
function idOnlyOrder(params: Readonly<Record<string, unknown>>, shape: ListShape): 'ASC' | 'DESC' | undefined {
  const orderKey = findKey(params, 'order')
  const order = orderKey === undefined ? undefined : params[orderKey]
  if (shape.orderStyle === 'sortOrder') {
    const sortKey = findKey(params, 'sort')
    const sort = sortKey === undefined ? undefined : params[sortKey]
    if (sort !== undefined && String(sort).toUpperCase() !== shape.filterId.toUpperCase()) return undefined
    return String(order ?? 'ASC').toUpperCase() === 'DESC' ? 'DESC' : 'ASC'
  }
  if (order === undefined || order === null) return 'ASC'
  if (typeof order !== 'object') return undefined
  const entries = Object.entries(order)
  if (entries.length === 0) return 'ASC'
  if (entries.length !== 1 || entries[0][0].toUpperCase() !== shape.filterId.toUpperCase()) return undefined
  return String(entries[0][1]).toUpperCase() === 'DESC' ? 'DESC' : 'ASC'
}

/** Reads the shape off one plain page for a method the catalogue doesn't know. */
async function probeShape(
  sender: ListSender,
  method: string,
  params: Readonly<Record<string, unknown>>,
  signal?: AbortSignal,
) {
  const probe = await sender.send<unknown>(method, { ...params, start: 0 }, signal)
  return detectListShape(probe.result)
}

export async function readList(
  sender: ListSender,
  method: string,
  params: Readonly<Record<string, unknown>>,
  options: AsListOptions = {},
): Promise<unknown[]> {
  const shape = listShapeOf(method)
  const strategy = options.strategy ?? 'auto'
  const ids = shape ? idListOf(params, shape) : undefined
  if (shape && ids && (strategy === 'auto' || strategy === 'idChunks')) {
    return readByIdChunks(sender, method, params, shape, ids, options)
  }
  const direction = shape?.keyset ? idOnlyOrder(params, shape) : undefined
  if (shape && (strategy === 'keyset' || (strategy === 'auto' && direction !== undefined))) {
    const rows: unknown[] = []
    const stream = readByKeyset(sender, method, params, shape, { ...options, descending: direction === 'DESC' })
    for await (const row of stream) rows.push(row)
    return rows
  }
  return readAllByOffsets(sender, method, { ...params }, shape, options)
}

export async function* streamList(
  sender: ListSender,
  method: string,
  params: Readonly<Record<string, unknown>>,
  options: AsListFastOptions = {},
): AsyncGenerator<unknown, void, undefined> {
  if ((options.limit ?? 1) <= 0) return
  const shape = listShapeOf(method) ?? (await probeShape(sender, method, params, options.signal))
  if (!shape?.keyset) {
    // No way to filter by ID: batched offsets, then the rows one by one.
    yield* await readAllByOffsets(sender, method, { ...params }, shape, options)
    return
  }
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1))
  if (concurrency === 1) {
    yield* readByKeyset(sender, method, params, shape, options)
    return
  }
  const bounds = await idBounds(sender, method, params, shape, options.signal)
  if (!bounds) return
  const descending = options.descending === true
  let low = bounds.min
  let high = bounds.max
  if (options.after !== undefined) {
    if (descending) high = Math.min(high, options.after - 1)
    else low = Math.max(low, options.after + 1)
  }
  if (low > high) return
  const span = Math.ceil((high - low + 1) / concurrency)
  const streams: AsyncIterable<unknown>[] = []
  for (let index = 0; index < concurrency; index++) {
    const from = low + index * span
    const to = Math.min(high, from + span - 1)
    if (from > to) break
    streams.push(
      readByKeyset(sender, method, params, shape, {
        descending,
        after: descending ? to + 1 : from - 1,
        until: descending ? from : to,
        signal: options.signal,
      }),
    )
  }
  let remaining = options.limit ?? Number.POSITIVE_INFINITY
  for await (const row of mergeStreams(streams)) {
    yield row
    if (--remaining <= 0) return
  }
}
