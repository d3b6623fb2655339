/**
 * One run of an incremental sync: every row changed or added since the checkpoint, each version once, then the
 * IDs deleted since, and the checkpoint for the next run.
 *
 * A run reads in passes. A pass reads, keyset by ID (about 2,500 rows per request, like `asListFast()`), the rows
 * whose modification date is at or after its lower bound: the previous run's start minus an overlap for the first
 * pass, the previous pass's start minus the overlap for the others. A row changed while a pass reads is either
 * ahead of the ID cursor (read with its new values) or behind it (read by the next pass, since its modification
 * date is after the pass started). Passes repeat until one brings nothing new, so the run ends caught up with
 * what was written while it read. Rows read again (the overlap, the boundary second) are recognised by ID and a
 * hash of the row, and skipped; a row that really changed again comes again, with its new values.
 */
import { BitrixListError, BitrixValidationError, describeValue } from '../errors/index.js'
import type { RawBatchResult } from '../requests/batch.js'
import {
  filterOf,
  findKey,
  type ListContext,
  type ListSender,
  listShapeOf,
  PageBudget,
  rowId,
} from '../requests/list-common.js'
import { readByIdChunks } from '../requests/list-id-chunks.js'
import { readByKeyset } from '../requests/list-keyset.js'
import type { ListShape } from '../requests/list-shape.js'
import type { BitrixResponse } from '../requests/response.js'
import {
  checkCheckpoint,
  decodeIds,
  encodeIds,
  queryKey,
  SYNC_CHECKPOINT_VERSION,
  type SyncCheckpoint,
} from './checkpoint.js'
import { type DeletionMode, sortedDiff, sortedUnion } from './deletions.js'
import { type ModifiedField, modifiedFieldOf } from './profile.js'

/** Options of `request.changesSince(checkpoint, options)`. */
export interface ChangesSinceOptions {
  /**
   * How deletions are found (default `'idDiff'`): the IDs the caller holds, stored compactly in the checkpoint,
   * compared with the portal's (a count first; an ID-only scan, ~2,500 IDs per request, only when the count
   * differs); `'none'`; or a {@link DeletionSource} such as the portal's delete events.
   */
  deletions?: DeletionMode
  /**
   * How far, in seconds, each read reaches back before the previous one started (default 60): a row whose
   * modification date was set before a read began but was committed after it is still found. Rows read again
   * are recognised and skipped.
   */
  overlapSeconds?: number
  /** The most read passes in one run (default 10); writes that never stop are left to the next run. */
  maxPasses?: number
  /** Stops the run: no further request is made and the iteration throws. */
  signal?: AbortSignal
}

/** What a finished run reports besides its rows. */
export interface SyncResult {
  /** IDs deleted since the previous run (or that left the query's filter), ascending. */
  deleted: number[]
  /** The checkpoint to store and pass to the next run. */
  checkpoint: SyncCheckpoint
  /** Read passes this run made. */
  passes: number
  /** Whether the ID diff had to scan every ID (a count did not match). */
  idScan: boolean
}

const DEFAULT_OVERLAP_SECONDS = 60
const DEFAULT_MAX_PASSES = 10

/** A 53-bit hash of a row as it came (cyrb53), to tell a row read again from a row changed again. */
function rowHash(row: unknown): string {
  const text = JSON.stringify(row)
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    h1 = Math.imul(h1 ^ code, 2654435761)
    h2 = Math.imul(h2 ^ code, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)
}

/** An instant as the portal prints it: Unix seconds and the portal's UTC offset in minutes. */
interface PortalInstant {
  seconds: number
  offset: number
  text: string
}

/** `2026-12-01T23:10:05+02:00` → the instant and its offset; undefined when it is not such a date. */
function parseInstant(text: string): PortalInstant | undefined {
  const match = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(Z|([+-])(\d{2}):?(\d{2}))$/.exec(text)
  const ms = Date.parse(text)
  if (!match || Number.isNaN(ms)) return undefined
  const offset = match[1] === 'Z' ? 0 : (match[2] === '-' ? -1 : 1) * (Number(match[3]) * 60 + Number(match[4]))
  return { seconds: Math.floor(ms / 1000), offset, text }
}

