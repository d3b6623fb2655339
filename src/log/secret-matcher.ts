/** Shorter values are ignored: masking "a" or "12" everywhere would shred every log line. */
export const MIN_SECRET_LENGTH = 4

/** Secrets are looked up by their first characters: every secret has at least this many. */
const PREFIX = MIN_SECRET_LENGTH
/** Filter buckets per distinct prefix at least; about one text position in eight then needs a map lookup. */
const LOAD = 8
const MIN_BUCKETS = 1 << 12
/** A bucket counter that reached this stays set for good (it may cover prefixes it no longer counts). */
const STICKY = 255

/** Hash of the `PREFIX` characters of `text` at `at` (the caller guarantees they exist). */
function prefixHash(text: string, at: number): number {
  let hash = text.charCodeAt(at)
  hash = Math.imul(hash ^ text.charCodeAt(at + 1), 0x01000193)
  hash = Math.imul(hash ^ text.charCodeAt(at + 2), 0x01000193)
  hash = Math.imul(hash ^ text.charCodeAt(at + 3), 0x01000193)
  return (hash ^ (hash >>> 15)) >>> 0
}

/**
 * Finds any of a set of secrets anywhere in a text, at a cost per character that does not grow with the number
 * of secrets: a filter of prefix hashes rules out almost every position with four character reads; at the rest,
 * the text is looked up in one `Set` for each length that secrets starting with the same four characters have.
 * Adding or removing a secret is O(1) (nothing is recompiled), so an application holding the tokens of many
 * thousands of portals stays cheap, even when their tokens share long prefixes.
 * At each position the longest secret wins; matches do not overlap.
 */
export class SecretMatcher {
  readonly #secrets = new Set<string>()
  /** First `PREFIX` characters → the lengths of the secrets that start with them → how many have that length. */
  readonly #lengths = new Map<string, Map<number, number>>()
  #buckets = new Uint8Array(MIN_BUCKETS)

  get size(): number {
    return this.#secrets.size
  }

  has(secret: string): boolean {
    return this.#secrets.has(secret)
  }

  /** Adds a secret (4+ characters; shorter ones are ignored). Returns whether it is now matched. */
  add(secret: string): boolean {
    if (secret.length < MIN_SECRET_LENGTH) return false
    if (this.#secrets.has(secret)) return true
    this.#secrets.add(secret)
    const prefix = secret.slice(0, PREFIX)
    let lengths = this.#lengths.get(prefix)
    if (lengths === undefined) {
      lengths = new Map()
      this.#lengths.set(prefix, lengths)
      if (this.#lengths.size * LOAD > this.#buckets.length) this.#rebuildBuckets(this.#buckets.length * 4)
      else this.#count(prefix, 1)
    }
    lengths.set(secret.length, (lengths.get(secret.length) ?? 0) + 1)
    return true
  }

  delete(secret: string): boolean {
    if (!this.#secrets.delete(secret)) return false
    const prefix = secret.slice(0, PREFIX)
    const lengths = this.#lengths.get(prefix) as Map<number, number>
    const count = lengths.get(secret.length) as number
    if (count > 1) lengths.set(secret.length, count - 1)
    else lengths.delete(secret.length)
    if (lengths.size === 0) {
      this.#lengths.delete(prefix)
      this.#count(prefix, -1)
    }
    return true
  }

  clear(): void {
    this.#secrets.clear()
    this.#lengths.clear()
    this.#buckets = new Uint8Array(MIN_BUCKETS)
  }

  /** `text` with every secret replaced by `mask` (the same string when there is none). */
  replace(text: string, mask: string): string {
    if (this.#secrets.size === 0 || text.length < PREFIX) return text
    const buckets = this.#buckets
    const bucketMask = buckets.length - 1
    const last = text.length - PREFIX
    let out = ''
    let copied = 0
    let at = 0
    while (at <= last) {
      const found = buckets[prefixHash(text, at) & bucketMask] === 0 ? 0 : this.#longestAt(text, at)
      if (found === 0) {
        at++
        continue
      }
      out += text.slice(copied, at) + mask
      at += found
      copied = at
    }
    return copied === 0 ? text : out + text.slice(copied)
  }

  /** Length of the longest secret at `at`, or 0. */
  #longestAt(text: string, at: number): number {
    const lengths = this.#lengths.get(text.slice(at, at + PREFIX))
    if (lengths === undefined) return 0
    let longest = 0
    for (const length of lengths.keys()) {
      if (length > longest && at + length <= text.length && this.#secrets.has(text.slice(at, at + length))) {
        longest = length
      }
    }
    return longest
  }

  #count(prefix: string, delta: 1 | -1): void {
    const bucket = prefixHash(prefix, 0) & (this.#buckets.length - 1)
    const value = this.#buckets[bucket]
    if (value !== STICKY) this.#buckets[bucket] = value + delta
  }

  #rebuildBuckets(length: number): void {
    this.#buckets = new Uint8Array(length)
    for (const prefix of this.#lengths.keys()) this.#count(prefix, 1)
  }
}
