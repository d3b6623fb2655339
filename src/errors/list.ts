import { BitrixError, type BitrixErrorJSON } from './base.js'

/** Why a list reader gave up. */
export type BitrixListErrorReason =
  /** The `>ID` cursor did not move: the method ignores the ID filter or the ID order. */
  | 'cursor'
  /** A row has no ID field, or a non-numeric one, so keyset paging cannot continue after it. */
  | 'id'
  /** A page repeats rows already read: the method ignores `start` (offsets) or the cursor. */
  | 'repeat'
  /** A result that is not a list, or a `batch` reply that is not shaped like one. */
  | 'shape'
  /** The read needs more pages than `maxPages` allows. */
  | 'maxPages'

/** What a `BitrixListError` is built from: the list read, why it stopped, and what to do. */
export interface BitrixListErrorOptions {
  /** The list method, e.g. `crm.deal.list`. */
  method: string
  /** The reader: `asList()`, `asListFast()` or `changesSince()`. */
  reader: 'asList' | 'asListFast' | 'changesSince'
  /** Why the reader gave up. */
  reason: BitrixListErrorReason
  /** The ID key involved (`ID`, `id`), when the reason is about IDs. */
  key?: string
  /** What went wrong, in a few words. */
  detail: string
  /** What to do about it. */
  remedy: string
}

/**
 * A list read that cannot finish correctly: the server's answers would make it loop, repeat or drop rows.
 * Raised instead of returning a wrong list; the message names the method, the reader and the remedy.
 *
 * @example
 * // crm.deal.list: asListFast() stopped: the ID cursor did not advance (ID 7 after 50) — the method ignores
 * // ">ID"; read it with asList({ strategy: 'offsets' })
 */
export class BitrixListError extends BitrixError {
  override readonly name: string = 'BitrixListError'
  readonly method: string
  readonly reader: 'asList' | 'asListFast' | 'changesSince'
  readonly reason: BitrixListErrorReason
  readonly key: string | undefined

  constructor(options: BitrixListErrorOptions) {
    super(`${options.method}: ${options.reader}() stopped: ${options.detail}; ${options.remedy}`)
    this.method = options.method
    this.reader = options.reader
    this.reason = options.reason
    this.key = options.key
  }

  override toJSON(): BitrixErrorJSON {
    const { method, reader, reason, key } = this
    return { ...super.toJSON(), method, reader, reason, key }
  }
}
