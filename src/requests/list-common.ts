/** What every list reader shares: the sender it reads through, options, and the checks on what comes back. */
import type { BitrixAPIError } from '../errors/index.js'
import { BitrixListError, type BitrixListErrorReason, BitrixValidationError, describeValue } from '../errors/index.js'
import type { OperatingBudget } from '../limits/limiter.js'
import type { RawBatchResult } from './batch.js'
import { knownListShape, type ListShape } from './list-shape.js'
import type { BitrixResponse } from './response.js'

/** Rows per page of every REST v2 list method. */
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
  /** The limiter's view of the method's operating budget, when the client has a limiter that keeps one. */
  operatingBudget?(method: string): Promise<OperatingBudget | undefined>
}

/** Options of `request.asList()`: how many records, how to page, and a bound on the pages requested. */
export interface AsListOptions {
  /** Stop after this many records. */
  limit?: number
  /** Stops the read: no further page is requested and `asList()` rejects. */
  signal?: AbortSignal
  /**
   * How to page: `auto` (default) picks the cheapest correct way — ID chunks for an `@ID` filter, keyset when the
   * method can filter by ID (sorted in the client when the order is not by ID), batched offsets otherwise.
   */
  strategy?: 'auto' | 'offsets' | 'keyset' | 'idChunks'
  /**
   * The most list pages (50 rows each) the read may request. A list that needs more fails with a
   * `BitrixListError` (reason `maxPages`) instead of being cut short. Default: no bound.
   */
  maxPages?: number
}

/** Options of `request.asListFast()`: how many records, in which ID order, from where, and how many ranges at once. */
export interface AsListFastOptions {
  /** Stop after this many records. */
  limit?: number
  /** Stops the read: no further page is requested and the iteration throws. */
  signal?: AbortSignal
  /** Newest (highest ID) first. */
  descending?: boolean
  /** Resume after this ID (exclusive): the last ID a previous, interrupted read yielded. */
  after?: number
  /**
   * Read this many disjoint ID ranges in parallel (default 1). Records then arrive in ID order within each
   * range, interleaved across ranges. `'auto'`: as many ranges at once as the method's operating time (server
   * seconds per 10 minutes, 480 by default) left under `operatingShare` of the limit pays for, re-chosen before each
   * range from the figures the portal reports — read from the limiter's store when the client's limiter keeps one
   * (shared by every process using that store), else from the answers of this read. Once the share is used up the
   * read goes on with one range, paced by the limiter.
   */
  concurrency?: number | 'auto'
  /**
   * With `concurrency: 'auto'`: the share of the method's operating limit the read may bring it to; default 0.5,
   * leaving the rest to the app's other calls of the same method, which share the budget.
   */
  operatingShare?: number
  /** With `concurrency: 'auto'`: the most ranges read at once; default 8. */
  maxConcurrency?: number
  /** With `concurrency: 'auto'`: told the concurrency chosen each time it is chosen. */
  onConcurrency?: (concurrency: number) => void
  /** The most list pages the read may request; see `AsListOptions.maxPages`. */
  maxPages?: number
}

/** One list read: where it goes, and which public reader runs it (named in errors). */
export interface ListContext {
  sender: ListSender
  method: string
  reader: 'asList' | 'asListFast' | 'changesSince'
}

export function findKey(params: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const lower = name.toLowerCase()
  return Object.keys(params).find((key) => key.toLowerCase() === lower)
}

/** A value of a raw batch result map (`result`, `result_error`, …) by command key. */
export function pick(map: unknown, key: string): unknown {
  if (map === null || typeof map !== 'object') return undefined
  return (map as Record<string, unknown>)[key]
}

export function listError(
  context: ListContext,
  reason: BitrixListErrorReason,
  detail: string,
  remedy: string,
  key?: string,
): BitrixListError {
  return new BitrixListError({ method: context.method, reader: context.reader, reason, detail, remedy, key })
}

const SHAPE_REMEDY = 'asList()/asListFast() read list methods only; call the method directly to see its result'

/** The rows of one list page; anything that is not a list of rows is an error, never an empty page. */
export function pageRows(context: ListContext, result: unknown, key: string | null): unknown[] {
  // An empty page of a keyed list may come as a bare `[]` (PHP's empty array) instead of `{ items: [] }`.
  if (key !== null && Array.isArray(result) && result.length === 0) return []
  const rows = key === null ? result : (result as Record<string, unknown> | null)?.[key]
  if (Array.isArray(rows)) return rows
  // PHP prints an array with gaps in its keys as an object: `{"0": {…}, "2": {…}}`.
  if (typeof rows === 'object' && rows !== null && Object.keys(rows).every((name) => /^\d+$/.test(name))) {
    return Object.values(rows)
  }
  const where = key === null ? 'result' : `result.${key}`
  throw listError(context, 'shape', `${where} is ${describeValue(rows)}, not a list of rows`, SHAPE_REMEDY)
}

