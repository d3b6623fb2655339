/**
 * Keyset: sorted by ID, no counting (`start=-1`), each page filtered by `>ID` of the previous one, 50 pages
 * chained inside one batch through `$result[…]` references — about 2,500 rows per HTTP request, in ID order,
 * each exactly once. The first short page ends the read; commands after it in the same batch are ignored.
 */
import { buildQuery } from '../http/php-query.js'
import { MAX_BATCH_SIZE, type RawBatchResult } from './batch.js'
import { filterOf, findKey, type ListSender, PAGE_SIZE, pick } from './list-common.js'
import { idOf, type ListShape, rowsOf } from './list-shape.js'
import type { BitrixResponse } from './response.js'

export interface KeysetRange {
  descending?: boolean
  /** Exclusive bound to start from (ascending: rows with a greater ID; descending: a smaller one). */
  after?: number
  /** Inclusive bound to stop at. */
  until?: number
  limit?: number
  signal?: AbortSignal
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
function plan(params: Readonly<Record<string, unknown>>, shape: ListShape, range: KeysetRange): KeysetPlan {
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

export async function* readByKeyset(
  sender: ListSender,
  method: string,
  params: Readonly<Record<string, unknown>>,
  shape: ListShape,
  range: KeysetRange = {},
): AsyncGenerator<unknown, void, undefined> {
  const keyset = plan(params, shape, range)
  let remaining = range.limit ?? Number.POSITIVE_INFINITY
  let bound = keyset.bound
  while (remaining > 0) {
    const pages = Math.min(MAX_BATCH_SIZE, Math.ceil(remaining / PAGE_SIZE))
    const response =
      pages === 1
        ? await sendSingle(sender, method, pageParams(keyset, bound), range.signal)
        : await sendChain(sender, method, keyset, bound, pages, range.signal)
    let advanced = false
    for (let index = 0; index < pages; index++) {
      const error = pick(response.result.result_error, `c${index}`)
      if (error !== undefined) {
        // The pages before a failed one are good: the next request resumes after their last row.
        if (!advanced) throw sender.commandError(error, method)
        break
      }
      const rows = rowsOf(pick(response.result.result, `c${index}`), shape.key)
      for (const row of rows) {
        if (remaining <= 0) return
        if (range.signal?.aborted) throw range.signal.reason
        remaining--
        yield row
      }
      if (rows.length > 0) {
        bound = idOf(rows[rows.length - 1], shape.rowId)
        advanced = true
      }
      if (rows.length < PAGE_SIZE) return
    }
  }
}

function sendChain(
  sender: ListSender,
  method: string,
  keyset: KeysetPlan,
  bound: number | undefined,
  pages: number,
  signal?: AbortSignal,
): Promise<BitrixResponse<RawBatchResult>> {
  const cmd: Record<string, string> = {}
  for (let index = 0; index < pages; index++) {
    const pageBound = index === 0 ? bound : lastRowRef(keyset.shape, index - 1)
    cmd[`c${index}`] = `${method}?${buildQuery(pageParams(keyset, pageBound))}`
  }
  return sender.batch(
    cmd,
    Object.keys(cmd).map(() => method),
    signal,
  )
}

/** One page through the plain endpoint, shaped like a one-command batch. */
async function sendSingle(
  sender: ListSender,
  method: string,
  params: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<BitrixResponse<RawBatchResult>> {
  const response = await sender.send<unknown>(method, params, signal)
  return { ...response, result: { result: { c0: response.result } } } as BitrixResponse<RawBatchResult>
}

/** The lowest and highest ID matching the call's filter (two cheap uncounted single-row reads). */
export async function idBounds(
  sender: ListSender,
  method: string,
  params: Readonly<Record<string, unknown>>,
  shape: ListShape,
  signal?: AbortSignal,
): Promise<{ min: number; max: number } | undefined> {
  const edge = async (descending: boolean) => {
    const keyset = plan(params, shape, { descending })
    const select = findKey(keyset.base, 'select')
    const call = pageParams(keyset, keyset.bound)
    if (select) call[select] = [shape.filterId]
    const response = await sender.send<unknown>(method, call, signal)
    const row = rowsOf(response.result, shape.key)[0]
    return row === undefined ? undefined : idOf(row, shape.rowId)
  }
  const [min, max] = await Promise.all([edge(false), edge(true)])
  return min === undefined || max === undefined ? undefined : { min, max }
}
