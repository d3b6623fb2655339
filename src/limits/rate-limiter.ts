/**
 * The limiter a client runs before every request: a leaky bucket per portal and an operating-time budget per
 * method, both kept in a `LimiterStore`. The decisions are the pure functions of `leaky-bucket.ts` and
 * `operating.ts`; this class only waits, counts calls in flight and feeds reports back.
 */
import type { BitrixTime } from '../requests/response.js'
import { type BucketSpec, fullDrainMs } from './leaky-bucket.js'
import type { AcquireOptions, Limiter, LimiterOutcome, OperatingBudget } from './limiter.js'
import { markBlocked, mergeReport, type OperatingPolicy, type OperatingSnapshot, operatingDelay } from './operating.js'
import { bucketOf, type PlanName } from './plan.js'
import { QueueBudget } from './queue-budget.js'
import { ServerClock } from './server-clock.js'
import { type LimiterStore, MemoryStore } from './store.js'
import { isPromise, wait } from './wait.js'

/** What `RateLimiterOptions.onWait` is told before the limiter holds a request back. */
export interface WaitInfo {
  /** `bucket`: request rate; `operating`: a method's time budget; `backoff`: recovering from a 503 or 429. */
  reason: 'bucket' | 'operating' | 'backoff'
  /** The method, or `batch` for a request carrying several. */
  method: string
  /** How long the request will wait, ms. */
  waitMs: number
}

/** What `new RateLimiter(…)` takes: the plan, the operating-time policy and where the state is kept. */
export interface RateLimiterOptions {
  /** The portal's tariff or its own bucket; default `'standard'`. `detectPlan(appInfo)` reads it from `app.info`. */
  plan?: PlanName | BucketSpec
  /** Seconds of server time per method per 10 minutes; default 480. */
  operatingLimit?: number
  /** Share of `operatingLimit` a method may use before its calls wait for the reset; default 0.9. */
  operatingThreshold?: number
  /** Share above which a method's calls are spaced so the rest lasts until the next reset; default 0.8. */
  operatingSpreadFrom?: number
  /**
   * How many times faster than real time the portal runs (an emulator's `timeScale`): waits are divided by it
   * and the drain rate multiplied. Default 1.
   */
  timeScale?: number
  /** Shared state; default a `MemoryStore` of this limiter alone. */
  store?: LimiterStore
  /** Names this portal (and credential) in the store, so limiters sharing a store share its limits; default `'default'`. */
  key?: string
  /**
   * Names the application (its `client_id`, or the webhook) for the operating-time budget, which the portal keeps
   * per application and method while the request bucket is the portal's: apps sharing one `key` and store then
   * share the bucket but not each other's operating time. Default: the operating time is `key`'s too.
   */
  app?: string
  /** Called before each wait. */
  onWait?: (info: WaitInfo) => void
}

/** How long an unanswered call counts as in flight, portal seconds (a request is cut after 60 s). */
const IN_FLIGHT_SECONDS = 90
/** Real seconds a request may arrive late relative to the one before it without finding the bucket full. */
const JITTER_SECONDS = 0.1
/** Snapshots outlive the 10-minute window by a little. */
const SNAPSHOT_SECONDS = 660

interface Ticket {
  expiresAt: number
}

/**
 * Paces requests so a portal never answers 503 or 429 while keeping as close to its limits as they allow.
 *
 * @example
 * const client = new Client(webhook, { limiter: new RateLimiter({ plan: 'enterprise' }) })
 */
export class RateLimiter implements Limiter {
  readonly #store: LimiterStore
  readonly #key: string
  readonly #operatingPrefix: string
  readonly #policy: OperatingPolicy
  readonly #clock: ServerClock
  readonly #onWait: RateLimiterOptions['onWait']
  #bucket!: BucketSpec
  #plan!: BucketSpec
  /** Until when (local ms) bucket waits count as recovery from a 503. */
  #recoveringUntil = 0
  /** Total delay added to queued calls by refusals, ms. */
  #shiftMs = 0
  readonly #inFlight = new Map<string, Ticket[]>()
  readonly #lastPass = new Map<string, number>()
  readonly #wakers = new Map<string, Set<() => void>>()
  readonly #writes = new Map<string, Promise<void>>()

