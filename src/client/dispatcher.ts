/**
 * Sends one REST call: limiter → credentials → transport → envelope → response or typed error, with
 * token renewal, domain moves and retries around it. Everything above (requests, batches, lists) calls here.
 */
import type { AuthContext, Credentials } from '../auth/credentials.js'
import { checkPortalMove, type PortalMovePolicy } from '../auth/portal-move.js'
import { Config, type ConfigOptions, checkMaxQueueWait, type Timeout, timeoutToMs } from '../config.js'
import {
  apiErrorFromResponse,
  BitrixAPIExpiredToken,
  BitrixAPIInvalidToken,
  BitrixRequestError,
  BitrixRequestTimeout,
} from '../errors/index.js'
import { parseEnvelope } from '../http/envelope.js'
import { decideRetry, isReadMethod, type RetryPolicy } from '../http/retry.js'
import { type Transport, TransportError, type TransportResponse } from '../http/transport.js'
import { type Limiter, type LimiterOutcome, type OperatingBudget, unlimited } from '../limits/limiter.js'
import { V3_ONLY_METHODS } from '../methods/generated/names.js'
import { BitrixResponse, type BitrixTime, parseTime, type RawTime } from '../requests/response.js'
import { type HookSet, outcomeOf } from './hooks.js'

/** Per-call options, the last argument of every method: `client.crm.deal.get({ id: 1 }, { timeout: 5 })`. */
export interface CallOptions {
  /** Seconds, or `[connect, read]`; overrides the client's and the global default. */
  timeout?: Timeout
  /** Retries of a transient failure for this call; overrides the client's and the global `defaultMaxRetries`. */
  maxRetries?: number
  /** Cancels the call: while it waits in the limiter, between retries, or on the network. */
  signal?: AbortSignal
  /** Treat the call as safe to repeat (a read). Guessed from the method name when omitted. */
  idempotent?: boolean
  /** REST version: 3 sends to `/rest/api/`. Default 2, or 3 for methods that exist only in REST 3.0. */
  apiVersion?: 2 | 3
  /**
   * Seconds the call may wait in the limiter, over all its attempts, before it fails with `BitrixQueueTimeout`
   * (nothing sent); overrides the client's and the global `maxQueueWait`.
   */
  maxQueueWait?: number
  /**
   * Check this call's arguments against the catalogue; overrides the client's and the global `validateArguments`.
   * `false` is the escape hatch for the day the docs are wrong about one method.
   */
  validateArguments?: boolean
}

export interface DispatcherSettings {
  credentials: Credentials
  transport: Transport
  limiter: Limiter
  /** Per-client overrides of the global `Config`. */
  overrides: Partial<ConfigOptions>
  /** Called before a call is sent; throws `BitrixValidationError` for bad arguments. */
  validate?: (method: string, params: Record<string, unknown>) => void | Promise<void>
  /** Notified before each wait for a retry. */
  onRetry?: (info: { method: string; reason: string; delayMs: number; attempt: number }) => void
  /** Accepts portal moves the built-in rules refuse (see `checkPortalMove`). */
  allowPortalMove?: PortalMovePolicy
  /** Observers of every call (see `ClientHooks`). */
  hooks?: HookSet
}

const MAX_REDIRECTS = 5

/**
 * The headers of every call: only what the portal's CORS allows (`origin, content-type, accept`), so the same
 * call works from a browser page. The Node transport adds `user-agent` and `x-request-id` itself (no CORS there).
 */
const CALL_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
  accept: 'application/json',
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** What a batch tells the limiter: each sub-call's time, and the sub-methods refused for operating time. */
function batchReport(params: Record<string, unknown>, result: unknown): Pick<LimiterOutcome, 'subTimes' | 'blocked'> {
  const cmd = params.cmd as Record<string, unknown> | undefined
  const raw = result as { result_time?: unknown; result_error?: unknown } | null
  if (!cmd) return {}
  const methodOf = (key: string) => {
    const command = cmd[key]
    return typeof command === 'string' ? command.split('?', 1)[0] : undefined
  }
  const subTimes: Array<{ method: string; time: BitrixTime }> = []
  for (const [key, time] of Object.entries((raw?.result_time ?? {}) as Record<string, unknown>)) {
    const method = methodOf(key)
    if (method) subTimes.push({ method, time: parseTime(time as RawTime) })
  }
  const blocked: string[] = []
  for (const [key, error] of Object.entries((raw?.result_error ?? {}) as Record<string, unknown>)) {
    const method = methodOf(key)
    if (method && (error as { error?: unknown } | null)?.error === 'OPERATION_TIME_LIMIT') blocked.push(method)
  }
  return blocked.length > 0 ? { subTimes, blocked } : { subTimes }
}

