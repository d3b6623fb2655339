/**
 * Retry decisions as pure functions: whether a failed attempt may be sent again, and how long to wait.
 * A write is retried only when the portal certainly did not apply it.
 */
import {
  BitrixAPIError,
  BitrixAPIOperationTimeLimit,
  BitrixAPIQueryLimitExceeded,
  BitrixRequestError,
  BitrixResponseParseError,
} from '../errors/index.js'

export interface RetryPolicy {
  maxRetries: number
  /** Seconds before the first retry. */
  initialDelay: number
  /** Seconds added per further retry. */
  delayIncrement: number
  /** ± share of the delay drawn at random, so parallel workers don't retry in lockstep. */
  jitter: number
  /** Longest wait for an operating-time block to lift before giving up, seconds. */
  maxOperatingWait: number
}

export type RetryDecision = { retry: false } | { retry: true; delayMs: number; reason: string }

export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = (policy.initialDelay + attempt * policy.delayIncrement) * 1000
  const spread = base * policy.jitter
  return Math.max(0, Math.round(base - spread + random() * 2 * spread))
}

/**
 * @param attempt retries made so far (0 before the first retry)
 * @param idempotent whether sending the call twice is harmless (reads)
 * @param nowSeconds current Unix time, to compute the wait for an operating-time block
 */
export function decideRetry(
  error: unknown,
  attempt: number,
  idempotent: boolean,
  policy: RetryPolicy,
  nowSeconds: number = Date.now() / 1000,
): RetryDecision {
  if (attempt >= policy.maxRetries) return { retry: false }
  if (error instanceof BitrixAPIOperationTimeLimit) {
    const resetAt = error.operatingResetAt
    // No reset time seen yet: back off like any transient failure (the limiter paces the rest).
    if (resetAt === undefined)
      return { retry: true, delayMs: retryDelayMs(attempt, policy), reason: 'OPERATION_TIME_LIMIT' }
    const waitMs = Math.max(0, (resetAt - nowSeconds) * 1000) + 100
    return waitMs <= policy.maxOperatingWait * 1000
      ? { retry: true, delayMs: waitMs, reason: 'OPERATION_TIME_LIMIT' }
      : { retry: false }
  }
  if (error instanceof BitrixAPIQueryLimitExceeded) {
    return { retry: true, delayMs: retryDelayMs(attempt, policy), reason: 'QUERY_LIMIT_EXCEEDED' }
  }
  if (error instanceof BitrixAPIError) {
    return error.status >= 500 && idempotent
      ? { retry: true, delayMs: retryDelayMs(attempt, policy), reason: `HTTP ${error.status}` }
      : { retry: false }
  }
  if (error instanceof BitrixResponseParseError) {
    return idempotent
      ? { retry: true, delayMs: retryDelayMs(attempt, policy), reason: 'unreadable response' }
      : { retry: false }
  }
  if (error instanceof BitrixRequestError) {
    return idempotent || error.sent === false
      ? { retry: true, delayMs: retryDelayMs(attempt, policy), reason: error.name }
      : { retry: false }
  }
  return { retry: false }
}

const READ_SUFFIX =
  /\.(get|list|fields|search|current|info|time|getlist|getfields|count|tail|userfield\.list|version)$/i
const READ_NAMES = new Set([
  'profile',
  'scope',
  'methods',
  'method.get',
  'events',
  'event.get',
  'feature.get',
  'access.name',
  'user.access',
  // REST 3.0 reads whose names end otherwise
  'documentation',
  'rest.documentation.openapi',
  'humanresources.node.children',
  'humanresources.employee.subordinates',
  'mail.message.thread',
  'mail.mailbox.senders',
  'mail.recipient.listcontacts',
  'mail.recipient.listemployees',
])

/** A method that only reads: safe to send twice. */
export function isReadMethod(method: string): boolean {
  const name = method.toLowerCase()
  return READ_NAMES.has(name) || READ_SUFFIX.test(name)
}
