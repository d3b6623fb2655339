/** The portal's tariff decides its bucket: 50 burst / 2 per second, or 250 / 5 on Enterprise. */
import type { BucketSpec } from './leaky-bucket.js'

/** A Bitrix24 rate plan: `'standard'` (burst 50, 2 per second) or `'enterprise'` (burst 250, 5 per second). */
export type PlanName = 'standard' | 'enterprise'

/** The leaky bucket of each plan: how many requests at once (`burst`) and how many per second after that. */
export const PLAN_BUCKETS: Readonly<Record<PlanName, Readonly<BucketSpec>>> = {
  standard: { burst: 50, drainPerSecond: 2 },
  enterprise: { burst: 250, drainPerSecond: 5 },
}

/**
 * The plan from the result of `app.info`: Enterprise when `LICENSE_FAMILY`, `LICENSE_TYPE` or `LICENSE` names an
 * `ent` license (`ent`, `ent250`, `en_ent500`); anything else, or an unreadable result, is standard.
 *
 * @example
 * const limiter = new RateLimiter({ plan: detectPlan((await client.call('app.info')).result) })
 */
export function detectPlan(appInfo: unknown): PlanName {
  if (typeof appInfo !== 'object' || appInfo === null) return 'standard'
  const { LICENSE, LICENSE_TYPE, LICENSE_FAMILY } = appInfo as Record<string, unknown>
  for (const code of [LICENSE_FAMILY, LICENSE_TYPE, LICENSE]) {
    if (typeof code !== 'string') continue
    if (
      code
        .toLowerCase()
        .split('_')
        .some((part) => /^ent\d*$/.test(part))
    )
      return 'enterprise'
  }
  return 'standard'
}

/**
 * The bucket of a portal without a request-rate limit (a self-hosted portal, where the administrator sets the load
 * on the server side): so large that it never holds a request back.
 */
export const NO_BUCKET: Readonly<BucketSpec> = {
  burst: Number.MAX_SAFE_INTEGER,
  drainPerSecond: Number.MAX_SAFE_INTEGER,
}

/**
 * The operating-time limit of a self-hosted portal once its administrator enables it (off by default), seconds per
 * method per 10 minutes. Source: settings/performance/limits.md ("If enabled, the default limit will be 420 seconds").
 */
export const SELF_HOSTED_OPERATING_LIMIT = 420

/** A plan name or a custom bucket, checked. */
export function bucketOf(plan: PlanName | BucketSpec): BucketSpec {
  const spec = typeof plan === 'string' ? PLAN_BUCKETS[plan] : plan
  if (!spec || !(spec.burst >= 1) || !(spec.drainPerSecond > 0) || !Number.isFinite(spec.drainPerSecond)) {
    throw new RangeError(`plan must be 'standard', 'enterprise' or { burst >= 1, drainPerSecond > 0 }`)
  }
  return { burst: spec.burst, drainPerSecond: spec.drainPerSecond }
}
