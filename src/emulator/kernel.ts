/**
 * The contract between the emulator's HTTP layer (server/) and its method implementations (methods/).
 * The HTTP layer parses requests, authenticates, applies limits and faults, runs batches and shapes the
 * envelope; a method handler only turns parameters into a result or throws a RestError.
 */

/** Parameters as the portal's PHP sees them after parsing query + body (nested records, arrays, strings). */
export type Params = Record<string, unknown>

/** How a call authenticated: with a webhook key in the URL, or with an OAuth access token. */
export type AuthType = 'webhook' | 'oauth'

/** An error the portal returns as `{ error, error_description }` with an HTTP status. */
export class RestError extends Error {
  readonly code: string
  readonly description: string
  readonly status: number
  readonly extra: Record<string, unknown> | undefined

  constructor(code: string, description: string, status = 400, extra?: Record<string, unknown>) {
    super(`${code}: ${description}`)
    this.name = 'RestError'
    this.code = code
    this.description = description
    this.status = status
    this.extra = extra
  }
}

export interface CallContext {
  /** ID of the portal user the call runs as. */
  readonly userId: number
  readonly authType: AuthType
  /** Emulator clock, Unix seconds (with fractions); runs `timeScale` times faster than real time. */
  now(): number
  /** Adds simulated server time (seconds) spent by this call; it feeds `processing`, `operating` and the limits. */
  cost(seconds: number): void
}

/** What a handler returns; `total` / `next` are lifted to the top level of the envelope like the real server does. */
export interface MethodResult {
  result: unknown
  total?: number
  next?: number
}

export type MethodHandler = (params: Params, ctx: CallContext) => MethodResult

export interface MethodDefinition {
  /** Scope code checked against the webhook's or app's scopes; `basic` is always allowed. */
  scope: string
  handler: MethodHandler
  /** Auth types allowed to call it; default both. `event.*` methods are OAuth only (`WRONG_AUTH_TYPE`). */
  authTypes?: readonly AuthType[]
}

/** Method name (lower case) → definition. */
export type MethodTable = Map<string, MethodDefinition>

/**
 * Per-operation server cost model, in simulated seconds. All knobs are options of `startEmulator`. Each default
 * cites its source or is labelled an assumption; docs/emulator.md ("Cost model") shows how the benchmark's
 * export ratios move when each is halved and doubled.
 */
export interface CostModel {
  /** Base cost of any call. */
  base: number
  /** Cost of a COUNT(*) per 1,000 rows of the table (list calls without `start=-1`). */
  countPerThousandRows: number
  /** Cost of skipping rows with OFFSET, per 1,000 rows skipped. */
  offsetPerThousandRows: number
  /** Cost per row returned. */
  perRow: number
}

/** The cost model the emulator uses unless `costs` overrides parts of it; each constant cites its source. */
export const DEFAULT_COST_MODEL: CostModel = {
  /**
   * Source: the documented operating figures — the median `time.processing` of the 227 `*.get` response
   * examples in the official docs (spec/methods.json) is 0.0058 s.
   */
  base: 0.005,
  /**
   * Source: settings/performance/huge-data.md — the same `crm.item.list` page over 2,387,743 items took
   * `processing` 49.90 s with the total count and 0.0685 s with `start=-1`: (49.90 − 0.0685) / 2,387.7 =
   * 0.0209 s per 1,000 rows counted.
   */
  countPerThousandRows: 0.02,
  /** Assumption: skipping a row with OFFSET costs half of counting it (no documented figure). */
  offsetPerThousandRows: 0.01,
  /**
   * Assumption, on the low side of the one documented figure: huge-data.md's 50-row page without a count took
   * 0.0685 s, i.e. up to (0.0685 − base) / 50 = 0.0013 s per row with 3 fields selected; rows here are cheaper
   * so that exports of every field stay comparable with the benchmark's history.
   */
  perRow: 0.0002,
}

/** Sizes of the deterministic seed data. */
export interface SeedOptions {
  deals?: number
  leads?: number
  contacts?: number
  companies?: number
  users?: number
  departments?: number
  tasks?: number
  /** Items of the demo smart process (entityTypeId 128). */
  smartItems?: number
}
