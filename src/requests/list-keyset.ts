/**
 * Keyset: sorted by ID, no counting (`start=-1`), each page filtered by `>ID` of the previous one, 50 pages
 * chained inside one batch through `$result[…]` references — about 2,500 rows per HTTP request, in ID order,
 * each exactly once. The first short page ends the read; commands after it in the same batch are ignored.
 */
import { buildQuery } from '../http/php-query.js'
import { MAX_BATCH_SIZE, type RawBatchResult } from './batch.js'
import {
  commandResult,
  filterOf,
  findKey,
  type ListContext,
  listError,
  PAGE_SIZE,
  type PageBudget,
  pageRows,
  pick,
  rowId,
} from './list-common.js'
import type { ListShape } from './list-shape.js'
import type { BitrixResponse } from './response.js'

export interface KeysetRange {
  descending?: boolean
  /** Exclusive bound to start from (ascending: rows with a greater ID; descending: a smaller one). */
  after?: number
  /** Inclusive bound to stop at. */
  until?: number
  limit?: number
  signal?: AbortSignal
  /** Counts the pages sent against `maxPages`; shared by the ranges of one read. */
  budget: PageBudget
  /** Commands sent along with the first request (keys other than `c…`, `m`, `t`), and what to do with its reply. */
  firstRequest?: {
    calls: Record<string, Record<string, unknown>>
    receive(response: BitrixResponse<RawBatchResult>): void
  }
}

interface KeysetPlan {
  shape: ListShape
  base: Record<string, unknown>
  filterKey: string | null
  filter: Record<string, unknown>
  operator: '>' | '<'
  bound: number | undefined
}

/** Sets the ID order and folds the caller's own bounds on the ID into the range. */
function plan(
  params: Readonly<Record<string, unknown>>,
  shape: ListShape,
  range: Pick<KeysetRange, 'descending' | 'after' | 'until'>,
): KeysetPlan {
  const base: Record<string, unknown> = { ...params }
  const startKey = findKey(base, 'start')
  if (startKey) delete base[startKey]
  const descending = range.descending === true
  const direction = descending ? 'DESC' : 'ASC'
  if (shape.orderStyle === 'map') {
    base[findKey(base, 'order') ?? 'order'] = { [shape.filterId]: direction }
  } else {
    base[findKey(base, 'sort') ?? 'sort'] = shape.filterId
    base[findKey(base, 'order') ?? 'order'] = direction
  }
  const { key: filterKey, filter } = filterOf(base, shape)
  let bound = range.after
  for (const prefix of descending ? ['<', '<='] : ['>', '>=']) {
    const field = `${prefix}${shape.filterId}`
    if (filter[field] === undefined) continue
    const value = Number(filter[field]) + (prefix.length === 2 ? (descending ? 1 : -1) : 0)
    bound = bound === undefined ? value : descending ? Math.min(bound, value) : Math.max(bound, value)
    delete filter[field]
    if (filterKey === null) delete base[field]
  }
  if (range.until !== undefined) filter[`${descending ? '>=' : '<='}${shape.filterId}`] = range.until
  return { shape, base, filterKey, filter, operator: descending ? '<' : '>', bound }
}

function pageParams(keyset: KeysetPlan, bound: unknown): Record<string, unknown> {
  const filter =
    bound === undefined ? keyset.filter : { ...keyset.filter, [`${keyset.operator}${keyset.shape.filterId}`]: bound }
  const params =
    keyset.filterKey === null ? { ...keyset.base, ...filter } : { ...keyset.base, [keyset.filterKey]: filter }
  return { ...params, start: -1 }
}

/** `$result[cN][key][49][id]`: the ID of the last row of page N. */
function lastRowRef(shape: ListShape, index: number): string {
  return `$result[c${index}]${shape.key === null ? '' : `[${shape.key}]`}[${PAGE_SIZE - 1}][${shape.rowId}]`
}

