/**
 * The REST 3.0 idempotency store (rest-v3.md, "Repeated calls without duplicates"): the answer of a successful
 * write is kept for 24 hours of emulator time per credential + user + method + key; the same key with the same
 * body replays it, with another body it is refused (422). A failed call stores nothing, and two calls with the
 * same key in flight at once may both run — as documented.
 */

/** How long a stored answer is replayed, emulator seconds (24 h). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600

/** The documented key: 1 to 255 printable ASCII characters. */
export function isValidIdempotencyKey(key: string): boolean {
  return /^[\x20-\x7e]{1,255}$/.test(key)
}

/** A stored successful answer. */
export interface StoredAnswer {
  status: number
  body: unknown
}

interface Entry {
  fingerprint: string
  answer: StoredAnswer
  expiresAt: number
}

/** What a key finds: nothing (run the call), the stored answer (replay), or a different body (422). */
export type IdempotencyLookup = { kind: 'miss' } | { kind: 'replay'; answer: StoredAnswer } | { kind: 'conflict' }

/** A body as a canonical string: keys sorted, so key order does not make two bodies differ. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  )
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>()

  /** `scope` is the credential + user + method the key is unique within. */
  lookup(scope: string, key: string, body: string, now: number): IdempotencyLookup {
    this.prune(now)
    const entry = this.entries.get(`${scope}\n${key}`)
    if (!entry) return { kind: 'miss' }
    return entry.fingerprint === body ? { kind: 'replay', answer: entry.answer } : { kind: 'conflict' }
  }

  store(scope: string, key: string, body: string, answer: StoredAnswer, now: number): void {
    this.entries.set(`${scope}\n${key}`, { fingerprint: body, answer, expiresAt: now + IDEMPOTENCY_TTL_SECONDS })
  }

  /** Entries are kept in expiry order (one TTL, a clock that only moves forward): drop from the front. */
  private prune(now: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt > now) return
      this.entries.delete(id)
    }
  }
}
