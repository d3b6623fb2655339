/**
 * Sends one REST call: limiter → credentials → transport → envelope → response or typed error, with
 * token renewal, domain moves and retries around it. Everything above (requests, batches, lists) calls here.
 */
import type { AuthContext, Credentials } from '../auth/credentials.js'
import { Config, type ConfigOptions, type Timeout, timeoutToMs } from '../config.js'
import {
  apiErrorFromResponse,
  BitrixAPIError,
  BitrixAPIExpiredToken,
  BitrixAPIInvalidToken,
  BitrixRequestError,
  BitrixRequestTimeout,
} from '../errors/index.js'
import { parseEnvelope } from '../http/envelope.js'
import { decideRetry, isReadMethod, type RetryPolicy } from '../http/retry.js'
import { type Transport, TransportError, type TransportResponse } from '../http/transport.js'
import type { Limiter } from '../limits/limiter.js'
import { V3_ONLY_METHODS } from '../methods/generated/names.js'
import { BitrixResponse, type BitrixTime, parseTime, type RawTime } from '../requests/response.js'

export interface CallOptions {
  /** Seconds, or `[connect, read]`; overrides the client's and the global default. */
  timeout?: Timeout
  maxRetries?: number
  signal?: AbortSignal
  /** Treat the call as safe to repeat (a read). Guessed from the method name when omitted. */
  idempotent?: boolean
  /** REST version: 3 sends to `/rest/api/`. Default 2, or 3 for methods that exist only in REST 3.0. */
  apiVersion?: 2 | 3
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
}

const MAX_REDIRECTS = 5
const USER_AGENT = 'b24tssdk/0.1.0'

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

function newRequestId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
}

/** The `time` of each sub-call of a batch, with its method: what the operating-time budget is charged. */
function batchSubTimes(params: Record<string, unknown>, result: unknown): Array<{ method: string; time: BitrixTime }> {
  const cmd = params.cmd as Record<string, unknown> | undefined
  const times = (result as { result_time?: unknown } | null)?.result_time
  if (!cmd || typeof times !== 'object' || times === null) return []
  const out: Array<{ method: string; time: BitrixTime }> = []
  for (const [key, raw] of Object.entries(times)) {
    const command = cmd[key]
    if (typeof command === 'string') out.push({ method: command.split('?', 1)[0], time: parseTime(raw as RawTime) })
  }
  return out
}

export class Dispatcher {
  readonly credentials: Credentials
  readonly #settings: DispatcherSettings
  readonly #config = new Config()
  /** Last `operating_reset_at` seen per method: how long a 429 block lasts. */
  readonly #resetAt = new Map<string, number>()

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
    if (this.setting('validateArguments') && this.#settings.validate) {
      const pending = this.#settings.validate(method, params)
      if (pending) await pending
    }
    const logger = this.setting('logger')
    const debug = logger.isEnabled('debug')
    const timeout = timeoutToMs(options.timeout ?? this.setting('defaultTimeout'))
    const idempotent = options.idempotent ?? limitedMethods.every(isReadMethod)
    const policy: RetryPolicy = {
      maxRetries: options.maxRetries ?? this.setting('defaultMaxRetries'),
      initialDelay: this.setting('defaultInitialRetryDelay'),
      delayIncrement: this.setting('defaultRetryDelayIncrement'),
      jitter: 0.2,
      maxOperatingWait: 600,
    }
    const context: AuthContext = { transport: this.#settings.transport, timeoutMs: timeout, logger }
    const { signal } = options
    const apiVersion = options.apiVersion ?? (V3_ONLY_METHODS.has(method.toLowerCase()) ? 3 : 2)
    let attempt = 0
    let renewed = false
    let redirects = 0
    for (;;) {
      if (signal?.aborted) throw signal.reason
      await this.#settings.limiter.acquire(limitedMethods, signal)
      const auth = await this.credentials.authParams(context)
      const url = this.credentials.restUrl(apiVersion) + method
      const body = JSON.stringify(auth.auth === undefined ? params : { ...params, ...auth })
      const started = performance.now()
      let error: unknown
      let response: TransportResponse | undefined
      try {
        response = await this.#settings.transport({
          url,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'user-agent': USER_AGENT,
            'x-request-id': newRequestId(),
          },
          body,
          connectTimeoutMs: timeout.connectMs,
          readTimeoutMs: timeout.readMs,
          signal,
        })
      } catch (caught) {
        if (signal?.aborted) throw signal.reason
        error = this.#toRequestError(caught, method, timeout.readMs)
      }
      const durationMs = Math.round(performance.now() - started)
      if (response) {
        const location = response.headers.location
        if (response.status >= 300 && response.status < 400 && location && redirects < MAX_REDIRECTS) {
          redirects++
          const target = new URL(location, url)
          logger.info('portal moved', { method, status: response.status, newDomain: target.host })
          await this.credentials.moveTo(target.host, target.protocol === 'http:' ? 'http' : 'https')
          continue
        }
        try {
          const envelope = parseEnvelope(response.status, response.body, response.headers['content-type'])
          if (envelope.ok) {
            const time = parseTime(envelope.time)
            if (time.operatingResetAt !== undefined) this.#resetAt.set(method, time.operatingResetAt)
            const subTimes = method === 'batch' ? batchSubTimes(params, envelope.result) : undefined
            this.#settings.limiter.record(limitedMethods, { time, subTimes })
            if (debug) logger.debug('call', { method, status: response.status, durationMs, attempt })
            return new BitrixResponse(envelope.result as T, time, envelope.total, envelope.next)
          }
          error = apiErrorFromResponse(envelope.status, envelope.body, method, {
            operatingResetAt: this.#resetAt.get(method),
          })
        } catch (parseError) {
          error = parseError
        }
      }
      if (debug)
        logger.debug('call failed', {
          method,
          status: response?.status,
          durationMs,
          attempt,
          error: error instanceof Error ? error.name : String(error),
        })
      if ((error instanceof BitrixAPIExpiredToken || error instanceof BitrixAPIInvalidToken) && !renewed) {
        renewed = true
        if (await this.credentials.renew(context, auth)) continue
      }
      if (
        error instanceof BitrixAPIError &&
        (error.error === 'QUERY_LIMIT_EXCEEDED' || error.error === 'OPERATION_TIME_LIMIT')
      ) {
        this.#settings.limiter.record(limitedMethods, { refused: error.error })
      }
      const decision = decideRetry(error, attempt, idempotent, policy)
      if (!decision.retry) throw error
      attempt++
      logger.info('retrying', { method, reason: decision.reason, delayMs: decision.delayMs, attempt })
      this.#settings.onRetry?.({ method, reason: decision.reason, delayMs: decision.delayMs, attempt })
      await sleep(decision.delayMs, signal)
    }
  }

  #toRequestError(caught: unknown, method: string, timeoutMs: number): BitrixRequestError {
    if (caught instanceof TransportError) {
      if (caught.kind === 'timeout') {
        return new BitrixRequestTimeout({ method, timeoutMs, phase: caught.phase, sent: caught.sent, cause: caught })
      }
      return new BitrixRequestError({
        message: `${method}: ${caught.kind === 'connect' ? 'could not connect' : 'network error'} (${caught.message})`,
        method,
        sent: caught.sent,
        cause: caught,
      })
    }
    return new BitrixRequestError({ method, sent: true, cause: caught })
  }
}
