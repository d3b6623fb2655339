/** Injected faults: rules that make matching requests fail the way real networks and portals do. */
import type { RandomSource } from './random.js'

export type FaultKind = 'http500' | 'http503' | 'http429' | 'reset' | 'slow' | 'nonJson' | 'truncated' | 'expiredToken'

export interface FaultSpec {
  /** REST method name (any case) the fault applies to; `oauth.token` targets the token endpoint; omitted = all. */
  method?: string
  /** How many matching requests it hits before it retires; default unlimited. */
  times?: number
  /** Chance (0..1) that a matching request is hit; default 1. Drawn from `randomSeed` when one is set. */
  probability?: number
  kind: FaultKind
  /** `slow`: delay before the request is handled, real milliseconds (default 2000). */
  delayMs?: number
}

export interface FaultHandle {
  /** Requests this rule has hit so far. */
  readonly hits: number
  remove(): void
}

interface FaultRule {
  spec: FaultSpec
  method: string | undefined
  remaining: number
  hits: number
}

export class FaultInjector {
  private rules: FaultRule[] = []

  constructor(private readonly random: RandomSource) {}

  inject(spec: FaultSpec): FaultHandle {
    if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) {
      throw new RangeError('fault probability must be within 0..1')
    }
    const rule: FaultRule = { spec, method: spec.method?.toLowerCase(), remaining: spec.times ?? Infinity, hits: 0 }
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

  /** The first rule that hits this request, spending one of its `times`. */
  take(method: string): FaultSpec | undefined {
    const name = method.toLowerCase()
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || (rule.method !== undefined && rule.method !== name)) continue
      if (rule.spec.probability !== undefined && this.random.float() >= rule.spec.probability) continue
      rule.remaining -= 1
      rule.hits += 1
      return rule.spec
    }
    return undefined
  }
}

/** What a fault that stands in for the answer sends (the kinds that fail before anything runs). */
export function faultReply(kind: FaultKind): { status: number; body: unknown; html?: string } | undefined {
  switch (kind) {
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
