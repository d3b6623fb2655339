import { redact, redactContext } from '../log/redact.js'

/** A plain, secret-free object for logs and JSON responses. */
export type BitrixErrorJSON = { name: string; message: string } & Record<string, unknown>

/**
 * Root of every error the SDK throws. Messages pass through `redact` when constructed, so no error text carries
 * a registered secret, a webhook key or a token-bearing query parameter.
 */
export class BitrixError extends Error {
  override readonly name: string = 'BitrixError'

  constructor(message: string, options?: { cause?: unknown }) {
    super(redact(String(message)), options?.cause === undefined ? undefined : { cause: safeCause(options.cause) })
  }

  /** Safe plain object: name, message and the subclass's fields (never a secret). */
  toJSON(): BitrixErrorJSON {
    const json: BitrixErrorJSON = { name: this.name, message: this.message }
    if (this.cause !== undefined) json.cause = redactContext({ cause: this.cause }).cause
    return json
  }
}

/** Error-like causes are kept as they are unless their text holds a secret; then a redacted copy replaces them. */
function safeCause(cause: unknown, depth = 0): unknown {
  if (!(cause instanceof Error) || depth > 3) return cause
  const props = Object.getOwnPropertyNames(cause).filter((key) => key !== 'cause')
  const texts = props.map((key) => (cause as unknown as Record<string, unknown>)[key])
  const innerCause = cause.cause === undefined ? undefined : safeCause(cause.cause, depth + 1)
  const leaks =
    texts.some((value) => typeof value === 'string' && redact(value) !== value) || innerCause !== cause.cause
  if (!leaks) return cause
  // Same prototype (instanceof and `name` still work), own data properties shadow prototype getters.
  const copy = Object.create(Object.getPrototypeOf(cause)) as Error
  for (const [index, key] of props.entries()) {
    const value = texts[index]
    Object.defineProperty(copy, key, {
      value: typeof value === 'string' ? redact(value) : value,
      writable: true,
      configurable: true,
      enumerable: Object.getOwnPropertyDescriptor(cause, key)?.enumerable ?? false,
    })
  }
  if (!Object.hasOwn(copy, 'message')) {
    Object.defineProperty(copy, 'message', { value: redact(cause.message), writable: true, configurable: true })
  }
  if (cause.cause !== undefined) {
    Object.defineProperty(copy, 'cause', { value: innerCause, writable: true, configurable: true })
  }
  return copy
}

/** What a `BitrixRequestError` is built from: whatever the runtime threw for a failed connection, and context. */
export interface BitrixRequestErrorOptions {
  /** The REST method being called, e.g. `crm.deal.get`; never a URL (URLs carry webhook keys). */
  method?: string
  /** The original error (fetch `TypeError`, `AbortError`, …). Kept, with secrets in its text redacted. */
  cause?: unknown
  /** Overrides the generated message. */
  message?: string
  /**
   * Whether the request may have reached the server (and a write may have been applied). False only when
   * no connection was made; retry logic sends a write again only then.
   */
  sent?: boolean
}

const causeText = (cause: unknown): string | undefined => {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : ''
    return `${cause.message}${inner}`
  }
  return cause === undefined ? undefined : String(cause)
}

/** The request did not get an HTTP response: DNS failure, refused or reset connection, TLS error, abort. */
export class BitrixRequestError extends BitrixError {
  override readonly name: string = 'BitrixRequestError'
  readonly method: string | undefined
  /** Whether the server may have received the request; see `BitrixRequestErrorOptions.sent`. */
  readonly sent: boolean

  constructor(options: BitrixRequestErrorOptions = {}) {
    const target = options.method === undefined ? 'Request' : `Request to ${options.method}`
    const reason = causeText(options.cause)
    super(options.message ?? (reason === undefined ? `${target} failed` : `${target} failed: ${reason}`), options)
    this.method = options.method
    this.sent = options.sent ?? true
  }

  override toJSON(): BitrixErrorJSON {
    return { ...super.toJSON(), method: this.method, sent: this.sent }
  }
}

/** Which limit a timeout hit: `connect` (no connection or response headers in time) or `read` (the body). */
export type TimeoutPhase = 'connect' | 'read'