/** Unix seconds printed in the portal's offset, the form the portal itself prints: `2026-12-01T23:09:05+02:00`. */
function formatInstant(seconds: number, offset: number): string {
  const local = new Date((seconds + offset * 60) * 1000).toISOString().slice(0, 19)
  const abs = Math.abs(offset)
  const sign = offset < 0 ? '-' : '+'
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

/** When the request started, in the portal's time zone (its envelope's `date_start`). */
function requestStart(response: BitrixResponse<unknown>): PortalInstant {
  const printed = parseInstant(response.time.dateStart)
  if (printed) return printed
  const seconds = Math.floor(response.time.start)
  return { seconds, offset: 0, text: formatInstant(seconds, 0) }
}

function positiveInteger(method: string, name: string, value: number | undefined, fallback: number, zero: boolean) {
  if (value === undefined) return fallback
  if (Number.isSafeInteger(value) && (value > 0 || (zero && value === 0))) return value
  throw new BitrixValidationError({
    method,
    parameter: name,
    expected: zero ? 'a non-negative integer' : 'a positive integer',
    received: value,
  })
}

/** The call with the ID and the modification field in its `select` (when it lists fields). */
function withSyncFields(params: Readonly<Record<string, unknown>>, shape: ListShape, modified: ModifiedField) {
  const selectKey = findKey(params, 'select')
  const select = selectKey === undefined ? undefined : params[selectKey]
  if (selectKey === undefined || !Array.isArray(select) || select.includes('*')) return { ...params }
  const present = new Set(select.map((name) => String(name).toLowerCase()))
  const added = [shape.filterId, modified.filter].filter((name) => !present.has(name.toLowerCase()))
  return { ...params, [selectKey]: [...select, ...added] }
}

interface Delivered {
  modified: number
  hash: string
}

/** The state of one run, shared by its passes and its deletion check. */
class RunState {
  readonly delivered = new Map<number, Delivered>()
  /** IDs yielded by this run. */
  readonly yielded: number[] = []
  since: PortalInstant | undefined
  /** The count of rows matching the query, taken with the first request of the last pass. */
  count: number | undefined
  passes = 0
  /** Rows read below this modification time will not be read again: their versions need not be remembered. */
  keepFrom = Number.NEGATIVE_INFINITY

  constructor(previous: SyncCheckpoint | undefined) {
    for (const [id, modified, hash] of previous?.seen ?? []) this.delivered.set(id, { modified, hash })
  }

  /** Whether this version of the row is new to the caller; remembers it when it is. */
  fresh(id: number, modified: number, hash: string): boolean {
    if (this.delivered.get(id)?.hash === hash) return false
    if (modified >= this.keepFrom) this.delivered.set(id, { modified, hash })
    else this.delivered.delete(id)
    this.yielded.push(id)
    return true
  }

  forget(before: number): void {
    this.keepFrom = before
    for (const [id, entry] of this.delivered) if (entry.modified < before) this.delivered.delete(id)
  }
}

/** Reads a run; `finish` receives the result once every row was yielded. */
export async function* runSync(
  sender: ListSender,
  method: string,
  params: Readonly<Record<string, unknown>>,
  checkpoint: unknown,
  options: ChangesSinceOptions,
  finish: (result: SyncResult) => void,
): AsyncGenerator<unknown, void, undefined> {
  const context: ListContext = { sender, method, reader: 'changesSince' }
  const modified = modifiedFieldOf(method)
  const shape = await listShapeOf(context)
  if (!shape?.keyset) {
    throw new BitrixValidationError({ method, message: 'changesSince() needs a list method that filters by ID' })
  }
  const overlap = positiveInteger(method, 'overlapSeconds', options.overlapSeconds, DEFAULT_OVERLAP_SECONDS, true)
  const maxPasses = positiveInteger(method, 'maxPasses', options.maxPasses, DEFAULT_MAX_PASSES, false)
  const { key: filterKey, filter } = filterOf(params, shape)
  const own = Object.keys(filter).find(
    (key) => key.replace(/^[!<>=@%?]+/, '').toLowerCase() === modified.filter.toLowerCase(),
  )
  if (own !== undefined) {
    throw new BitrixValidationError({
      method,
      parameter: `filter.${own}`,
      message: `changesSince() sets the filter on ${modified.filter} itself; leave it out (the checkpoint says where to start)`,
    })
  }
  const entityTypeId = params[findKey(params, 'entityTypeId') ?? 'entityTypeId']
  const query = queryKey({ filter, ...(entityTypeId === undefined ? {} : { entityTypeId }) })
  const previous =
    checkpoint === null || checkpoint === undefined ? undefined : checkCheckpoint(checkpoint, method, query)
  const deletions = options.deletions ?? 'idDiff'
  const base = withSyncFields(params, shape, modified)
  const budget = new PageBudget(context, undefined)
  const state = new RunState(previous)
  const withFilter = (extra: Record<string, unknown>) => {
    const combined = { ...filter, ...extra }
    return filterKey === null ? { ...base, ...combined } : { ...base, [filterKey]: combined }
  }
  // The ID diff's count rides along with the first request of every pass: IDs only, counted, unordered.
  const countCall: Record<string, Record<string, unknown>> = {}
  if (deletions === 'idDiff') {
    const { [findKey(base, 'order') ?? 'order']: _order, ...unordered } = withFilter({})
    countCall.n = { ...unordered, select: [shape.filterId], start: 0 }
  }

  let lowerBound = previous === undefined ? undefined : parseInstant(previous.since)
  if (lowerBound) lowerBound = { ...lowerBound, seconds: lowerBound.seconds - overlap }
  while (state.passes < maxPasses) {
    state.passes++
    const bound = lowerBound ? { [`>=${modified.filter}`]: formatInstant(lowerBound.seconds, lowerBound.offset) } : {}
    let started: PortalInstant | undefined
    const receive = (response: BitrixResponse<RawBatchResult>) => {
      started = requestStart(response)
      state.keepFrom = Math.max(state.keepFrom, started.seconds - overlap)
      const total = (response.result.result_total as Record<string, unknown> | undefined)?.n
      state.count = total === undefined ? undefined : Number(total)
    }
    let news = 0
    const rows = readByKeyset(context, withFilter(bound), shape, {
      budget,
      signal: options.signal,
      firstRequest: { calls: countCall, receive },
    })
    for await (const row of rows) {
      const id = rowId(context, row, shape.rowId)
      if (!state.fresh(id, modifiedOf(context, row, modified), rowHash(row))) continue
      news++
      yield row
    }
    if (started === undefined) throw new Error('unreachable: a pass always sends a request')
    state.since = started
    state.forget(started.seconds - overlap)
    lowerBound = { ...started, seconds: started.seconds - overlap }
    if (news === 0) break
  }

  const since = state.since as PortalInstant
  let deleted: number[] = []
  let ids: string | undefined
  let idScan = false
  if (deletions === 'idDiff') {
    const known = previous === undefined ? [] : previous.ids === undefined ? undefined : decodeIds(previous.ids)
    const held = sortedUnion(known ?? [], state.yielded)
    if (known !== undefined && state.count === held.length) ids = encodeIds(held)
    else {
      idScan = true
      const live: number[] = []
      const scan = readByKeyset(context, { ...withFilter({}), select: [shape.filterId] }, shape, {
        budget,
        signal: options.signal,
      })
      for await (const row of scan) live.push(rowId(context, row, shape.rowId))
      live.sort((a, b) => a - b)
      const { gone, unseen } = sortedDiff(held, live)
      deleted = gone
      ids = encodeIds(live)
      // Rows that exist but were never delivered (restored from the recycle bin, or written after the last pass).
      if (known !== undefined && unseen.length > 0) {
        const filled = withFilter({ [`@${shape.filterId}`]: unseen })
        for (const row of await readByIdChunks(context, filled, shape, unseen, { budget, signal: options.signal })) {
          const id = rowId(context, row, shape.rowId)
          if (state.fresh(id, modifiedOf(context, row, modified), rowHash(row))) yield row
        }
      }
    }
  } else if (deletions !== 'none') {
    deleted = [...new Set(await deletions.deletedIds(options.signal))].sort((a, b) => a - b)
  }
  const seen: SyncCheckpoint['seen'] = []
  for (const [id, entry] of state.delivered) seen.push([id, entry.modified, entry.hash])
  const next: SyncCheckpoint = { version: SYNC_CHECKPOINT_VERSION, method, query, since: since.text, seen }
  if (ids !== undefined) next.ids = ids
  finish({ deleted, checkpoint: next, passes: state.passes, idScan })
}

/** The modification time of a row, Unix seconds; a row without one cannot be synced. */
function modifiedOf(context: ListContext, row: unknown, modified: ModifiedField): number {
  const value = typeof row === 'object' && row !== null ? (row as Record<string, unknown>)[modified.row] : undefined
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN
  if (Number.isNaN(ms)) {
    throw new BitrixListError({
      method: context.method,
      reader: 'changesSince',
      reason: 'shape',
      detail: `a row has ${value === undefined ? 'no' : `an unreadable (${describeValue(value)})`} "${modified.row}" date`,
      remedy: `keep "${modified.filter}" in select`,
      key: modified.row,
    })
  }
  return Math.floor(ms / 1000)
}

/**
 * An incremental sync run (`request.changesSince(checkpoint)`): iterate it for the rows changed or added since the
 * checkpoint, each version once; then `result()` gives the IDs deleted since and the checkpoint to store.
 * @example
 * const run = client.crm.deal.list({ select: ['ID', 'TITLE'] }).changesSince(stored)
 * for await (const deal of run) upsert(deal)
 * const { deleted, checkpoint } = run.result()
 */
export class SyncRun<R> implements AsyncIterable<R> {
  readonly #start: (finish: (result: SyncResult) => void) => AsyncGenerator<unknown, void, undefined>
  readonly #method: string
  #started = false
  #result: SyncResult | undefined

  /** @internal Runs are made by `request.changesSince(…)`. */
  constructor(
    method: string,
    start: (finish: (result: SyncResult) => void) => AsyncGenerator<unknown, void, undefined>,
  ) {
    this.#method = method
    this.#start = start
  }

  /** The changed and added rows; a run is read once. */
  [Symbol.asyncIterator](): AsyncIterator<R> {
    if (this.#started) {
      throw new BitrixValidationError({
        method: this.#method,
        message: 'a sync run is read once; start the next one with changesSince(run.result().checkpoint)',
      })
    }
    this.#started = true
    return this.#start((result) => {
      this.#result = result
    })[Symbol.asyncIterator]() as AsyncIterator<R>
  }

  /** The IDs deleted since the previous run and the checkpoint to store; available once every row was read. */
  result(): SyncResult {
    if (this.#result === undefined) {
      throw new BitrixValidationError({
        method: this.#method,
        message: 'the sync run has not finished: read every row (for await … of run) before asking for its result',
      })
    }
    return this.#result
  }
}
