/**
 * What every transport takes, returns and throws: one HTTP exchange, no redirects followed (a 302 is a portal
 * domain change the client handles itself).
 */

export interface TransportRequest {
  url: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
  /** Milliseconds until the connection must be open, and until the whole response must have arrived. */
  connectTimeoutMs: number
  readTimeoutMs: number
  signal?: AbortSignal
}

export interface TransportResponse {
  status: number
  /** Lower-case header names. */
  headers: Record<string, string>
  body: string
}

/**
 * Why a transport failed. `sent` tells whether the server may have received the request (and may have
 * applied a write), which decides whether a non-idempotent call can be retried.
 */
export class TransportError extends Error {
  readonly kind: 'connect' | 'timeout' | 'network' | 'aborted'
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

export type Transport = (request: TransportRequest) => Promise<TransportResponse>
