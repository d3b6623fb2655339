/**
 * Injected faults: rules that make matching requests fail the way real networks and portals do, and events
 * scheduled every so many calls (tokens expiring, the portal moving).
 */
import type { RandomSource } from './random.js'

/** What an injected fault does to a matching request (see docs/emulator.md, "Faults"). */
export type FaultKind =
  | 'http500'
  | 'http503'
  | 'http429'
  | 'reset'
  | 'slow'
  | 'nonJson'
  | 'truncated'
  | 'expiredToken'
  /** Every access token issued so far really expires, then the request is handled as usual. */
  | 'expireTokens'
  /** The portal moves to a new address (as `changeDomain()`), then the request is handled as usual. */
  | 'moveDomain'
  /** `503 OVERLOAD_LIMIT` (the REST API blocked for overload, _includes/system-errors.md), nothing runs. */
  | 'overload'
  /** `PORTAL_DELETED` (status `portalDeletedStatus`), nothing runs. */
  | 'portalDeleted'
  /** The request hits the 60-second cut: nothing runs, the time limit passes, then `504` (see `requestTimeLimit`). */
  | 'timeout'

/** Which requests a fault hits, what it does, how often and how many times. */
export interface FaultSpec {
  /** REST method name (any case) the fault applies to; `oauth.token` targets the token endpoint; omitted = all. */
  method?: string
  /** How many matching requests it hits before it retires; default unlimited. */
  times?: number
  /** Chance (0..1) that a matching request is hit; default 1. Drawn from `randomSeed` when one is set. */
  probability?: number
  /** What happens; a list draws one kind per hit, each equally likely (a mix of failures). */
  kind: FaultKind | readonly FaultKind[]
  /**
   * Hits only the request that completes every `every`-th matching call, counted as the portal counts them
   * (each batch sub-command is a call). Such rules apply after the request body is read.
   */
  every?: number
  /** `slow`: delay before the request is handled, real milliseconds (default 2000). */
  delayMs?: number
}

/** One hit of a rule: a single kind. */
export interface ActiveFault {
  kind: FaultKind
  delayMs?: number
}

/** An injected fault: how often it fired, and a way to take it out. */
export interface FaultHandle {
  /** Requests this rule has hit so far. */
  readonly hits: number
  /** Takes this fault out; later requests are served normally. */
  remove(): void
}

interface FaultRule {
  spec: FaultSpec
  kinds: readonly FaultKind[]
  method: string | undefined
  remaining: number
  hits: number
  /** Matching calls counted so far (`every` rules). */
  calls: number
}

const KINDS: ReadonlySet<string> = new Set<FaultKind>([
  'http500',
  'http503',
  'http429',
  'reset',
  'slow',
  'nonJson',
  'truncated',
  'expiredToken',
  'expireTokens',
  'moveDomain',
  'overload',
  'portalDeleted',
  'timeout',
])

export class FaultInjector {
  private rules: FaultRule[] = []

  constructor(private readonly random: RandomSource) {}