interface Attempt {
  method: string
  params: Record<string, unknown>
  limitedMethods: readonly string[]
  signal: AbortSignal | undefined
  apiVersion: 2 | 3
  context: AuthContext
  debug: boolean
  /** Numbers the call for hooks (0 without hooks). */
  callId: number
  /** The attempt being made, for hooks. */
  attempt: number
}

type AttemptOutcome<T> =
  | { kind: 'ok'; response: BitrixResponse<T>; status: number }
  | { kind: 'moved'; status: number }
  | { kind: 'error'; error: unknown; auth: Record<string, string>; renewalFailed?: true; status?: number }

/** How each transport failure reads in a `BitrixRequestError`'s message (a timeout has its own class). */
const REQUEST_FAILURES: Record<TransportError['kind'], string> = {
  connect: 'could not connect',
  network: 'network error',
  aborted: 'network error',
  timeout: 'timed out',
  response: 'unreadable response',
}

export class Dispatcher {
  readonly credentials: Credentials
  readonly #settings: DispatcherSettings
  readonly #config = new Config()
  /** Last `operating_reset_at` seen per method: how long a 429 block lasts. */
  readonly #resetAt = new Map<string, number>()
  /** Calls made so far, for the hooks' `callId`. */
  #calls = 0

  constructor(settings: DispatcherSettings) {
    this.#settings = settings
    this.credentials = settings.credentials
  }

  setting<K extends keyof ConfigOptions>(key: K): ConfigOptions[K] {
    return this.#settings.overrides[key] ?? this.#config[key]
  }

  get transport(): Transport {
    return this.#settings.transport
  }

  authContext(timeout?: Timeout): AuthContext {
    return {
      transport: this.#settings.transport,
      timeoutMs: timeoutToMs(timeout ?? this.setting('defaultTimeout')),
      logger: this.setting('logger'),
    }
  }

