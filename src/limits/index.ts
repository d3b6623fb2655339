export {
  type BucketSpec,
  type BucketState,
  drain,
  fullDrainMs,
  msUntilFree,
  reserve,
  saturate,
  unreserve,
} from './leaky-bucket.js'
export { type AcquireOptions, type Limiter, type LimiterOutcome, type OperatingBudget, unlimited } from './limiter.js'
export {
  markBlocked,
  mergeReport,
  OPERATING_WINDOW_SECONDS,
  type OperatingContext,
  type OperatingDecision,
  type OperatingPolicy,
  type OperatingReport,
  type OperatingSnapshot,
  operatingDelay,
} from './operating.js'
export { bucketOf, detectPlan, NO_BUCKET, PLAN_BUCKETS, type PlanName, SELF_HOSTED_OPERATING_LIMIT } from './plan.js'
export { RateLimiter, type RateLimiterOptions, type WaitInfo } from './rate-limiter.js'
export { ServerClock } from './server-clock.js'
export { type Awaitable, type LimiterStore, MemoryStore } from './store.js'