/** The numeric ID of a row; a row without one cannot be paged past. */
export function rowId(context: ListContext, row: unknown, field: string): number {
  const value = typeof row === 'object' && row !== null ? (row as Record<string, unknown>)[field] : undefined
  const id = typeof value === 'number' || typeof value === 'string' ? Number(value) : Number.NaN
  if (value === '' || !Number.isSafeInteger(id)) {
    throw listError(
      context,
      'id',
      `a row has ${value === undefined ? 'no' : `a non-numeric (${describeValue(value)})`} "${field}" field`,
      `keep "${field}" in select, or read with asList({ strategy: 'offsets' })`,
      field,
    )
  }
  return id
}

/** A command's result from a batch reply; its error thrown; a reply without either is malformed. */
export function commandResult(context: ListContext, response: BitrixResponse<RawBatchResult>, key: string): unknown {
  const error = pick(response.result?.result_error, key)
  if (error !== undefined) throw context.sender.commandError(error, context.method)
  const result = pick(response.result?.result, key)
  if (result === undefined || result === null) {
    throw listError(
      context,
      'shape',
      `the batch reply has no result and no error for command "${key}" (${describeValue(response.result)})`,
      'the server does not answer batch like Bitrix24; read the method with plain calls',
    )
  }
  return result
}

/** Counts the list pages a read requests against its `maxPages`. */
export class PageBudget {
  readonly #context: ListContext
  readonly #max: number
  #used = 0

  constructor(context: ListContext, maxPages: number | undefined) {
    if (maxPages !== undefined && !(Number.isSafeInteger(maxPages) && maxPages > 0)) {
      throw new BitrixValidationError({
        method: context.method,
        parameter: 'maxPages',
        expected: 'a positive integer',
        received: maxPages,
      })
    }
    this.#context = context
    this.#max = maxPages ?? Number.POSITIVE_INFINITY
  }

  /** How many of `wanted` pages may be sent; throws when none may and the list goes on. */
  take(wanted: number): number {
    const granted = Math.min(wanted, this.#max - this.#used)
    if (granted <= 0 && wanted > 0) {
      throw listError(
        this.#context,
        'maxPages',
        `the list has more than maxPages (${this.#max}) pages`,
        'raise maxPages, narrow the filter, or pass limit',
      )
    }
    this.#used += granted
    return granted
  }
}

/** List methods by name: `.list`, `.getlist`, `.search`, and `.get` methods that page. */
const LIST_NAME = /\.(list|get|search|getlist)$|^user\.get$|^department\.get$/i

/**
 * The shape of a list method from the catalogue, undefined when uncatalogued. Methods that are not lists
 * (`crm.deal.get`: one record by `id`, no paging) fail before anything is sent.
 */
export async function listShapeOf(context: ListContext): Promise<ListShape | undefined> {
  const { method } = context
  const shape = knownListShape(method)
  if (shape) return shape
  const notAList = () =>
    new BitrixValidationError({
      message: `not a list method; ${context.reader}() reads list methods only (…list, …getlist, …search, paged …get) — await the request instead`,
      method,
    })
  if (!LIST_NAME.test(method)) throw notAList()
  if (/\.get$/i.test(method)) {
    const { PARAM_RULES } = await import('../methods/generated/params.js')
    const rules = PARAM_RULES[method.toLowerCase()]
    const names = rules === undefined ? [] : rules.split(',').map((rule) => rule.split(':')[0].toLowerCase())
    if (names.includes('id') && !names.includes('start') && !names.includes('page')) throw notAList()
  }
  return undefined
}

/** The filter object of a list call and the key it sits under (null: filter fields at the top level). */
export function filterOf(
  params: Readonly<Record<string, unknown>>,
  shape: ListShape | undefined,
): { key: string | null; filter: Record<string, unknown> } {
  const key = findKey(params, 'filter') ?? (shape?.filterParam === null ? null : (shape?.filterParam ?? 'filter'))
  const source = key === null ? params : params[key]
  return {
    key,
    filter: typeof source === 'object' && source !== null ? { ...(source as Record<string, unknown>) } : {},
  }
}
