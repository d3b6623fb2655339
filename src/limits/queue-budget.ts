/** The bound on one request's time in the limiter's queue (`maxQueueWait`). */
import { BitrixQueueTimeout, type QueueReason } from '../errors/queue.js'
import type { AcquireOptions } from './limiter.js'

export class QueueBudget {
  readonly #startedAt = Date.now()
  readonly #method: string
  readonly #maxWaitMs: number
  readonly #waitedBeforeMs: number

  constructor(method: string, options: AcquireOptions = {}) {
    this.#method = options.method ?? method
    this.#maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY
    this.#waitedBeforeMs = options.waitedMs ?? 0
  }

  /**
   * How long to wait now for `waitMs` more. A wait known to overrun the bound fails at once; an open-ended one
   * (until calls in flight report back) waits what is left of the bound, and fails when nothing is left.
   */
  allow(waitMs: number, reason: QueueReason, waitingFor: string, openEnded = false): number {
    const left = this.#maxWaitMs - (Date.now() - this.#startedAt)
    if (waitMs <= left) return waitMs
    if (openEnded && left > 0) return left
    const waitedMs = this.#waitedBeforeMs + Date.now() - this.#startedAt
    throw new BitrixQueueTimeout({
      method: this.#method,
      reason,
      waitingFor,
      waitedMs,
      maxQueueWaitMs: this.#waitedBeforeMs + this.#maxWaitMs,
      ...(openEnded ? {} : { neededMs: waitMs }),
    })
  }
}
