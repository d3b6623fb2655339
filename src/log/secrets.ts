import { MIN_SECRET_LENGTH, SecretMatcher } from './secret-matcher.js'

/** What `new SecretRegistry(…)` takes: how many loose secrets it remembers. */
export interface SecretRegistryOptions {
  /**
   * Secrets no live credential holds any more (rotated-out tokens, values registered with `add`) are forgotten,
   * oldest first, beyond this many. Secrets held by a live owner (`hold`) are never forgotten. Default 10,000.
   */
  maxSize?: number
}

const isSecret = (value: unknown): value is string => typeof value === 'string' && value.length >= MIN_SECRET_LENGTH

/**
 * The set of secret values (webhook keys, access/refresh tokens, client secrets, application tokens) that must
 * never appear in a log line or an error message. Credentials `hold` their current secrets here for as long as
 * they live; replaced and loose (`add`) values stay masked until `maxSize` newer ones push them out.
 * `redact` masks all of them, at a cost that does not grow with their number.
 *
 * @example
 * secretRegistry.hold(credentials, 'accessToken', token.accessToken) // masked while `credentials` lives
 * secretRegistry.add(oneOffSecret)                                     // masked until 10,000 newer ones
 * redact(`token is ${token.accessToken}`) // 'token is ***'
 */
export class SecretRegistry implements Iterable<string> {
  readonly maxSize: number
  readonly #matcher = new SecretMatcher()
  /** Secrets no live owner holds, oldest first. */
  readonly #loose = new Set<string>()
  /** Secret → how many live owner slots hold it. */
  readonly #held = new Map<string, number>()
  /** Owner → slot name → the secret it holds there. */
  #owners = new WeakMap<object, Map<string, string>>()
  readonly #finalizer =
    typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry<Map<string, string>>((slots) => this.#releaseSlots(slots))
      : undefined

  constructor(options: SecretRegistryOptions = {}) {
    this.maxSize = Math.max(1, options.maxSize ?? 10_000)
  }

  /**
   * Registers a secret nobody holds: it stays masked until `maxSize` newer loose secrets arrive (adding it again
   * makes it the newest). Values shorter than 4 characters and non-strings are ignored. Returns whether it is kept.
   */
  add(secret: string | null | undefined): boolean {
    if (!isSecret(secret)) return false
    if (!this.#held.has(secret)) this.#addLoose(secret)
    return true
  }

  /**
   * `owner`'s `slot` now holds `secret`: it is masked, and never forgotten, while `owner` is alive and the slot
   * keeps it. The value the slot held before becomes loose (still masked until `maxSize` newer ones).
   * `undefined`, `null` or a too-short value empties the slot. Returns whether `secret` is held.
   *
   * @example secretRegistry.hold(this, 'refreshToken', grant.refreshToken)
   */
  hold(owner: object, slot: string, secret: string | null | undefined): boolean {
    let slots = this.#owners.get(owner)
    const previous = slots?.get(slot)
    if (previous === secret) return previous !== undefined
    if (isSecret(secret)) {
      if (slots === undefined) {
        slots = new Map()
        this.#owners.set(owner, slots)
        this.#finalizer?.register(owner, slots, owner)
      }
      slots.set(slot, secret)
      this.#held.set(secret, (this.#held.get(secret) ?? 0) + 1)
      this.#loose.delete(secret)
      this.#matcher.add(secret)
    } else {
      slots?.delete(slot)
    }
    if (previous !== undefined) this.#unhold(previous)
    return isSecret(secret)
  }

  /** Lets go of every secret `owner` holds; they become loose (still masked until `maxSize` newer ones). */
  release(owner: object): void {
    const slots = this.#owners.get(owner)
    if (slots === undefined) return
    this.#owners.delete(owner)
    this.#finalizer?.unregister(owner)
    this.#releaseSlots(slots)
  }

  /** Whether `secret` is currently masked (held or loose). */
  has(secret: string): boolean {
    return this.#held.has(secret) || this.#loose.has(secret)
  }

  /** Forgets a secret now, held or not. */
  delete(secret: string): boolean {
    const deleted = this.#held.delete(secret) || this.#loose.delete(secret)
    if (deleted) this.#matcher.delete(secret)
    return deleted
  }

  /** Forgets every secret, held or not; nothing is masked afterwards until secrets are registered again. */
  clear(): void {
    this.#held.clear()
    this.#loose.clear()
    this.#matcher.clear()
    this.#owners = new WeakMap()
  }

  /** Secrets held by live owners plus loose ones. */
  get size(): number {
    return this.#held.size + this.#loose.size
  }

  /** How many secrets live owners hold (never forgotten). */
  get heldSize(): number {
    return this.#held.size
  }

  /** Every secret currently masked: held ones first, then loose ones oldest first. */
  *values(): IterableIterator<string> {
    yield* this.#held.keys()
    yield* this.#loose
  }

  /** The same as `values()`, so a registry can be passed where an `Iterable<string>` of secrets is expected. */
  [Symbol.iterator](): IterableIterator<string> {
    return this.values()
  }

  /** `text` with every registered secret replaced by `mask`. */
  mask(text: string, mask: string): string {
    return this.#matcher.replace(text, mask)
  }

  #releaseSlots(slots: Map<string, string>): void {
    for (const secret of slots.values()) this.#unhold(secret)
    slots.clear()
  }

  #unhold(secret: string): void {
    const count = this.#held.get(secret)
    if (count === undefined) return // deleted or cleared meanwhile
    if (count > 1) this.#held.set(secret, count - 1)
    else {
      this.#held.delete(secret)
      this.#addLoose(secret)
    }
  }

  #addLoose(secret: string): void {
    this.#loose.delete(secret)
    this.#loose.add(secret)
    this.#matcher.add(secret)
    while (this.#loose.size > this.maxSize) {
      const oldest = this.#loose.values().next().value as string
      this.#loose.delete(oldest)
      this.#matcher.delete(oldest)
    }
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

/**
 * The process-wide registry every `BaseLogger` and every error message is redacted against; credentials register
 * their secrets here themselves. Shared by the ESM and CJS builds.
 */
export const secretRegistry: SecretRegistry = globalRegistry()
