/**
 * The two ways of reading a whole list:
 * - offsets: the first page, then every remaining `start` sent 50 pages per `batch` (works for any sort order);
 * - keyset: sorted by ID, `start=-1` (no count), each page filtered by `>ID` of the previous one, 50 pages chained
 *   inside one `batch` through `$result[...]` references — about 2,500 rows per HTTP request.
 */
import type { BitrixAPIError } from '../errors/index.js'
import { BitrixValidationError } from '../errors/index.js'
import { buildQuery } from '../http/php-query.js'
import { MAX_BATCH_SIZE, type RawBatchResult } from './batch.js'
import { detectListShape, idOf, knownListShape, type ListShape, rowsOf } from './list-shape.js'
import type { BitrixResponse } from './response.js'

export const PAGE_SIZE = 50

/** What list readers need from the client. */
export interface ListSender {
  send<T>(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<BitrixResponse<T>>
  batch(
    cmd: Record<string, string>,
    methods: readonly string[],
    signal?: AbortSignal,
  ): Promise<BitrixResponse<RawBatchResult>>
  /** Builds the typed error of a failed batch command. */
  commandError(raw: unknown, method: string): BitrixAPIError
}

export interface AsListOptions {
  /** Stop after this many records. */
  limit?: number
  signal?: AbortSignal
}

export interface AsListFastOptions extends AsListOptions {
  /** Newest (highest ID) first. */
  descending?: boolean
  /** Resume after this ID (exclusive): the last ID a previous, interrupted read yielded. */
  after?: number
}

function findKey(params: Record<string, unknown>, name: string): string | undefined {
  const lower = name.toLowerCase()
  return Object.keys(params).find((key) => key.toLowerCase() === lower)
}

function shapeOrThrow(method: string): ListShape | undefined {
  if (!/\.(list|get|search|getlist)$|^user\.get$|^department\.get$/i.test(method)) {
    throw new BitrixValidationError({
      message: `not a list method; asList()/asListFast() read list methods only`,
      method,
    })
  }
  return knownListShape(method)
}

/** Offsets: reads every page; pages after the first go out 50 per batch. */
export async function readAllByOffsets(
  sender: ListSender,
  method: string,
  params: Record<string, unknown>,
  options: AsListOptions = {},
): Promise<unknown[]> {
  const known = shapeOrThrow(method)
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  const firstStart = Number(params.start ?? 0) > 0 ? Number(params.start) : 0
  const first = await sender.send<unknown>(method, { ...params, start: firstStart }, options.signal)
  const shape = known ?? detectListShape(first.result)
  const key = shape?.key ?? null
  const rows = [...rowsOf(first.result, key)]
  if (first.next === undefined || rows.length >= limit) return rows.slice(0, limit)
  const total = first.total ?? 0
  const starts: number[] = []
  for (let start = first.next; start < total && rows.length + starts.length * PAGE_SIZE < limit; start += PAGE_SIZE) {
    starts.push(start)
  }
  for (let index = 0; index < starts.length; index += MAX_BATCH_SIZE) {
    const chunk = starts.slice(index, index + MAX_BATCH_SIZE)
    const cmd: Record<string, string> = {}
    for (const start of chunk) cmd[`p${start}`] = `${method}?${buildQuery({ ...params, start })}`
    const response = await sender.batch(
      cmd,
      chunk.map(() => method),
      options.signal,
    )
    for (const start of chunk) {
      const error = pick(response.result.result_error, `p${start}`)
      if (error !== undefined) throw sender.commandError(error, method)
      rows.push(...rowsOf(pick(response.result.result, `p${start}`), key))
    }
  }
  return rows.slice(0, limit)
}

function pick(map: unknown, key: string): unknown {
  if (map === null || typeof map !== 'object') return undefined
  return (map as Record<string, unknown>)[key]
}

interface KeysetPlan {
  shape: ListShape
  base: Record<string, unknown>
  filterKey: string | null
  filter: Record<string, unknown>
  operator: '>' | '<'
}

function planKeyset(
  params: Record<string, unknown>,
  shape: ListShape,
  options: AsListFastOptions,
): KeysetPlan & { bound: number | undefined } {
  const base: Record<string, unknown> = { ...params }
  delete base.start
  delete base[findKey(base, 'start') ?? 'start']
  const descending = options.descending === true
  const operator = descending ? '<' : '>'
  const direction = descending ? 'DESC' : 'ASC'
  if (shape.orderStyle === 'map') {
    const orderKey = findKey(base, 'order') ?? 'order'
    base[orderKey] = { [shape.filterId]: direction }
  } else {
    base[findKey(base, 'sort') ?? 'sort'] = shape.filterId
    base[findKey(base, 'order') ?? 'order'] = direction
  }
  const filterKey = shape.filterParam === null ? null : (findKey(base, shape.filterParam) ?? shape.filterParam)
  const filter = { ...((filterKey === null ? base : base[filterKey]) as Record<string, unknown> | undefined) }
  // Fold the caller's own bound on the ID into ours.
  let bound = options.after
  for (const prefix of descending ? ['<', '<='] : ['>', '>=']) {
    const filterField = `${prefix}${shape.filterId}`
    if (filter[filterField] === undefined) continue
    const value = Number(filter[filterField]) + (prefix.length === 2 ? (descending ? 1 : -1) : 0)
    bound = bound === undefined ? value : descending ? Math.min(bound, value) : Math.max(bound, value)
    delete filter[filterField]
    if (filterKey === null) delete base[filterField]
  }
  return { shape, base, filterKey, filter, operator, bound }
}

function pageParams(plan: KeysetPlan, bound: unknown): Record<string, unknown> {
  const filter =
    bound === undefined ? plan.filter : { ...plan.filter, [`${plan.operator}${plan.shape.filterId}`]: bound }
  const params = plan.filterKey === null ? { ...plan.base, ...filter } : { ...plan.base, [plan.filterKey]: filter }
  return { ...params, start: -1 }
}

/**
 * Keyset: yields rows lazily, in ID order, each exactly once. Falls back to offsets for methods that
 * can't filter by ID.
 */
export async function* readAllByKeyset(
  sender: ListSender,
  method: string,
  params: Record<string, unknown>,
  options: AsListFastOptions = {},
): AsyncGenerator<unknown, void, undefined> {
  let shape = shapeOrThrow(method)
  let remaining = options.limit ?? Number.POSITIVE_INFINITY
  if (remaining <= 0) return
  if (shape && !shape.keyset) {
    yield* await readAllByOffsets(sender, method, params, options)
    return
  }
  if (!shape) {
    // Unknown shape: one plain page tells where the rows are and what the ID is called.
    const probe = await sender.send<unknown>(method, { ...params, start: 0 }, options.signal)
    shape = detectListShape(probe.result)
    if (!shape)
      throw new BitrixValidationError({ message: `cannot find the rows in its result to page through`, method })
  }
  const plan = planKeyset(params, shape, options)
  let bound = plan.bound
  const signal = options.signal
  for (;;) {
    const pages = Math.min(MAX_BATCH_SIZE, Math.ceil(remaining / PAGE_SIZE))
    const cmd: Record<string, string> = {}
    const lastRowRef = (index: number) =>
      `$result[c${index}]${shape.key === null ? '' : `[${shape.key}]`}[${PAGE_SIZE - 1}][${shape.rowId}]`
    for (let index = 0; index < pages; index++) {
      const params = pageParams(plan, index === 0 ? bound : lastRowRef(index - 1))
      cmd[`c${index}`] = `${method}?${buildQuery(params)}`
    }
    const response =
      pages === 1
        ? await sendSingle(sender, method, pageParams(plan, bound), signal)
        : await sender.batch(
            cmd,
            Object.keys(cmd).map(() => method),
            signal,
          )
    let advanced = false
    for (let index = 0; index < pages; index++) {
      const error = pick(response.result.result_error, `c${index}`)
      if (error !== undefined) {
        // A failed page: everything before it is good; the next request resumes after the last row seen.
        if (!advanced) throw sender.commandError(error, method)
        break
      }
      const rows = rowsOf(pick(response.result.result, `c${index}`), shape.key)
      for (const row of rows) {
        if (remaining <= 0) return
        remaining--
        yield row
      }
      if (rows.length > 0) {
        bound = idOf(rows[rows.length - 1], shape.rowId)
        advanced = true
      }
      if (rows.length < PAGE_SIZE || remaining <= 0) return
    }
  }
}

/** One page through the plain endpoint, wrapped like a one-command batch. */
async function sendSingle(
  sender: ListSender,
  method: string,
  params: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<BitrixResponse<RawBatchResult>> {
  const response = await sender.send<unknown>(method, params, signal)
  return { ...response, result: { result: { c0: response.result } } } as BitrixResponse<RawBatchResult>
}