  constructor(options: RateLimiterOptions = {}) {
    const timeScale = options.timeScale ?? 1
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError('timeScale must be a positive number')
    const limit = options.operatingLimit ?? 480
    const threshold = options.operatingThreshold ?? 0.9
    const spreadFrom = options.operatingSpreadFrom ?? 0.8
    if (!(limit > 0)) throw new RangeError('operatingLimit must be positive')
    if (!(threshold > 0 && threshold <= 1)) throw new RangeError('operatingThreshold must be in (0, 1]')
    this.#policy = { limit, threshold, spreadFrom }
    this.#clock = new ServerClock(timeScale)
    this.#store = options.store ?? new MemoryStore()
    this.#key = options.key ?? 'default'
    this.#operatingPrefix = options.app === undefined ? this.#key : `${this.#key}:app:${options.app}`
    this.#onWait = options.onWait
    this.setPlan(options.plan ?? 'standard')
  }

  /** Seconds of server time per method per 10 minutes this limiter keeps each method under. */
  get operatingLimit(): number {
    return this.#policy.limit
  }

  /** The portal's bucket (unscaled). */
  get plan(): BucketSpec {
    return { ...this.#plan }
  }

  /** Switches the bucket, e.g. once `app.info` told the tariff. */
  setPlan(plan: PlanName | BucketSpec): void {
    this.#plan = bucketOf(plan)
    const { burst, drainPerSecond } = this.#plan
    // A little room under the burst absorbs network jitter and a portal that drains once a second.
    const drain = drainPerSecond * this.#clock.timeScale
    // Never more than a tenth of the burst: a fast drain (a scaled emulator) must not shrink the burst to nothing.
    const wanted = Math.max(1, Math.ceil(drainPerSecond), Math.ceil(drain * JITTER_SECONDS))
    const headroom = Math.min(burst - 1, Math.max(1, Math.ceil(burst / 10)), wanted)
    this.#bucket = { burst: burst - headroom, drainPerSecond: drain }
  }

  async acquire(methods: readonly string[], signal?: AbortSignal, options?: AcquireOptions): Promise<void> {
    signal?.throwIfAborted()
    const label = methods.length === 1 ? methods[0] : 'batch'
    const budget = new QueueBudget(label, options)
    const tickets: Array<[string, Ticket[]]> = []
    try {
      for (const [method, calls] of countMethods(methods)) {
        tickets.push([method, await this.#operatingGate(method, calls, budget, signal)])
      }
      await this.#bucketGate(label, budget, signal)
    } catch (error) {
      for (const [method, taken] of tickets) this.#dropInFlight(method, taken)
      throw error
    }
    const expiresAt = Date.now() + this.#clock.toMs(IN_FLIGHT_SECONDS)
    for (const [, taken] of tickets) for (const ticket of taken) ticket.expiresAt = expiresAt
  }

  record(methods: readonly string[], outcome: LimiterOutcome): void {
    const localNow = Date.now()
    const counts = countMethods(methods)
    for (const [method, calls] of counts) this.#settle(method, calls)
    if (outcome.time) this.#clock.observe(outcome.time.start, localNow)
    if (outcome.refused === 'QUERY_LIMIT_EXCEEDED') {
      this.#recoveringUntil = localNow + (this.#bucket.burst * 1000) / this.#bucket.drainPerSecond
      this.#shiftMs += 1000 / this.#bucket.drainPerSecond
      settle(this.#store.fill(this.#bucketKey, localNow, this.#bucket))
    }
    const reports =
      outcome.subTimes ?? (outcome.time && methods.length === 1 ? [{ method: methods[0], time: outcome.time }] : [])
    const byMethod = new Map<string, BitrixTime[]>()
    for (const { method, time } of reports) {
      this.#clock.observe(time.start, localNow)
      const name = method.toLowerCase()
      const times = byMethod.get(name)
      if (times) times.push(time)
      else byMethod.set(name, [time])
    }
    for (const [method, times] of byMethod) {
      this.#update(method, (snapshot) => times.reduce(foldTime, snapshot) as OperatingSnapshot)
    }
    const blocked = outcome.refused === 'OPERATION_TIME_LIMIT' ? [...counts.keys()] : (outcome.blocked ?? [])
    if (blocked.length > 0) {
      const now = this.#clock.now(localNow)
      for (const method of new Set(blocked.map((name) => name.toLowerCase()))) {
        this.#update(method, (snapshot) => markBlocked(snapshot, now, this.#policy.limit))
      }
    }
    for (const method of counts.keys()) for (const wake of this.#wakers.get(method) ?? []) wake()
  }

  async operatingBudget(method: string): Promise<OperatingBudget | undefined> {
    const read = this.#store.getOperating(this.#operatingKey(method.toLowerCase()))
    const snapshot = isPromise(read) ? await read : read
    return snapshot && { operating: snapshot.operating, limit: this.#policy.limit, cost: snapshot.cost }
  }

  get #bucketKey(): string {
    return `${this.#key}:bucket`
  }

  #operatingKey(method: string): string {
    return `${this.#operatingPrefix}:operating:${method}`
  }

  /** Waits until the method's budget allows `calls` more; they count as in flight from then on. */
  async #operatingGate(method: string, calls: number, budget: QueueBudget, signal?: AbortSignal): Promise<Ticket[]> {
    const key = this.#operatingKey(method)
    let told = false
    for (;;) {
      const pending = this.#writes.get(key)
      if (pending) await pending
      const read = this.#store.getOperating(key)
      const snapshot = isPromise(read) ? await read : read
      const now = this.#clock.now()
      const inFlight = this.#countInFlight(method)
      const decision = operatingDelay(
        snapshot,
        { now, calls, inFlight, lastPassAt: this.#lastPass.get(method) },
        this.#policy,
      )
      if (decision.reason === undefined) {
        this.#lastPass.set(method, now)
        return this.#addInFlight(method, calls)
      }
      const openEnded = !Number.isFinite(decision.wait)
      const waitMs = budget.allow(
        openEnded ? this.#untilInFlightExpires(method) : this.#clock.toMs(decision.wait),
        decision.reason,
        method,
        openEnded,
      )
      if (!told) this.#onWait?.({ reason: decision.reason, method, waitMs: Math.ceil(waitMs) })
      told = true
      await wait(waitMs, signal, (wake) => this.#onRecord(method, wake))
    }
  }

  /**
   * Waits for the request's slot in the bucket. The first wait is the queue ahead; each refusal meanwhile moves
   * the queue back a slot, but never by more than a full bucket's drain time at once: by then the portal's
   * bucket has room whatever it counted.
   */
  async #bucketGate(label: string, budget: QueueBudget, signal?: AbortSignal): Promise<void> {
    const spec = this.#bucket
    let seen = this.#shiftMs
    let taken: number | undefined
    let reason: WaitInfo['reason'] = Date.now() < this.#recoveringUntil ? 'backoff' : 'bucket'
    try {
      const reserved = this.#store.take(this.#bucketKey, Date.now(), spec)
      taken = isPromise(reserved) ? await reserved : reserved
      let waitMs = taken > 0 ? taken : 0
      while (waitMs > 0) {
        budget.allow(waitMs, reason, label)
        this.#onWait?.({ reason, method: label, waitMs: Math.ceil(waitMs) })
        await wait(waitMs, signal)
        // A refusal while this call was queued moves the whole queue back a slot.
        waitMs = Math.min(this.#shiftMs - seen, fullDrainMs(spec))
        seen = this.#shiftMs
        reason = 'backoff'
      }
    } catch (error) {
      if (taken !== undefined) settle(this.#store.giveBack(this.#bucketKey, Date.now(), spec))
      throw error
    }
  }

  /** Applies `change` to a method's snapshot, one change at a time per key (a network store is not atomic here). */
  #update(method: string, change: (snapshot: OperatingSnapshot | undefined) => OperatingSnapshot): void {
    const key = this.#operatingKey(method)
    const ttl = this.#clock.toMs(SNAPSHOT_SECONDS)
    const run = (): void | Promise<void> => {
      const read = this.#store.getOperating(key)
      if (!isPromise(read)) return this.#store.setOperating(key, change(read), ttl)
      return read.then((snapshot) => this.#store.setOperating(key, change(snapshot), ttl))
    }
    const tail = this.#writes.get(key)
    const result = tail ? tail.then(run) : run()
    if (!isPromise(result)) return
    const chained: Promise<void> = result
      .catch(() => {})
      .finally(() => {
        if (this.#writes.get(key) === chained) this.#writes.delete(key)
      })
    this.#writes.set(key, chained)
  }

  #onRecord(method: string, wake: () => void): () => void {
    const set = this.#wakers.get(method) ?? new Set()
    this.#wakers.set(method, set)
    set.add(wake)
    return () => {
      set.delete(wake)
      if (set.size === 0) this.#wakers.delete(method)
    }
  }

  #addInFlight(method: string, calls: number): Ticket[] {
    const taken: Ticket[] = []
    for (let index = 0; index < calls; index++) taken.push({ expiresAt: Number.POSITIVE_INFINITY })
    const tickets = this.#inFlight.get(method)
    if (tickets) tickets.push(...taken)
    else this.#inFlight.set(method, taken.slice())
    return taken
  }

  #dropInFlight(method: string, taken: readonly Ticket[]): void {
    const left = (this.#inFlight.get(method) ?? []).filter((ticket) => !taken.includes(ticket))
    if (left.length > 0) this.#inFlight.set(method, left)
    else this.#inFlight.delete(method)
  }

  /** A call was answered: the oldest ticket of its method is done. */
  #settle(method: string, calls: number): void {
    const tickets = this.#inFlight.get(method)
    if (!tickets) return
    tickets.splice(0, calls)
    if (tickets.length === 0) this.#inFlight.delete(method)
  }

  #countInFlight(method: string): number {
    const tickets = this.#inFlight.get(method)
    if (!tickets) return 0
    const now = Date.now()
    let live = 0
    for (const ticket of tickets) if (ticket.expiresAt > now) live++
    // Expired tickets (calls never answered) are dropped only when there are some: the usual case allocates nothing.
    if (live === 0) this.#inFlight.delete(method)
    else if (live < tickets.length)
      this.#inFlight.set(
        method,
        tickets.filter((ticket) => ticket.expiresAt > now),
      )
    return live
  }

  #untilInFlightExpires(method: string): number {
    const next = Math.min(...(this.#inFlight.get(method) ?? []).map((ticket) => ticket.expiresAt))
    return Number.isFinite(next) ? Math.max(1, next - Date.now()) : this.#clock.toMs(IN_FLIGHT_SECONDS)
  }
}

/** Occurrences of each method (lower-case, as the portal counts them). */
function countMethods(methods: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const method of methods) {
    const name = method.toLowerCase()
    counts.set(name, (counts.get(name) ?? 0) + 1)
  }
  return counts
}

function foldTime(snapshot: OperatingSnapshot | undefined, time: BitrixTime): OperatingSnapshot {
  return mergeReport(snapshot, {
    operating: time.operating ?? 0,
    resetAt: time.operatingResetAt,
    at: time.finish || time.start,
    processing: time.processing,
  })
}

/** Store writes nobody waits for must not become unhandled rejections. */
function settle(result: void | Promise<void>): void {
  if (isPromise(result)) result.catch(() => {})
}