  /**
   * @param limitedMethods the methods the limiter accounts this request to (a batch's sub-methods)
   */
  async send<T>(
    method: string,
    params: Record<string, unknown>,
    options: CallOptions = {},
    limitedMethods: readonly string[] = [method],
  ): Promise<BitrixResponse<T>> {
    const hooks = this.#settings.hooks
    if (hooks === undefined) return this.#send<T>(method, params, options, limitedMethods, undefined)
    const call = { callId: ++this.#calls, method, apiVersion: 2 as 2 | 3, attempt: 0 }
    const started = performance.now()
    let failure: unknown
    try {
      return await this.#send<T>(method, params, options, limitedMethods, call)
    } catch (error) {
      failure = error ?? new Error('call failed')
      throw error
    } finally {
      hooks.emit('onCallEnd', { ...call, durationMs: performance.now() - started, ...outcomeOf(failure) })
    }
  }

  async #send<T>(
    method: string,
    params: Record<string, unknown>,
    options: CallOptions,
    limitedMethods: readonly string[],
    traced: { callId: number; apiVersion: 2 | 3; attempt: number } | undefined,
  ): Promise<BitrixResponse<T>> {
    const hooks = this.#settings.hooks
    if ((options.validateArguments ?? this.setting('validateArguments')) && this.#settings.validate) {
      const pending = this.#settings.validate(method, params)
      if (pending) await pending
    }
    const logger = this.setting('logger')
    const timeout = timeoutToMs(options.timeout ?? this.setting('defaultTimeout'))
    const idempotent = options.idempotent ?? limitedMethods.every(isReadMethod)
    const policy: RetryPolicy = {
      maxRetries: options.maxRetries ?? this.setting('defaultMaxRetries'),
      initialDelay: this.setting('defaultInitialRetryDelay'),
      delayIncrement: this.setting('defaultRetryDelayIncrement'),
      jitter: 0.2,
      maxOperatingWait: 600,
    }
    const call: Attempt = {
      method,
      params,
      limitedMethods,
      signal: options.signal,
      apiVersion: options.apiVersion ?? (V3_ONLY_METHODS.has(method.toLowerCase()) ? 3 : 2),
      context: { transport: this.#settings.transport, timeoutMs: timeout, logger },
      debug: logger.isEnabled('debug'),
      callId: traced?.callId ?? 0,
      attempt: 0,
    }
    if (traced) traced.apiVersion = call.apiVersion
    if (options.maxQueueWait !== undefined) checkMaxQueueWait(options.maxQueueWait)
    const maxQueueMs = (options.maxQueueWait ?? this.setting('maxQueueWait')) * 1000
    let queuedMs = 0
    let attempt = 0
    let renewed = false
    let redirects = 0
    for (;;) {
      if (call.signal?.aborted) throw call.signal.reason
      const queuedAt = Date.now()
      await this.#settings.limiter.acquire(limitedMethods, call.signal, {
        maxWaitMs: maxQueueMs - queuedMs,
        waitedMs: queuedMs,
        method,
      })
      const waitedMs = Date.now() - queuedAt
      queuedMs += waitedMs
      if (traced) traced.attempt = call.attempt = attempt
      if (hooks) hooks.emit('onLimiterWait', { ...this.#hookInfo(call), waitedMs })
      const outcome = hooks ? await this.#observedAttempt<T>(hooks, call) : await this.#attempt<T>(call)
      if (outcome.kind === 'ok') return outcome.response
      if (outcome.kind === 'moved') {
        if (++redirects > MAX_REDIRECTS)
          throw new BitrixRequestError({ method, message: `${method}: too many redirects` })
        continue
      }
      let { error } = outcome
      // A failed token renewal means the portal refused the call (expired token) or it was never sent: any call
      // may then be retried, within the policy, when the renewal failure is transient.
      let renewalFailed = outcome.renewalFailed === true
      if ((error instanceof BitrixAPIExpiredToken || error instanceof BitrixAPIInvalidToken) && !renewed) {
        try {
          if (await this.credentials.renew(call.context, outcome.auth)) {
            renewed = true
            continue
          }
        } catch (renewalError) {
          error = renewalError
          renewalFailed = true
        }
      }
      const decision = decideRetry(error, attempt, idempotent || renewalFailed, policy)
      if (!decision.retry) throw error
      attempt++
      // With a limiter, an operating-time block is waited out by the limiter itself, in portal time.
      const delayMs =
        decision.reason === 'OPERATION_TIME_LIMIT' && this.#settings.limiter !== unlimited ? 0 : decision.delayMs
      logger.info('retrying', { method, reason: decision.reason, delayMs, attempt })
      this.#settings.onRetry?.({ method, reason: decision.reason, delayMs, attempt })
      if (hooks) hooks.emit('onRetry', { ...this.#hookInfo(call), attempt, reason: decision.reason, delayMs })
      await sleep(delayMs, call.signal)
    }
  }

  #hookInfo(call: Attempt): { callId: number; method: string; apiVersion: 2 | 3; attempt: number } {
    return { callId: call.callId, method: call.method, apiVersion: call.apiVersion, attempt: call.attempt }
  }

  /** `#attempt` with `onRequest` before and `onResponse` after. */
  async #observedAttempt<T>(hooks: HookSet, call: Attempt): Promise<AttemptOutcome<T>> {
    const info = { ...this.#hookInfo(call), host: this.credentials.domain }
    hooks.emit('onRequest', info)
    const started = performance.now()
    const outcome = await this.#attempt<T>(call)
    const durationMs = performance.now() - started
    hooks.emit('onResponse', {
      ...info,
      status: outcome.status,
      durationMs,
      ...(outcome.kind === 'error' ? outcomeOf(outcome.error) : { outcome: 'ok' as const }),
      ...(outcome.kind === 'ok' ? { time: outcome.response.time } : {}),
    })
    return outcome
  }

  /** One HTTP exchange; the limiter hears about it exactly once, whatever happens. */
  async #attempt<T>(call: Attempt): Promise<AttemptOutcome<T>> {
    const { attempt } = call
    const { method, params, limitedMethods, context } = call
    let report: LimiterOutcome = {}
    let auth: Record<string, string> = {}
    try {
      try {
        auth = await this.credentials.authParams(context)
      } catch (renewalError) {
        return { ...this.#failed(call, attempt, renewalError, auth), renewalFailed: true }
      }
      const url = this.credentials.restUrl(call.apiVersion) + method
      const started = performance.now()
      let response: TransportResponse
      try {
        response = await this.#settings.transport({
          url,
          method: 'POST',
          headers: { ...CALL_HEADERS },
          body: JSON.stringify(auth.auth === undefined ? params : { ...params, ...auth }),
          connectTimeoutMs: context.timeoutMs.connectMs,
          readTimeoutMs: context.timeoutMs.readMs,
          signal: call.signal,
        })
      } catch (caught) {
        if (call.signal?.aborted) throw call.signal.reason
        return this.#failed(call, attempt, this.#toRequestError(caught, method, context.timeoutMs.readMs), auth)
      }
      const durationMs = Math.round(performance.now() - started)
      const location = response.headers.location
      if (response.status >= 300 && response.status < 400 && location) {
        // Throws BitrixPortalMoveRefused (nothing sent, credentials unchanged) for a target the user wouldn't accept.
        const target = await checkPortalMove(url, location, this.#settings.allowPortalMove)
        context.logger.info('portal moved', { method, status: response.status, newDomain: target.host })
        await this.credentials.moveTo(target.host, target.scheme)
        return { kind: 'moved', status: response.status }
      }
      let envelope: ReturnType<typeof parseEnvelope>
      try {
        envelope = parseEnvelope(response.status, response.body, response.headers['content-type'], method)
      } catch (parseError) {
        return this.#failed(call, attempt, parseError, auth, response.status)
      }
      if (!envelope.ok) {
        const error = apiErrorFromResponse(envelope.status, envelope.body, method, {
          operatingResetAt: this.#resetAt.get(method),
        })
        if (error.error === 'QUERY_LIMIT_EXCEEDED' || error.error === 'OPERATION_TIME_LIMIT')
          report = { refused: error.error }
        return this.#failed(call, attempt, error, auth, response.status)
      }
      const time = parseTime(envelope.time)
      if (time.operatingResetAt !== undefined) this.#resetAt.set(method, time.operatingResetAt)
      report = method === 'batch' ? { time, ...batchReport(params, envelope.result) } : { time }
      if (call.debug) context.logger.debug('call', { method, status: response.status, durationMs, attempt })
      return {
        kind: 'ok',
        response: new BitrixResponse(envelope.result as T, time, envelope.total, envelope.next),
        status: response.status,
      }
    } finally {
      this.#settings.limiter.record(limitedMethods, report)
    }
  }

  /** The limiter's view of a method's operating-time budget (undefined without a limiter that keeps one). */
  operatingBudget(method: string): Promise<OperatingBudget | undefined> {
    return this.#settings.limiter.operatingBudget?.(method) ?? Promise.resolve(undefined)
  }

  #failed(
    call: Attempt,
    attempt: number,
    error: unknown,
    auth: Record<string, string>,
    status?: number,
  ): Extract<AttemptOutcome<never>, { kind: 'error' }> {
    if (call.debug) {
      const name = error instanceof Error ? error.name : String(error)
      call.context.logger.debug('call failed', { method: call.method, status, attempt, error: name })
    }
    return status === undefined ? { kind: 'error', error, auth } : { kind: 'error', error, auth, status }
  }

  #toRequestError(caught: unknown, method: string, timeoutMs: number): BitrixRequestError {
    if (caught instanceof TransportError) {
      if (caught.kind === 'timeout') {
        return new BitrixRequestTimeout({ method, timeoutMs, phase: caught.phase, sent: caught.sent, cause: caught })
      }
      return new BitrixRequestError({
        message: `${method}: ${REQUEST_FAILURES[caught.kind]} (${caught.message})`,
        method,
        sent: caught.sent,
        cause: caught,
      })
    }
    return new BitrixRequestError({ method, sent: true, cause: caught })
  }
}
