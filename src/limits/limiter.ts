import type { BitrixTime } from '../requests/response.js'

/**
 * Paces calls so the portal's limits are never hit. The dispatcher asks before every HTTP request and
 * reports what came back; implementations keep their state in a pluggable store.
 */
export interface Limiter {
  /** Resolves when a request for `methods` (one, or a batch's sub-methods) may be sent now. */
  acquire(methods: readonly string[], signal?: AbortSignal): Promise<void>
  /**
   * Reports the outcome of a request: its `time` (operating budget) and whether the portal refused it. Called
   * once for every `acquire` that resolved, failures included (with an empty outcome), so calls in flight settle.
   */
  record(methods: readonly string[], outcome: LimiterOutcome): void
}

export interface LimiterOutcome {
  time?: BitrixTime
  /** Per sub-method time of a batch. */
  subTimes?: ReadonlyArray<{ method: string; time: BitrixTime }>
  refused?: 'QUERY_LIMIT_EXCEEDED' | 'OPERATION_TIME_LIMIT'
  /** Sub-methods of a batch the portal refused with `OPERATION_TIME_LIMIT`. */
  blocked?: readonly string[]
}

/** Lets everything through (the portal's own limits still apply). */
export const unlimited: Limiter = {
  acquire: async () => {},
  record: () => {},
}
