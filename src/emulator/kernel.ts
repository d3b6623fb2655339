/**
 * The contract between the emulator's HTTP layer (server/) and its method implementations (methods/).
 * The HTTP layer parses requests, authenticates, applies limits and faults, runs batches and shapes the
 * envelope; a method handler only turns parameters into a result or throws a RestError.
 */

/** Parameters as the portal's PHP sees them after parsing query + body (nested records, arrays, strings). */
export type Params = Record<string, unknown>

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

/** Per-operation server cost model, in simulated seconds. All knobs are options of `startEmulator`. */
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

export const DEFAULT_COST_MODEL: CostModel = {
  base: 0.005,
  countPerThousandRows: 0.02,
  offsetPerThousandRows: 0.01,
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
