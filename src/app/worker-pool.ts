/**
 * `PortalWorkPool`: runs an app's work for many portals fairly. Each work item is tagged with its portal (the
 * `member_id`); portals take turns (round robin over the portals with queued work, one item per turn), so one
 * busy portal cannot starve the others; each portal runs at most `perPortal` items at once and holds at most
 * `queueLimit` queued ones (a producer that adds more waits for room); and a portal whose budget is spent is
 * paused (`pause(portal, ms)`, e.g. from a `RateLimiter`'s `onWait`) while the others go on.
 */
import { BitrixValidationError } from '../errors/index.js'

/** One work item: gets the pool's signal (aborted when the pool is) and does the portal's work. */
export type PortalTask<R> = (signal: AbortSignal) => Promise<R>

/** What `new PortalWorkPool(…)` takes. */
export interface PortalWorkPoolOptions {
  /** Items running at once over all portals; default 16. */
  concurrency?: number
  /** Items of one portal running at once; default 2 (a portal's bucket drains 2 requests a second). */
  perPortal?: number
  /** Queued items per portal before `add` / `run` wait for room; default 1000. */
  queueLimit?: number
  /** Stops the pool: queued items reject with the signal's reason, running ones see it aborted. */
  signal?: AbortSignal
  /** Told about an item added with `add` that failed (`run` hands the failure to its caller instead). */
  onError?: (error: unknown, portal: string) => void
}

/** Counters of one portal in the pool. */
export interface PortalWorkStats {
  /** Items started. */
  started: number
  /** Items that resolved. */
  done: number
  /** Items that rejected. */
  failed: number
  /** Times the portal was paused (`pause`). */
  pauses: number
  /** Items queued now. */
  queued: number
  /** Items running now. */
  running: number
}

interface Item {
  task: PortalTask<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

interface PortalQueue {
  readonly portal: string
  readonly items: Item[]
  running: number
  /** `Date.now()` ms until which the portal is paused; 0 when it is not. */
  pausedUntil: number
  timer: ReturnType<typeof setTimeout> | undefined
  /** Producers waiting for room in `items`. */
  readonly waiting: Array<() => void>
  readonly stats: Omit<PortalWorkStats, 'queued' | 'running'>
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1) {
    throw new BitrixValidationError({
      message: `PortalWorkPool: ${name} must be a positive integer, received ${String(value)}`,
      parameter: name,
      expected: 'positive integer',
      received: typeof value,
    })
  }
  return value
}

/**
 * Fair, bounded, per-portal work scheduling for an app serving many portals.
 *
 * @example
 * const pool = new PortalWorkPool({ concurrency: 32, perPortal: 2 })
 * const limiter = new RateLimiter({ store, key: memberId, app: clientId, onWait: (w) => pool.pause(memberId, w.waitMs) })
 * await pool.run(memberId, () => client.crm.deal.list({ select: ['ID'] }))
 */
export class PortalWorkPool {
  readonly #concurrency: number
  readonly #perPortal: number
  readonly #queueLimit: number
  readonly #signal: AbortSignal | undefined
  readonly #onError: PortalWorkPoolOptions['onError']
  readonly #queues = new Map<string, PortalQueue>()
  /** Portals in turn order; the next turn starts at `#turn`. */
  readonly #ring: PortalQueue[] = []
  #turn = 0
  #running = 0
  readonly #idle: Array<() => void> = []
  readonly #abortController = new AbortController()

