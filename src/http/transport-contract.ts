/**
 * What every transport takes, returns and throws: one HTTP exchange, no redirects followed (a 302 is a portal
 * domain change the client handles itself).
 */

/** One HTTP request as the client hands it to a `Transport`: fully built, signed and encoded. */
export interface TransportRequest {
  /** The full URL, method name included. */
  url: string
  /** The HTTP method. */
  method: 'GET' | 'POST'
  /** Request headers to send as given. */
  headers: Record<string, string>
  /** The encoded body, if any. */
  body?: string
  /** Milliseconds until the connection must be open. */
  connectTimeoutMs: number
  /** Milliseconds until the whole response must have arrived. */
  readTimeoutMs: number
  /** Aborts the exchange. */
  signal?: AbortSignal
}

/** What a `Transport` returns: any HTTP status (errors included), the headers and the whole body as text. */
export interface TransportResponse {
  /** The HTTP status; a 3xx is returned as is, not followed. */
  status: number
  /** Lower-case header names. */
  headers: Record<string, string>
  /** The response body as text. */
  body: string
}

/**
 * Why a transport failed. `sent` tells whether the server may have received the request (and may have
 * applied a write), which decides whether a non-idempotent call can be retried. `response`: an answer came but
 * cannot be read (a `Content-Encoding` the transport does not decode, a body that does not decode, or one over
 * the size cap).
 */
export class TransportError extends Error {
  readonly kind: 'connect' | 'timeout' | 'network' | 'aborted' | 'response'
  readonly phase: 'connect' | 'read'
  readonly sent: boolean
  constructor(kind: TransportError['kind'], phase: 'connect' | 'read', sent: boolean, cause?: unknown) {
    super(cause instanceof Error ? cause.message : kind, { cause })
    this.name = 'TransportError'
    this.kind = kind
    this.phase = phase
    this.sent = sent
  }
}

/**
 * Moves one HTTP exchange: `ClientOptions.transport` replaces the built-in one (e.g. for a proxy or a test). It
 * resolves with any HTTP status and follows no redirect; a network failure or timeout rejects.
 */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>