export interface BitrixRequestTimeoutOptions extends BitrixRequestErrorOptions {
  /** The limit that was exceeded, in milliseconds. */
  timeoutMs: number
  /** `connect`: no connection / response headers in time; `read`: the body did not arrive in time. */
  phase: TimeoutPhase
}

/** No response within the configured timeout (`Config.defaultTimeout`, seconds or `[connect, read]`). */
export class BitrixRequestTimeout extends BitrixRequestError {
  override readonly name: string = 'BitrixRequestTimeout'
  readonly timeoutMs: number
  readonly phase: TimeoutPhase

  constructor(options: BitrixRequestTimeoutOptions) {
    const target = options.method === undefined ? 'Request' : `Request to ${options.method}`
    super({
      ...options,
      message: options.message ?? `${target} timed out after ${options.timeoutMs} ms (${options.phase})`,
    })
    this.timeoutMs = options.timeoutMs
    this.phase = options.phase
  }

  override toJSON(): BitrixErrorJSON {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs, phase: this.phase }
  }
}

const EXCERPT_LENGTH = 200
// Redact a generous prefix before cutting: a secret straddling the cut must not survive half-visible.
const EXCERPT_SCAN = 4096

/** A redacted, whitespace-collapsed excerpt of at most 200 characters (plus `…` when cut). */
export function bodyExcerpt(body: string): string {
  const text = redact(body.slice(0, EXCERPT_SCAN)).replace(/\s+/g, ' ').trim()
  return text.length > EXCERPT_LENGTH || body.length > EXCERPT_SCAN ? `${text.slice(0, EXCERPT_LENGTH)}…` : text
}

/** What a `BitrixResponseParseError` is built from: the unreadable response and why it could not be read. */
export interface BitrixResponseParseErrorOptions {
  /** HTTP status of the response. */
  status: number
  /** `Content-Type` header, if any (an HTML error page from a proxy says `text/html`). */
  contentType?: string
  /** The raw body; only a short redacted excerpt is kept. */
  body: string
  /** The REST method that was called. */
  method?: string
  /** The `JSON.parse` error. */
  cause?: unknown
  /**
   * What is wrong when the body is JSON but not a readable envelope (`total is not a number`, a batch command
   * with neither a result nor an error); omitted when the body is not JSON at all.
   */
  reason?: string
  /** Whether the request reached the server; default true (an answer came back, so a write may have been applied). */
  sent?: boolean
}

/**
 * The portal answered, but not with a readable envelope: not JSON (proxy error page, truncated body, XML), or JSON
 * of the wrong shape. `sent` is true: a write may have been applied even though its result is lost.
 */
export class BitrixResponseParseError extends BitrixError {
  override readonly name: string = 'BitrixResponseParseError'
  readonly status: number
  readonly contentType: string | undefined
  /** First 200 characters of the body, redacted. */
  readonly excerpt: string
  readonly method: string | undefined
  /** What is wrong with a JSON body; `undefined` when the body is not JSON. */
  readonly reason: string | undefined
  /** Whether the request reached the server (and a write may have been applied): true unless told otherwise. */
  readonly sent: boolean

  constructor(options: BitrixResponseParseErrorOptions) {
    const excerpt = bodyExcerpt(options.body)
    const where = [`HTTP ${options.status}`, options.contentType, options.method].filter(Boolean).join(', ')
    const what = options.reason === undefined ? 'Response is not valid JSON' : `Unreadable response: ${options.reason}`
    const shown = excerpt !== '' ? `: ${JSON.stringify(excerpt)}` : options.reason === undefined ? ': empty body' : ''
    super(`${what} (${where})${shown}`, options)
    this.status = options.status
    this.contentType = options.contentType
    this.excerpt = excerpt
    this.method = options.method
    this.reason = options.reason
    this.sent = options.sent ?? true
  }

  override toJSON(): BitrixErrorJSON {
    const { status, contentType, excerpt, method, reason, sent } = this
    return { ...super.toJSON(), status, contentType, excerpt, method, reason, sent }
  }
}