  constructor(options: PortalWorkPoolOptions = {}) {
    this.#concurrency = positiveInteger('concurrency', options.concurrency, 16)
    this.#perPortal = positiveInteger('perPortal', options.perPortal, 2)
    this.#queueLimit = positiveInteger('queueLimit', options.queueLimit, 1000)
    this.#onError = options.onError
    this.#signal = options.signal
    const stop = () => this.#stop(this.#signal?.reason)
    if (this.#signal?.aborted) stop()
    else this.#signal?.addEventListener('abort', stop, { once: true })
  }

  /** Queues `task` for `portal` (waiting while its queue is full) and resolves with the task's result. */
  async run<R>(portal: string, task: PortalTask<R>): Promise<R> {
    const queue = await this.#room(portal)
    return new Promise<R>((resolve, reject) => {
      queue.items.push({ task, resolve: resolve as (value: unknown) => void, reject })
      this.#dispatch()
    })
  }

  /**
   * Queues `task` for `portal` and resolves once it is queued (waiting while the portal's queue is full): the
   * producer's backpressure. A failure goes to `onError`.
   */
  async add(portal: string, task: PortalTask<unknown>): Promise<void> {
    const queue = await this.#room(portal)
    queue.items.push({ task, resolve: () => {}, reject: (error) => this.#onError?.(error, portal) })
    this.#dispatch()
  }

  /**
   * Holds `portal`'s queued items back for `ms` (its budget is spent: the limiter said wait); other portals go
   * on. A longer pause already in force is kept.
   */
  pause(portal: string, ms: number): void {
    if (!(ms > 0)) return
    const queue = this.#queue(portal)
    const until = Date.now() + Math.min(ms, 2_147_000_000)
    if (until <= queue.pausedUntil) return
    queue.pausedUntil = until
    queue.stats.pauses += 1
    clearTimeout(queue.timer)
    queue.timer = setTimeout(() => this.resume(portal), until - Date.now())
  }

  /** Ends `portal`'s pause now. */
  resume(portal: string): void {
    const queue = this.#queues.get(portal)
    if (!queue) return
    clearTimeout(queue.timer)
    queue.timer = undefined
    queue.pausedUntil = 0
    this.#dispatch()
  }

  /** Resolves when nothing is queued or running (after an abort: when the running items have ended). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.#idle.push(resolve))
  }

  /** The counters of `portal` (zeros for a portal the pool never saw). */
  stats(portal: string): PortalWorkStats {
    const queue = this.#queues.get(portal)
    if (!queue) return { started: 0, done: 0, failed: 0, pauses: 0, queued: 0, running: 0 }
    return { ...queue.stats, queued: queue.items.length, running: queue.running }
  }

  /** Portals the pool has seen, in turn order. */
  get portals(): string[] {
    return this.#ring.map((queue) => queue.portal)
  }

  #queue(portal: string): PortalQueue {
    if (typeof portal !== 'string' || portal === '') {
      throw new BitrixValidationError({
        message: 'PortalWorkPool: portal must be a non-empty string (the member_id)',
        parameter: 'portal',
        expected: 'string',
        received: typeof portal,
      })
    }
    let queue = this.#queues.get(portal)
    if (!queue) {
      queue = {
        portal,
        items: [],
        running: 0,
        pausedUntil: 0,
        timer: undefined,
        waiting: [],
        stats: { started: 0, done: 0, failed: 0, pauses: 0 },
      }
      this.#queues.set(portal, queue)
      this.#ring.push(queue)
    }
    return queue
  }

  /** The portal's queue once it has room for one more item. */
  async #room(portal: string): Promise<PortalQueue> {
    const queue = this.#queue(portal)
    while (true) {
      this.#abortController.signal.throwIfAborted()
      if (queue.items.length < this.#queueLimit) return queue
      await new Promise<void>((resolve) => queue.waiting.push(resolve))
    }
  }

  /** Starts items, one per portal per turn, while slots are free. */
  #dispatch(): void {
    if (this.#abortController.signal.aborted) {
      this.#notifyIdle()
      return
    }
    const now = Date.now()
    let idleTurns = 0
    while (this.#running < this.#concurrency && this.#ring.length > 0 && idleTurns < this.#ring.length) {
      const queue = this.#ring[this.#turn % this.#ring.length]
      this.#turn = (this.#turn + 1) % this.#ring.length
      const ready = queue.items.length > 0 && queue.running < this.#perPortal && queue.pausedUntil <= now
      if (!ready) {
        idleTurns += 1
        continue
      }
      idleTurns = 0
      const item = queue.items.shift() as Item
      queue.waiting.shift()?.()
      this.#start(queue, item)
    }
    this.#notifyIdle()
  }

  #notifyIdle(): void {
    if (this.#isIdle()) for (const resolve of this.#idle.splice(0)) resolve()
  }

  #start(queue: PortalQueue, item: Item): void {
    queue.running += 1
    queue.stats.started += 1
    this.#running += 1
    const signal = this.#abortController.signal
    Promise.resolve()
      .then(() => item.task(signal))
      .then(
        (value) => {
          queue.stats.done += 1
          item.resolve(value)
        },
        (error: unknown) => {
          queue.stats.failed += 1
          item.reject(error)
        },
      )
      .finally(() => {
        queue.running -= 1
        this.#running -= 1
        this.#dispatch()
      })
  }

  #isIdle(): boolean {
    return this.#running === 0 && this.#ring.every((queue) => queue.items.length === 0)
  }

  #stop(reason: unknown): void {
    this.#abortController.abort(reason)
    for (const queue of this.#ring) {
      clearTimeout(queue.timer)
      for (const item of queue.items.splice(0)) item.reject(reason)
      for (const wake of queue.waiting.splice(0)) wake()
    }
    this.#notifyIdle()
  }
}
