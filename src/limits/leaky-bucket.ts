/**
 * The portal's request-rate limit as pure math. The level counts requests and drains continuously. A
 * reservation adds 1 at once even when the bucket is full: the level above `burst` is the queue, and the wait
 * is how long the queue ahead takes to drain. So a reservation is one atomic step a shared store can run.
 */

export interface BucketSpec {
  /** Requests admitted at once. */
  burst: number
  /** Requests drained per second. */
  drainPerSecond: number
}

export interface BucketState {
  /** Requests counted (reserved ones included). */
  level: number
  /** When `level` was computed, ms. */
  at: number
}

/** Ms a full bucket takes to drain empty. */
export function fullDrainMs(spec: BucketSpec): number {
  return (spec.burst * 1000) / spec.drainPerSecond
}

/**
 * The state at `now`: drained since `state.at`, never below zero. A state stamped ahead of `now` (another host's
 * clock, or this one stepped back) stays as it is for a little skew; stamped further ahead than a full bucket
 * takes to drain, it is counted from `now`, so a wrong clock never stalls the bucket longer than that.
 */
export function drain(state: BucketState | undefined, spec: BucketSpec, now: number): BucketState {
  if (!state) return { level: 0, at: now }
  if (now <= state.at) return state.at - now > fullDrainMs(spec) ? { level: state.level, at: now } : state
  return { level: Math.max(0, state.level - ((now - state.at) * spec.drainPerSecond) / 1000), at: now }
}

/** Ms until a bucket at `level` has room for one more request. */
export function msUntilFree(level: number, spec: BucketSpec): number {
  const excess = level + 1 - spec.burst
  if (excess <= 0) return 0
  return spec.drainPerSecond > 0 ? (excess * 1000) / spec.drainPerSecond : Number.POSITIVE_INFINITY
}

/** Reserves the next slot: the new state and how long the caller waits before sending. */
export function reserve(
  state: BucketState | undefined,
  spec: BucketSpec,
  now: number,
): { state: BucketState; waitMs: number } {
  const current = drain(state, spec, now)
  return { state: { level: current.level + 1, at: current.at }, waitMs: msUntilFree(current.level, spec) }
}

/** Returns a reservation that was not used. Later reservations keep their slots; new ones gain one. */
export function unreserve(state: BucketState | undefined, spec: BucketSpec, now: number): BucketState {
  const current = drain(state, spec, now)
  return { level: Math.max(0, current.level - 1), at: current.at }
}

/**
 * The portal refused a request: it counts at least `burst`, and one more than estimated, so new reservations
 * come a slot later than the queue already waiting.
 */
export function saturate(state: BucketState | undefined, spec: BucketSpec, now: number): BucketState {
  const current = drain(state, spec, now)
  return { level: Math.max(current.level + 1, spec.burst), at: current.at }
}
