import type { BitrixTime } from '../requests/response.js'

/**
 * Paces calls so the portal's limits are never hit. The dispatcher asks before every HTTP request and
 * reports what came back; implementations keep their state in a pluggable store.
 */
export interface Limiter {
  /**
   * Resolves when a request for `methods` (one, or a batch's sub-methods) may be sent now. Rejects with
   * `BitrixQueueTimeout` when that takes longer than `options.maxWaitMs`.
   */
  acquire(methods: readonly string[], signal?: AbortSignal, options?: AcquireOptions): Promise<void>
  /**
   * Reports the outcome of a request: its `time` (operating budget) and whether the portal refused it. Called
   * once for every `acquire` that resolved, failures included (with an empty outcome), so calls in flight settle.
   */
  record(methods: readonly string[], outcome: LimiterOutcome): void
  /**
   * What the limiter knows of a method's operating-time budget, from its (possibly shared) store; undefined
   * before any answer reported it. Optional: readers that adapt to the budget (`asListFast({ concurrency: 'auto' })`)
   * fall back to the figures in the answers they see.
   */
  operatingBudget?(method: string): Promise<OperatingBudget | undefined>
}

/** One method's operating-time budget as a limiter last saw it. */
export interface OperatingBudget {
  /** Server seconds the method used in the current 10-minute window, as last reported. */
  operating: number
  /** Server seconds allowed per window. */
  limit: number
  /** Average server seconds of one call of the method. */
  cost: number
}

/** The optional third argument of `Limiter.acquire`: how long the call may wait, and what to name in the error. */
export interface AcquireOptions {
  /** Longest the request may wait here, ms (the rest of the call's `maxQueueWait`); default unbounded. */
  maxWaitMs?: number
  /** Ms the call already spent queued on earlier attempts, for the error's report. */
  waitedMs?: number
  /** The call's method, for the error (`batch` for a batch); default the only method, or `batch`. */
  method?: string
}

/** What `Limiter.record` is told about a finished request; every field is absent when it failed without an answer. */
export interface LimiterOutcome {
  /** The answer's `time` block (operating time and its reset). */
  time?: BitrixTime
  /** Per sub-method time of a batch. */
  subTimes?: ReadonlyArray<{ method: string; time: BitrixTime }>
  /** The portal refused the request for a limit: too many requests, or a method's operating time used up. */
  refused?: 'QUERY_LIMIT_EXCEEDED' | 'OPERATION_TIME_LIMIT'
  /** Sub-methods of a batch the portal refused with `OPERATION_TIME_LIMIT`. */
  blocked?: readonly string[]
}

/** Lets everything through (the portal's own limits still apply). */
export const unlimited: Limiter = {
  acquire: async () => {},
  record: () => {},
}