  inject(spec: FaultSpec): FaultHandle {
    if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) {
      throw new RangeError('fault probability must be within 0..1')
    }
    if (spec.every !== undefined && !(Number.isInteger(spec.every) && spec.every >= 1)) {
      throw new RangeError('fault every must be an integer ≥ 1')
    }
    const kinds: readonly FaultKind[] = typeof spec.kind === 'string' ? [spec.kind] : spec.kind
    const unknown = kinds.find((kind) => !KINDS.has(kind))
    if (kinds.length === 0 || unknown !== undefined) {
      throw new RangeError(`fault kind must be one or more of ${[...KINDS].join(', ')}; got ${String(unknown)}`)
    }
    const rule: FaultRule = {
      spec,
      kinds,
      method: spec.method?.toLowerCase(),
      remaining: spec.times ?? Infinity,
      hits: 0,
      calls: 0,
    }
    this.rules.push(rule)
    return {
      get hits() {
        return rule.hits
      },
      remove: () => {
        this.rules = this.rules.filter((r) => r !== rule)
      },
    }
  }

  clear(): void {
    this.rules = []
  }

  /** The first rule without `every` that hits this request, spending one of its `times`. */
  take(method: string): ActiveFault | undefined {
    const name = method.toLowerCase()
    for (const rule of this.rules) {
      if (rule.spec.every !== undefined || !this.matches(rule, name)) continue
      if (this.draws(rule)) return this.hit(rule)
    }
    return undefined
  }

  /**
   * Counts `calls` more calls (a batch's sub-commands) for every `every` rule matching `method`; the first
   * whose count passed a multiple of its `every` (and wins its `probability`) hits this request.
   */
  takeScheduled(method: string, calls: number): ActiveFault | undefined {
    const name = method.toLowerCase()
    let hit: ActiveFault | undefined
    for (const rule of this.rules) {
      const every = rule.spec.every
      if (every === undefined || !this.matches(rule, name)) continue
      const before = Math.floor(rule.calls / every)
      rule.calls += calls
      if (hit === undefined && Math.floor(rule.calls / every) > before && this.draws(rule)) hit = this.hit(rule)
    }
    return hit
  }

  private matches(rule: FaultRule, name: string): boolean {
    return rule.remaining > 0 && (rule.method === undefined || rule.method === name)
  }

  private draws(rule: FaultRule): boolean {
    return rule.spec.probability === undefined || this.random.float() < rule.spec.probability
  }

  private hit(rule: FaultRule): ActiveFault {
    rule.remaining -= 1
    rule.hits += 1
    const kind =
      rule.kinds.length === 1 ? rule.kinds[0] : rule.kinds[Math.floor(this.random.float() * rule.kinds.length)]
    return rule.spec.delayMs === undefined ? { kind } : { kind, delayMs: rule.spec.delayMs }
  }
}

/** Calls a request carries as the portal counts them: a batch's sub-commands, else one. */
export function callsIn(method: string, params: Record<string, unknown>): number {
  if (method.toLowerCase() !== 'batch') return 1
  const cmd = params.cmd
  return cmd !== null && typeof cmd === 'object' ? Math.max(1, Object.keys(cmd).length) : 1
}

/** `OVERLOAD_LIMIT` as _includes/system-errors.md documents it. */
export const OVERLOAD_ERROR = { error: 'OVERLOAD_LIMIT', error_description: 'REST API is blocked due to overload' }
export const PORTAL_DELETED_ERROR = { error: 'PORTAL_DELETED', error_description: 'Portal was deleted' }

/** The front end's page when the 60-second cut ends a request (the docs name no body: this is nginx's). */
export const GATEWAY_TIMEOUT_HTML =
  '<html><head><title>504 Gateway Time-out</title></head><body><h1>504 Gateway Time-out</h1></body></html>'

/** What a fault that stands in for the answer sends (the kinds that fail before anything runs). */
export function faultReply(
  kind: FaultKind,
  portalDeletedStatus = 403,
): { status: number; body: unknown; html?: string } | undefined {
  switch (kind) {
    case 'overload':
      return { status: 503, body: OVERLOAD_ERROR }
    case 'portalDeleted':
      return { status: portalDeletedStatus, body: PORTAL_DELETED_ERROR }
    case 'timeout':
      return { status: 504, body: undefined, html: GATEWAY_TIMEOUT_HTML }
    case 'http500':
      return { status: 500, body: { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' } }
    case 'http503':
      return { status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } }
    case 'http429':
      return {
        status: 429,
        body: { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' },
      }
    case 'expiredToken':
      return {
        status: 401,
        body: { error: 'expired_token', error_description: 'The access token provided has expired' },
      }
    case 'nonJson':
      return {
        status: 502,
        body: undefined,
        html: '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>',
      }
    default:
      return undefined
  }
}
