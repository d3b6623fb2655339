/**
 * The checkpoint of an incremental sync: plain JSON the caller stores between runs. It says where the next run
 * starts reading (`since`, in the portal's time zone), which row versions near that point were already delivered
 * (`seen`), and, for the ID diff, which IDs the caller holds (`ids`, compact ranges).
 */
import { BitrixValidationError, describeValue } from '../errors/index.js'

/** The checkpoint format this SDK writes and reads. */
export const SYNC_CHECKPOINT_VERSION = 1

/**
 * Where an incremental sync (`request.changesSince(checkpoint)`) stopped: plain JSON, stored by the caller
 * (a file, a database row) and passed to the next run. One checkpoint per list query.
 */
export interface SyncCheckpoint {
  /** The format version ({@link SYNC_CHECKPOINT_VERSION}). */
  version: 1
  /** The list method the checkpoint belongs to, e.g. `crm.deal.list`. */
  method: string
  /** The query it belongs to (the filter, and `entityTypeId` for `crm.item.list`), as canonical JSON. */
  query: string
  /**
   * When the last read pass started, as the portal printed it (`2026-12-01T23:10:05+02:00`, the portal's time
   * zone). The next run reads rows modified at or after this instant minus `overlapSeconds`.
   */
  since: string
  /**
   * Row versions already delivered whose modification time lies inside that overlap window:
   * `[id, modified (Unix seconds), hash of the row]`. The next run skips exactly these versions.
   */
  seen: Array<[id: number, modified: number, hash: string]>
  /**
   * The IDs the caller holds, for the ID diff: ranges `"1-9900,9902,9904-10200"`. Absent when deletions come from
   * another source.
   */
  ids?: string
}

/** The query a checkpoint is tied to: the filter (and `entityTypeId`), with keys sorted, as JSON. */
export function queryKey(parts: Record<string, unknown>): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical)
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key])
      return out
    }
    return value
  }
  return JSON.stringify(canonical(parts))
}

const RANGES = /^(\d+(-\d+)?(,\d+(-\d+)?)*)?$/

function invalid(method: string, parameter: string, expected: string, received: unknown): BitrixValidationError {
  return new BitrixValidationError({ method, parameter: `checkpoint.${parameter}`, expected, received })
}

/**
 * Checks a stored checkpoint before a run uses it: its version, that it belongs to this method and query, and
 * the shape of every field. A checkpoint that fails is never half-used.
 */
export function checkCheckpoint(value: unknown, method: string, query: string): SyncCheckpoint {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(method, 'version', 'a checkpoint object returned by a previous run (or null)', value)
  }
  const checkpoint = value as Partial<SyncCheckpoint>
  if (checkpoint.version !== SYNC_CHECKPOINT_VERSION) {
    throw invalid(method, 'version', `${SYNC_CHECKPOINT_VERSION}`, checkpoint.version)
  }
  if (checkpoint.method !== method) {
    throw new BitrixValidationError({
      method,
      parameter: 'checkpoint.method',
      message: `the checkpoint belongs to ${describeValue(checkpoint.method)}; pass the checkpoint of this method's own sync (or null to start over)`,
    })
  }
  if (checkpoint.query !== query) {
    throw new BitrixValidationError({
      method,
      parameter: 'checkpoint.query',
      message: `the checkpoint was made for another filter (${describeValue(checkpoint.query)}); keep one checkpoint per query, or pass null to start over`,
    })
  }
  if (typeof checkpoint.since !== 'string' || Number.isNaN(Date.parse(checkpoint.since))) {
    throw invalid(method, 'since', 'an ISO 8601 date-time', checkpoint.since)
  }
  const seen = checkpoint.seen
  const entryOk = (entry: unknown) =>
    Array.isArray(entry) &&
    entry.length === 3 &&
    Number.isSafeInteger(entry[0]) &&
    Number.isFinite(entry[1]) &&
    typeof entry[2] === 'string'
  if (!Array.isArray(seen) || !seen.every(entryOk)) {
    throw invalid(method, 'seen', 'a list of [id, modified, hash] entries', seen)
  }
  if (checkpoint.ids !== undefined && (typeof checkpoint.ids !== 'string' || !RANGES.test(checkpoint.ids))) {
    throw invalid(method, 'ids', 'ID ranges such as "1-10,12"', checkpoint.ids)
  }
  return checkpoint as SyncCheckpoint
}

/** Sorted, distinct IDs as ranges: `[1,2,3,5]` → `"1-3,5"`. */
export function encodeIds(sorted: readonly number[]): string {
  const parts: string[] = []
  let index = 0
  while (index < sorted.length) {
    const start = sorted[index]
    let end = start
    while (index + 1 < sorted.length && sorted[index + 1] === end + 1) end = sorted[++index]
    parts.push(start === end ? String(start) : `${start}-${end}`)
    index++
  }
  return parts.join(',')
}

/** Ranges back to sorted IDs: `"1-3,5"` → `[1,2,3,5]`. */
export function decodeIds(ranges: string): number[] {
  const ids: number[] = []
  if (ranges === '') return ids
  for (const part of ranges.split(',')) {
    const [start, end] = part.split('-').map(Number)
    for (let id = start; id <= (end ?? start); id++) ids.push(id)
  }
  return ids
}
