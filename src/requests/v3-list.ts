/**
 * Whole-list reads of REST 3.0 methods. Lists page with `pagination: { limit, offset }` at the method's documented
 * page cap; `tail` methods (`main.eventlog.tail`) move a `cursor` past the last row's field. Both are lazy
 * streams that stop on a short page, and fail with a `BitrixListError` rather than loop: a page that repeats the
 * previous one, a cursor that stalls or goes back, or more pages than `maxPages`.
 */
import type { CallOptions } from '../client/dispatcher.js'
import { BitrixListError, type BitrixListErrorReason, BitrixValidationError } from '../errors/index.js'
import { V3_PAGE_CAPS } from '../methods/generated/v3-names.js'
import type { BitrixResponse } from './response.js'

/** What the REST 3.0 readers send through. */
export interface V3ListSender {
  sendCall<T>(method: string, params: Record<string, unknown>, options: CallOptions): Promise<BitrixResponse<T>>
}

/** Options of a REST 3.0 whole-list read. */
export interface V3ListOptions {
  /** Stop after this many rows. */
  limit?: number
  /** Stops the read: no further page is requested. */
  signal?: AbortSignal
  /** The most pages the read may request; a list that needs more fails with `BitrixListError` (`maxPages`). */
  maxPages?: number
  /** Rows per page; default and upper bound: the method's documented maximum (50 where the docs name none). */
  pageSize?: number
}

interface Read {
  sender: V3ListSender
  method: string
  params: Readonly<Record<string, unknown>>
  reader: 'asList' | 'asListFast'
  options: V3ListOptions
}

/** Rows per page for `method`: the documented cap, or a smaller `pageSize`. */
export function v3PageSize(method: string, pageSize?: number): number {
  const cap = V3_PAGE_CAPS[method.toLowerCase()] ?? 50
  if (pageSize === undefined) return cap
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new BitrixValidationError({
      message: 'pageSize must be a whole number ≥ 1',
      method,
      parameter: 'pageSize',
      received: pageSize,
    })
  }
  return Math.min(pageSize, cap)
}

function fail(
  read: Read,
  reason: BitrixListErrorReason,
  detail: string,
  remedy: string,
  key?: string,
): BitrixListError {
  return new BitrixListError({ method: read.method, reader: read.reader, reason, detail, remedy, key })
}

function itemsOf(read: Read, result: unknown): unknown[] {
  const items = (result as { items?: unknown } | null)?.items
  if (!Array.isArray(items)) {
    throw fail(read, 'shape', 'the result has no items list', 'read this method with a plain call')
  }
  return items
}

function checkOptions(read: Read): void {
  const { limit, maxPages } = read.options
  for (const [name, value] of [
    ['limit', limit],
    ['maxPages', maxPages],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new BitrixValidationError({
        message: `${name} must be a whole number ≥ 0`,
        method: read.method,
        parameter: name,
        received: value,
      })
    }
  }
}

function isTail(method: string): boolean {
  return /\.tail$/i.test(method)
}

/** Every row of a REST 3.0 list or tail method, requested page by page as the loop asks. */
export async function* streamV3List<T>(read: Read): AsyncGenerator<T> {
  checkOptions(read)
  const pages = isTail(read.method) ? tailPages(read) : offsetPages(read)
  let yielded = 0
  for await (const page of pages) {
    for (const row of page) {
      if (read.options.limit !== undefined && yielded >= read.options.limit) return
      yielded++
      yield row as T
    }
  }
}

/** Every row as an array. */
export async function readV3List<T>(read: Read): Promise<T[]> {
  const rows: T[] = []
  for await (const row of streamV3List<T>(read)) rows.push(row)
  return rows
}

function countPage(read: Read, pages: number): void {
  if (read.options.signal?.aborted) throw read.options.signal.reason
  if (read.options.maxPages !== undefined && pages > read.options.maxPages) {
    throw fail(
      read,
      'maxPages',
      `the read needs more than ${read.options.maxPages} pages`,
      'raise maxPages or narrow the filter',
    )
  }
}

const sameRows = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length > 0 && a.length === b.length && JSON.stringify(a) === JSON.stringify(b)

async function* offsetPages(read: Read): AsyncGenerator<unknown[]> {
  const size = v3PageSize(read.method, read.options.pageSize)
  const start = (read.params.pagination as { offset?: unknown } | undefined)?.offset
  let offset = typeof start === 'number' && start > 0 ? start : 0
  let previous: unknown[] = []
  for (let pages = 1; ; pages++) {
    countPage(read, pages)
    const params = { ...read.params, pagination: { limit: size, offset } }
    const response = await read.sender.sendCall(read.method, params, { apiVersion: 3, signal: read.options.signal })
    const rows = itemsOf(read, response.result)
    if (sameRows(rows, previous)) {
      throw fail(
        read,
        'repeat',
        `the page at offset ${offset} repeats the one before`,
        'the method ignores pagination; read it with a plain call',
      )
    }
    yield rows
    if (rows.length < size) return
    previous = rows
    offset += rows.length
  }
}

type CursorValue = string | number

async function* tailPages(read: Read): AsyncGenerator<unknown[]> {
  const cursor = { ...((read.params.cursor as Record<string, unknown> | undefined) ?? {}) }
  const field = typeof cursor.field === 'string' ? cursor.field : 'id'
  const descending = String(cursor.order ?? 'ASC').toUpperCase() === 'DESC'
  const size = v3PageSize(
    read.method,
    read.options.pageSize ?? (typeof cursor.limit === 'number' ? cursor.limit : undefined),
  )
  let value = (cursor.value as CursorValue | undefined) ?? 0
  const seen = new Set<CursorValue>([value])
  for (let pages = 1; ; pages++) {
    countPage(read, pages)
    const params = {
      ...read.params,
      cursor: { ...cursor, field, order: descending ? 'DESC' : 'ASC', value, limit: size },
    }
    const response = await read.sender.sendCall(read.method, params, { apiVersion: 3, signal: read.options.signal })
    const rows = itemsOf(read, response.result)
    yield rows
    if (rows.length < size) return
    const next = (rows[rows.length - 1] as Record<string, unknown> | null)?.[field]
    if (typeof next !== 'number' && typeof next !== 'string') {
      throw fail(read, 'id', `the last row has no ${field} to move the cursor to`, `select "${field}"`, field)
    }
    const stalled = next === value
    const backwards = descending ? next > value : next < value
    if (stalled || backwards || seen.has(next)) {
      throw fail(
        read,
        'cursor',
        `the cursor ${stalled ? 'did not move' : backwards ? 'went back' : 'came back'} (${field} ${String(next)} after ${String(value)})`,
        `the method ignores its cursor on "${field}"; read it with plain calls`,
        field,
      )
    }
    seen.add(next)
    value = next
  }
}
