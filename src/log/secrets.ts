/** Shorter values are ignored: masking "a" or "12" everywhere would shred every log line. */
const MIN_SECRET_LENGTH = 4

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')

/** Length of the common prefix of two strings, from `from` on. */
function commonPrefix(a: string, b: string, from: number): number {
  let i = from
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++
  return i
}

/**
 * Regex source for `sorted[lo..hi)`, which all share their first `depth` characters, as a prefix tree:
 * `abcd, abcdef, abxy` → `ab(?:cd(?:ef|)|xy)`. A flat `a|b|c` alternation is tried branch by branch at every
 * position (10,000 tokens: ~700 µs a line); the tree needs a few character tests (~1 µs).
 */
function treeSource(sorted: readonly string[], lo: number, hi: number, depth: number): string {
  const optional = sorted[lo].length === depth
  if (optional) lo++
  if (lo === hi) return ''
  let body: string
  const shared = commonPrefix(sorted[lo], sorted[hi - 1], depth)
  if (shared > depth) {
    body = escapeRegExp(sorted[lo].slice(depth, shared)) + treeSource(sorted, lo, hi, shared)
  } else {
    const branches: string[] = []
    for (let start = lo; start < hi; ) {
      const char = sorted[start][depth]
      let end = start + 1
      while (end < hi && sorted[end][depth] === char) end++
      branches.push(escapeRegExp(char) + treeSource(sorted, start, end, depth + 1))
      start = end
    }
    body = branches.length === 1 ? branches[0] : `(?:${branches.join('|')})`
  }
  // The empty branch goes last, so the longer secret wins when one is a prefix of another.
  return optional ? `(?:${body}|)` : body
}

/** Compiles secrets (4+ characters) into one global RegExp, or `undefined` when there are none. */
export function compileSecrets(secrets: Iterable<string>): RegExp | undefined {
  const unique = new Set<string>()
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH) unique.add(secret)
  }
  if (unique.size === 0) return undefined
  const sorted = [...unique].sort()
  return new RegExp(treeSource(sorted, 0, sorted.length, 0), 'g')
}

export interface SecretRegistryOptions {
  /** Oldest secrets are forgotten beyond this many (rotated tokens pile up in long-running apps). Default 10,000. */
  maxSize?: number
}

/**
 * The set of secret values (webhook keys, access/refresh tokens, client secrets, application tokens) that must
 * never appear in a log line or an error message. Credentials register their secrets here; `redact` masks them.
 *
 * @example
 * secretRegistry.add(token.accessToken)
 * redact(`token is ${token.accessToken}`) // 'token is ***'
 */
export class SecretRegistry implements Iterable<string> {
  readonly maxSize: number
  readonly #secrets = new Set<string>()
  #compiled: RegExp | undefined
  #dirty = false

  constructor(options: SecretRegistryOptions = {}) {
    this.maxSize = Math.max(1, options.maxSize ?? 10_000)
  }

  /** Registers a secret; values shorter than 4 characters and non-strings are ignored. Returns whether it is held. */
  add(secret: string | null | undefined): boolean {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return false
    if (this.#secrets.has(secret)) return true
    this.#secrets.add(secret)
    if (this.#secrets.size > this.maxSize) {
      const oldest = this.#secrets.values().next().value
      if (oldest !== undefined) this.#secrets.delete(oldest)
    }
    this.#dirty = true
    return true
  }

  has(secret: string): boolean {
    return this.#secrets.has(secret)
  }

  delete(secret: string): boolean {
    const deleted = this.#secrets.delete(secret)
    if (deleted) this.#dirty = true
    return deleted
  }

  clear(): void {
    if (this.#secrets.size === 0) return
    this.#secrets.clear()
    this.#dirty = true
  }

  get size(): number {
    return this.#secrets.size
  }

  values(): IterableIterator<string> {
    return this.#secrets.values()
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.#secrets.values()
  }

  /** One global RegExp matching any registered secret; compiled lazily and cached until the set changes. */
  toRegExp(): RegExp | undefined {
    if (this.#dirty) {
      this.#compiled = compileSecrets(this.#secrets)
      this.#dirty = false
    }
    return this.#compiled
  }
}

const GLOBAL_KEY = Symbol.for('b24tssdk.secretRegistry')
type GlobalWithRegistry = typeof globalThis & { [GLOBAL_KEY]?: SecretRegistry }

/**
 * The process-wide registry every `BaseLogger` and every error message is redacted against. Kept on `globalThis`
 * under a `Symbol.for` key so that the ESM and CJS builds (or two bundled copies) share one set.
 */
function globalRegistry(): SecretRegistry {
  const runtime = globalThis as GlobalWithRegistry
  const existing = runtime[GLOBAL_KEY]
  if (existing !== undefined) return existing
  const created = new SecretRegistry()
  runtime[GLOBAL_KEY] = created
  return created
}

export const secretRegistry: SecretRegistry = globalRegistry()