/** Checks that IDs move the way the read goes; a server that ignores `>ID` or the order would loop forever. */
class Cursor {
  constructor(
    readonly context: ListContext,
    readonly field: string,
    readonly descending: boolean,
    public last: number | undefined,
    /** The inclusive far end of the range, when the read has one. */
    readonly until: number | undefined,
  ) {}

  /** The ID of the next row, which must lie beyond the last one and not past the end of the range. */
  pass(row: unknown): number {
    const id = rowId(this.context, row, this.field)
    const [forward, backward] = this.descending ? ['<', '>='] : ['>', '<=']
    if (this.last !== undefined && (this.descending ? id >= this.last : id <= this.last)) {
      throw this.#error(`the ID cursor did not advance (${this.field} ${id} after ${this.last})`, forward)
    }
    if (this.until !== undefined && (this.descending ? id < this.until : id > this.until)) {
      throw this.#error(`${this.field} ${id} is past the end of the range (${this.until})`, backward)
    }
    this.last = id
    return id
  }

  #error(what: string, operator: string): Error {
    return listError(
      this.context,
      'cursor',
      `${what}: the method ignores "${operator}${this.field}" or the ID order`,
      "read it with asList({ strategy: 'offsets' })",
      this.field,
    )
  }
}

/**
 * Reads in ID order. The far end of the range (`until`, or the highest ID, probed in the first request) sizes
 * each batch to the rows left, so no chained page runs past the end with a broken reference; a final literal
 * page (`>ID` of the probed end) picks up rows created while the read ran. Every row must carry a numeric ID
 * beyond the one before it, so a server that ignores the cursor fails fast instead of looping.
 */
export async function* readByKeyset(
  context: ListContext,
  params: Readonly<Record<string, unknown>>,
  shape: ListShape,
  range: KeysetRange,
): AsyncGenerator<unknown, void, undefined> {
  const keyset = plan(params, shape, range)
  const descending = range.descending === true
  const cursor = new Cursor(context, shape.rowId, descending, keyset.bound, range.until)
  let remaining = range.limit ?? Number.POSITIVE_INFINITY
  let end = range.until
  let probe = end === undefined
  let firstId: number | undefined
  let seen = 0
  let firstRequest = range.firstRequest
  while (remaining > 0) {
    const bound = cursor.last
    const span = end === undefined || bound === undefined ? undefined : descending ? bound - end : end - bound
    const density =
      firstId === undefined || bound === undefined ? 1 : Math.min(1, seen / (Math.abs(bound - firstId) + 1))
    const expected = span === undefined ? Number.POSITIVE_INFINITY : Math.max(0, Math.ceil(span * density))
    const room = MAX_BATCH_SIZE - (probe ? 1 : 0) - Object.keys(firstRequest?.calls ?? {}).length
    const wanted = Math.min(room, Math.ceil(Math.min(remaining, expected) / PAGE_SIZE))
    const reachesEnd = span !== undefined && wanted * PAGE_SIZE >= expected
    const tail = reachesEnd && range.until === undefined && wanted < room
    if (wanted === 0 && !tail) return
    const pages = range.budget.take(wanted + (tail ? 1 : 0)) - (tail ? 1 : 0)
    const calls: Record<string, Record<string, unknown>> = {}
    for (let index = 0; index < pages; index++) {
      calls[`c${index}`] = pageParams(keyset, index === 0 ? bound : lastRowRef(shape, index - 1))
    }
    if (probe) calls.m = edgeParams(params, shape, !descending)
    if (tail) calls.t = pageParams(keyset, end)
    if (firstRequest) Object.assign(calls, firstRequest.calls)
    const response = await sendCommands(context, calls, range.signal)
    firstRequest?.receive(response)
    firstRequest = undefined
    if (probe) {
      const edge = pageRows(context, commandResult(context, response, 'm'), shape.key)[0]
      if (edge === undefined) return
      end = rowId(context, edge, shape.rowId)
      probe = false
    }
    let advanced = false
    for (let index = 0; index < pages; index++) {
      const error = pick(response.result?.result_error, `c${index}`)
      if (error !== undefined) {
        // The pages before a failed one are good: the next request resumes after their last row.
        if (!advanced) throw context.sender.commandError(error, context.method)
        break
      }
      const rows = pageRows(context, commandResult(context, response, `c${index}`), shape.key)
      for (const row of rows) {
        if (remaining <= 0) return
        if (range.signal?.aborted) throw range.signal.reason
        const id = cursor.pass(row)
        firstId ??= id
        seen++
        advanced = true
        remaining--
        yield row
      }
      // A chained page has no upper bound on the ID: a short one means everything after it is read.
      if (rows.length < PAGE_SIZE) return
    }
    const last = cursor.last
    const atEnd = end !== undefined && last !== undefined && (descending ? last <= end : last >= end)
    if (atEnd && range.until !== undefined) return
    if (atEnd && tail) {
      const rows = pageRows(context, commandResult(context, response, 't'), shape.key)
      for (const row of rows) {
        // The last chained page may already have run into the new rows.
        const id = rowId(context, row, shape.rowId)
        if (last !== undefined && (descending ? id >= last : id <= last)) continue
        cursor.pass(row)
        if (remaining <= 0) return
        remaining--
        yield row
      }
      if (rows.length < PAGE_SIZE) return
      // More rows appeared than one page holds: carry on after them, with the end probed again.
      end = undefined
      probe = true
    }
  }
}

