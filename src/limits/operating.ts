/**
 * The per-method operating-time budget as pure decisions. The portal reports in every answer how much server
 * time a method has used in its 10-minute window (`operating`) and when the oldest minute drops out
 * (`operating_reset_at`); that report is the truth. Local accounting adds only what the report cannot know yet:
 * calls already sent and not answered. All times are the portal's Unix seconds.
 */

/** What is known about one method's budget; plain data, so a shared store can keep it as JSON. */
export interface OperatingSnapshot {
  /** Seconds used in the window, as last reported. */
  operating: number
  /** When the oldest minute of `operating` drops out; absent while nothing is recorded. */
  resetAt?: number
  /** Portal time of the report (its call's `finish`). */
  reportedAt: number
  /** Average seconds one call costs (from `processing`). */
  cost: number
  /** The portal refused the method (429) until this time. */
  blockedUntil?: number
}

export interface OperatingReport {
  operating: number
  resetAt?: number
  at: number
  processing: number
}

export interface OperatingPolicy {
  /** Seconds per window before the portal blocks the method. */
  limit: number
  /** Share of `limit` calls may reach; the rest is a margin for estimates. */
  threshold: number
  /** Share of `limit` above which calls are spaced so the budget lasts until the next reset. */
  spreadFrom: number
}

export interface OperatingContext {
  /** Portal time now. */
  now: number
  /** Calls of this method in the request being admitted (a batch may carry several). */
  calls: number
  /** Calls let through earlier and not reported yet. */
  inFlight: number
  /** When the previous call of this method was let through. */
  lastPassAt?: number
}

/** `wait` in seconds; `Infinity` = until calls in flight report back. */
export type OperatingDecision = { wait: 0; reason?: undefined } | { wait: number; reason: 'operating' | 'backoff' }

const GO: OperatingDecision = { wait: 0 }
const COST_WEIGHT = 0.3
/**
 * The portal's accounting window, seconds: usage is kept in 10 one-minute baskets and each drops out 10 minutes
 * after its first call (settings/performance/limits.md). No reset or block lies further ahead than this, so a
 * report that says otherwise is cut to it.
 */
export const OPERATING_WINDOW_SECONDS = 600
/** How long a 429 blocks when the portal's reset time is unknown: one basket. */
const UNKNOWN_BLOCK_SECONDS = 60

/**
 * Folds a report into the snapshot; of two reports about the same window the larger usage wins. A reset time
 * more than the 10-minute window after the report is cut to the window.
 */
export function mergeReport(snapshot: OperatingSnapshot | undefined, untrusted: OperatingReport): OperatingSnapshot {
  const report = withinWindow(untrusted)
  if (!snapshot) return { ...fromReport(report), cost: report.processing }
  const cost = snapshot.cost + (report.processing - snapshot.cost) * COST_WEIGHT
  const blocked = snapshot.blockedUntil === undefined ? {} : { blockedUntil: snapshot.blockedUntil }
  if (report.resetAt === snapshot.resetAt) {
    return {
      ...snapshot,
      operating: Math.max(snapshot.operating, report.operating),
      reportedAt: Math.max(snapshot.reportedAt, report.at),
      cost,
    }
  }
  if (report.at >= snapshot.reportedAt) return { ...fromReport(report), cost, ...blocked }
  return { ...snapshot, cost }
}

function withinWindow(report: OperatingReport): OperatingReport {
  const latest = report.at + OPERATING_WINDOW_SECONDS
  return report.resetAt !== undefined && report.resetAt > latest ? { ...report, resetAt: latest } : report
}

function fromReport(report: OperatingReport): Omit<OperatingSnapshot, 'cost'> {
  const base = { operating: report.operating, reportedAt: report.at }
  return report.resetAt === undefined ? base : { ...base, resetAt: report.resetAt }
}

/**
 * The portal answered 429: blocked until the known reset (at most the 10-minute window away), and over the
 * limit until a report says otherwise.
 */
export function markBlocked(snapshot: OperatingSnapshot | undefined, now: number, limit: number): OperatingSnapshot {
  const until =
    snapshot?.resetAt !== undefined && snapshot.resetAt > now
      ? Math.min(snapshot.resetAt, now + OPERATING_WINDOW_SECONDS)
      : now + UNKNOWN_BLOCK_SECONDS
  return {
    operating: Math.max(snapshot?.operating ?? 0, limit),
    resetAt: until,
    // The refusal is itself a report: the block is measured from it.
    reportedAt: Math.max(snapshot?.reportedAt ?? now, now),
    cost: snapshot?.cost ?? 0,
    blockedUntil: until,
  }
}

/**
 * How long a call waits so the method stays within its budget. Below the threshold it goes (spaced out above
 * `spreadFrom`); above it, it waits for the reset. After the reset the portal has dropped an unknown amount,
 * so one call at a time goes to fetch a fresh report — safe because usage only falls while nothing is sent.
 * The same goes for a method never seen: one call first, to learn what a call costs. No wait is longer than the
 * 10-minute window, whatever the snapshot says: a reset or block further ahead counts as reached once the window
 * since the report has passed.
 */
export function operatingDelay(
  snapshot: OperatingSnapshot | undefined,
  context: OperatingContext,
  policy: OperatingPolicy,
): OperatingDecision {
  const { now, calls, inFlight, lastPassAt } = context
  // Nothing known about the method yet: the first answer tells its cost before more calls go.
  if (!snapshot) return inFlight === 0 ? GO : { wait: Number.POSITIVE_INFINITY, reason: 'operating' }
  // A report can't speak for longer than the window; a shared store may hold one from an older client.
  const latest = Math.min(snapshot.reportedAt, now) + OPERATING_WINDOW_SECONDS
  const blockedUntil = snapshot.blockedUntil === undefined ? undefined : Math.min(snapshot.blockedUntil, latest)
  if (blockedUntil !== undefined && blockedUntil > now) return { wait: blockedUntil - now, reason: 'backoff' }
  const hard = policy.limit * policy.threshold
  const used = snapshot.operating + inFlight * snapshot.cost
  const resetAt = snapshot.resetAt === undefined ? undefined : Math.min(snapshot.resetAt, latest)
  if (used + calls * snapshot.cost > hard) {
    if (resetAt !== undefined && resetAt > now) return { wait: resetAt - now, reason: 'operating' }
    return inFlight === 0 ? GO : { wait: Number.POSITIVE_INFINITY, reason: 'operating' }
  }
  if (used < policy.limit * policy.spreadFrom || resetAt === undefined || resetAt <= now || lastPassAt === undefined) {
    return GO
  }
  // Pace the rest of the budget over the time left until the oldest minute frees more.
  const gap = (calls * snapshot.cost * (resetAt - now)) / (hard - used)
  const wait = Math.min(lastPassAt + gap, resetAt) - now
  return wait > 0 ? { wait, reason: 'operating' } : GO
}
