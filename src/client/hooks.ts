/**
 * Observation points around every call, for metrics and tracing without wrapping the transport. Hooks see the
 * method, the portal host, timings, the attempt and the outcome; never parameters, URLs, headers or bodies, so no
 * secret can reach them. A hook that throws is logged (by name) and ignored: observing never breaks a call.
 */
import { BitrixValidationError } from '../errors/index.js'
import type { Logger } from '../log/index.js'
import type { BitrixTime } from '../requests/response.js'

/** What every hook is told: which call (`callId`, unique per client), which method, which attempt. */
export interface HookCallInfo {
  /** Numbers the calls of one client, from 1; the attempts, retries and waits of one call share it. */
  callId: number
  /** The REST method, or `batch`. */
  method: string
  /** The REST version the call goes to. */
  apiVersion: 2 | 3
  /** 0 for the first attempt, 1 for the first retry, … */
  attempt: number
}

/** Before an attempt goes to the network (after the limiter let it through). */
export interface RequestHookInfo extends HookCallInfo {
  /** The portal's `host[:port]`. */
  host: string
}

/** How an attempt or a call ended: `ok`, or the error's class name and Bitrix24 code. */
export interface HookOutcome {
  outcome: 'ok' | 'error'
  /** The error's class name, e.g. `BitrixAPIQueryLimitExceeded`; only when `outcome` is `error`. */
  errorName?: string
  /** The portal's error code (`QUERY_LIMIT_EXCEEDED`, …) when the portal answered with one. */
  errorCode?: string
}

/** After an attempt: its HTTP status (none when nothing came back), duration and outcome. */
export interface ResponseHookInfo extends RequestHookInfo, HookOutcome {
  /** HTTP status, absent when the attempt failed before an answer (network error, timeout). */
  status?: number
  /** Milliseconds from sending to the parsed answer or the failure. */
  durationMs: number
  /** The portal's `time` block of a successful answer (`operating`, `duration`, …). */
  time?: BitrixTime
}

/** Before the wait that precedes a retry. */
export interface RetryHookInfo extends HookCallInfo {
  /** Why: `QUERY_LIMIT_EXCEEDED`, `network`, `timeout`, … */
  reason: string
  /** How long the call waits before the retry, ms. */
  delayMs: number
}

/** After the client's limiter let an attempt through. */
export interface LimiterWaitHookInfo extends HookCallInfo {
  /** How long the attempt waited in the limiter, ms (0 when it went straight through). */
  waitedMs: number
}

/** Once per call, when it resolves or rejects. */
export interface CallEndHookInfo extends HookCallInfo, HookOutcome {
  /** Milliseconds from the call's start (limiter waits and retries included) to its end. */
  durationMs: number
}

/**
 * Functions the client calls around every call (`new Client(credentials, { hooks })`). Each is optional and
 * synchronous; what it returns is ignored. `attempt` in `onCallEnd` is the number of the last attempt.
 * @example
 * const client = new Client(webhook, {
 *   hooks: { onCallEnd: ({ method, durationMs, outcome }) => metrics.observe(method, durationMs, outcome) },
 * })
 */
export interface ClientHooks {
  /** After the limiter and before the network, once per attempt. */
  onRequest?: (info: RequestHookInfo) => void
  /** After each attempt, whatever its outcome. */
  onResponse?: (info: ResponseHookInfo) => void
  /** Before waiting for a retry. */
  onRetry?: (info: RetryHookInfo) => void
  /** After each pass through the client's limiter. */
  onLimiterWait?: (info: LimiterWaitHookInfo) => void
  /** Once per call, at its end. */
  onCallEnd?: (info: CallEndHookInfo) => void
}

type HookName = keyof ClientHooks
const HOOK_NAMES: readonly HookName[] = ['onRequest', 'onResponse', 'onRetry', 'onLimiterWait', 'onCallEnd']

/** The client's hooks, several observers merged; `undefined` when there are none, so calls pay nothing. */
export class HookSet {
  readonly #lists: { [K in HookName]: Array<NonNullable<ClientHooks[K]>> }
  readonly #logger: () => Logger

  private constructor(lists: { [K in HookName]: Array<NonNullable<ClientHooks[K]>> }, logger: () => Logger) {
    this.#lists = lists
    this.#logger = logger
  }

  /** Checks and merges `hooks` (one object or several); undefined when none is given. */
  static from(hooks: ClientHooks | readonly ClientHooks[] | undefined, logger: () => Logger): HookSet | undefined {
    if (hooks === undefined) return undefined
    const all = Array.isArray(hooks) ? hooks : [hooks as ClientHooks]
    const lists = { onRequest: [], onResponse: [], onRetry: [], onLimiterWait: [], onCallEnd: [] } as {
      [K in HookName]: Array<NonNullable<ClientHooks[K]>>
    }
    for (const [index, entry] of all.entries()) {
      if (typeof entry !== 'object' || entry === null) {
        throw invalidHooks(`hooks[${index}] must be an object of hook functions (${HOOK_NAMES.join(', ')})`)
      }
      for (const [name, fn] of Object.entries(entry)) {
        if (!(HOOK_NAMES as readonly string[]).includes(name)) {
          throw invalidHooks(`unknown hook "${name}"; known: ${HOOK_NAMES.join(', ')}`)
        }
        if (fn === undefined) continue
        if (typeof fn !== 'function') throw invalidHooks(`hook "${name}" must be a function`)
        ;(lists[name as HookName] as Array<(info: never) => void>).push(fn as (info: never) => void)
      }
    }
    return new HookSet(lists, logger)
  }

  emit<K extends HookName>(name: K, info: Parameters<NonNullable<ClientHooks[K]>>[0]): void {
    for (const fn of this.#lists[name]) {
      try {
        ;(fn as (info: unknown) => void)(info)
      } catch (error) {
        this.#logger().warn('hook failed', { hook: name, error: error instanceof Error ? error.name : typeof error })
      }
    }
  }
}

function invalidHooks(message: string): BitrixValidationError {
  return new BitrixValidationError({ message, parameter: 'hooks' })
}

/** The outcome fields of an error: its class name and, for a portal's answer, its code. */
export function outcomeOf(error: unknown): HookOutcome {
  if (error === undefined) return { outcome: 'ok' }
  const errorName = error instanceof Error ? error.name : typeof error
  const code = (error as { error?: unknown } | null)?.error
  return typeof code === 'string' ? { outcome: 'error', errorName, errorCode: code } : { outcome: 'error', errorName }
}