/** One uncounted page read from the other end (IDs only, where the method takes a select): its first row is the far end. */
function edgeParams(params: Readonly<Record<string, unknown>>, shape: ListShape, descending: boolean) {
  const reversed = plan(params, shape, { descending })
  const call = pageParams(reversed, reversed.bound)
  const select = findKey(call, 'select')
  if (select) call[select] = [shape.filterId]
  return call
}

/** Sends the calls as one batch, or a lone call through the plain endpoint (its answer shaped like a batch). */
async function sendCommands(
  context: ListContext,
  calls: Record<string, Record<string, unknown>>,
  signal?: AbortSignal,
): Promise<BitrixResponse<RawBatchResult>> {
  const { sender, method } = context
  const keys = Object.keys(calls)
  if (keys.length > 1) {
    const cmd: Record<string, string> = {}
    for (const key of keys) cmd[key] = `${method}?${buildQuery(calls[key])}`
    return sender.batch(
      cmd,
      keys.map(() => method),
      signal,
    )
  }
  const response = await sender.send<unknown>(method, calls[keys[0]], signal)
  return { ...response, result: { result: { [keys[0]]: response.result } } } as BitrixResponse<RawBatchResult>
}

/** The lowest and highest ID matching the call's filter: two uncounted one-page reads in one request. */
export async function idBounds(
  context: ListContext,
  params: Readonly<Record<string, unknown>>,
  shape: ListShape,
  signal?: AbortSignal,
): Promise<{ min: number; max: number } | undefined> {
  const calls = { min: edgeParams(params, shape, false), max: edgeParams(params, shape, true) }
  const response = await sendCommands(context, calls, signal)
  const edge = (key: string) => {
    const row = pageRows(context, commandResult(context, response, key), shape.key)[0]
    return row === undefined ? undefined : rowId(context, row, shape.rowId)
  }
  const min = edge('min')
  const max = edge('max')
  return min === undefined || max === undefined ? undefined : { min, max }
}

/**
 * The inclusive ID range a read covers: the matching IDs' bounds, narrowed by `after` (exclusive; from the low
 * end ascending, from the high end descending). Undefined when nothing matches or nothing is left.
 */
export async function idRange(
  context: ListContext,
  params: Readonly<Record<string, unknown>>,
  shape: ListShape,
  options: { descending?: boolean; after?: number; signal?: AbortSignal },
): Promise<{ low: number; high: number } | undefined> {
  const bounds = await idBounds(context, params, shape, options.signal)
  if (!bounds) return undefined
  let low = bounds.min
  let high = bounds.max
  if (options.after !== undefined) {
    if (options.descending === true) high = Math.min(high, options.after - 1)
    else low = Math.max(low, options.after + 1)
  }
  return low > high ? undefined : { low, high }
}
