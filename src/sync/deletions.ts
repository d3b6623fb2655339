/**
 * Where a sync learns which rows were deleted. Built in: the ID diff (the IDs the caller holds, kept in the
 * checkpoint, against an ID-only keyset scan of the portal, skipped when a count says nothing is missing) and
 * `'none'`. Anything else — the portal's delete events (`ONCRMDEALDELETE`, …) read from an offline-event queue or
 * an event handler's store — plugs in as a `DeletionSource`.
 */

/** A pluggable source of deleted IDs, e.g. the delete events an app collected. */
export interface DeletionSource {
  /**
   * The IDs of rows deleted since the previous run of this sync. Called once per run, after its changed rows
   * were read; the IDs are reported as they are (deduplicated).
   */
  deletedIds(signal?: AbortSignal): Promise<Iterable<number>>
}

/** How a sync finds deletions: `'idDiff'` (default), `'none'`, or a {@link DeletionSource}. */
export type DeletionMode = 'idDiff' | 'none' | DeletionSource

/** Merges sorted distinct IDs with unsorted ones into one sorted distinct list. */
export function sortedUnion(sorted: readonly number[], more: readonly number[]): number[] {
  const extra = [...new Set(more)].sort((a, b) => a - b)
  const out: number[] = []
  let i = 0
  let j = 0
  while (i < sorted.length || j < extra.length) {
    const next = j >= extra.length || (i < sorted.length && sorted[i] <= extra[j]) ? sorted[i++] : extra[j++]
    if (out.length === 0 || out[out.length - 1] !== next) out.push(next)
  }
  return out
}

/** Two sorted distinct lists compared: what only the first holds, and what only the second holds. */
export function sortedDiff(held: readonly number[], live: readonly number[]): { gone: number[]; unseen: number[] } {
  const gone: number[] = []
  const unseen: number[] = []
  let i = 0
  let j = 0
  while (i < held.length || j < live.length) {
    if (j >= live.length || (i < held.length && held[i] < live[j])) gone.push(held[i++])
    else if (i >= held.length || live[j] < held[i]) unseen.push(live[j++])
    else {
      i++
      j++
    }
  }
  return { gone, unseen }
}
