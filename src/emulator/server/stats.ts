/** Counters of what clients made the emulator do — the numbers benchmarks and tests compare. */
import type { AnswerSource } from './programmed.js'

/** The emulator's counters, as `emu.getStats()` returns them. */
export interface EmulatorStats {
  /** Every HTTP request received: REST, OAuth server, redirects from an old domain, preflights. */
  httpRequests: number
  /** Method executions by method name, batch sub-calls included (`batch` itself counts once per batch). */
  calls: Record<string, number>
  /** Simulated server seconds spent per method. */
  operatingSeconds: Record<string, number>
  /** HTTP responses by status code. */
  statuses: Record<string, number>
  /** Response body bytes as sent on the wire (compressed where the client asked for it), headers not counted. */
  responseBodyBytes: number
  /** HTTP 503 responses (QUERY_LIMIT_EXCEEDED, injected ones included). */
  responses503: number
  /** HTTP 429 responses (OPERATION_TIME_LIMIT, injected ones included). */
  responses429: number
  /** Calls refused for operating time, HTTP 429 answers and batch sub-commands alike. */
  operationLimitBlocks: number
  /** `/oauth/token/` requests with grant_type=refresh_token, failed ones included. */
  oauthRefreshes: number
  /** Token pairs handed out by `/oauth/token/` (authorization_code and refresh_token grants). */
  tokenGrants: number
  /** Calls answered with a documented example (docs-example mode), batch sub-calls included. */
  canned: number
  /** Successful calls by what answered them: portal state, a programmed or user handler, a docs example. */
  answers: Record<AnswerSource, number>
  /** Events: POSTs queued, delivered (2xx), failed (other status, refused, reset), timed out, skipped (not a
   * loopback handler), dropped (queue full or emulator closed); offline rows queued and dropped (queue full). */
  events: Record<EventCounter, number>
  /** REST 3.0 `Idempotency-Key` writes (see docs/emulator.md, "REST 3.0"). */
  idempotency: IdempotencyStats
}

/** What the REST 3.0 idempotency store did. */
export interface IdempotencyStats {
  /** Times a keyed write really ran and succeeded, by `"<method> <key>"`: 1 means applied once. */
  applied: Record<string, number>
  /** Answers replayed from the store (`Idempotent-Replayed: true`). */
  replayed: number
  /** Keys refused because they came back with another body (422). */
  conflicts: number
}

/** The counters of `EmulatorStats.events`. */
export type EventCounter =
  | 'queued'
  | 'delivered'
  | 'failed'
  | 'timeout'
  | 'skipped'
  | 'dropped'
  | 'offlineQueued'
  | 'offlineDropped'

function emptyEventCounters(): Record<EventCounter, number> {
  return {
    queued: 0,
    delivered: 0,
    failed: 0,
    timeout: 0,
    skipped: 0,
    dropped: 0,
    offlineQueued: 0,
    offlineDropped: 0,
  }
}

function emptyStats(): EmulatorStats {
  return {
    httpRequests: 0,
    calls: {},
    operatingSeconds: {},
    statuses: {},
    responseBodyBytes: 0,
    responses503: 0,
    responses429: 0,
    operationLimitBlocks: 0,
    oauthRefreshes: 0,
    tokenGrants: 0,
    canned: 0,
    answers: { state: 0, handler: 0, example: 0 },
    events: emptyEventCounters(),
    idempotency: { applied: {}, replayed: 0, conflicts: 0 },
  }
}

export class StatsRecorder {
  private stats = emptyStats()

  request(): void {
    this.stats.httpRequests += 1
  }

  responseBody(bytes: number): void {
    this.stats.responseBodyBytes += bytes
  }

  response(status: number): void {
    const key = String(status)
    this.stats.statuses[key] = (this.stats.statuses[key] ?? 0) + 1
    if (status === 503) this.stats.responses503 += 1
    if (status === 429) this.stats.responses429 += 1
  }

  call(method: string, seconds: number): void {
    this.stats.calls[method] = (this.stats.calls[method] ?? 0) + 1
    this.stats.operatingSeconds[method] = (this.stats.operatingSeconds[method] ?? 0) + seconds
  }

  answer(source: AnswerSource): void {
    this.stats.answers[source] += 1
    if (source === 'example') this.stats.canned += 1
  }

  event(counter: EventCounter): void {
    this.stats.events[counter] += 1
  }

  operationLimitBlock(): void {
    this.stats.operationLimitBlocks += 1
  }

  /** A write with an `Idempotency-Key` ran and succeeded. */
  idempotentApply(method: string, key: string): void {
    const id = `${method} ${key}`
    this.stats.idempotency.applied[id] = (this.stats.idempotency.applied[id] ?? 0) + 1
  }

  idempotentReplay(): void {
    this.stats.idempotency.replayed += 1
  }

  idempotentConflict(): void {
    this.stats.idempotency.conflicts += 1
  }

  oauthRefresh(): void {
    this.stats.oauthRefreshes += 1
  }

  tokenGrant(): void {
    this.stats.tokenGrants += 1
  }

  /** A copy: later requests do not change it. */
  snapshot(): EmulatorStats {
    return structuredClone(this.stats)
  }

  reset(): void {
    this.stats = emptyStats()
  }
}
