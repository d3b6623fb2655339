import { redact } from '../log/redact.js'
import { BitrixError, type BitrixErrorJSON, BitrixRequestTimeout, type BitrixRequestTimeoutOptions } from './base.js'

/** What a `BitrixOAuthError` (and each per-code subclass) is built from: the OAuth server's error answer. */
export interface BitrixOAuthErrorOptions {
  /** Wire code, e.g. `invalid_grant`, `PAYMENT_REQUIRED`. */
  error: string
  /** The server's `error_description`, if any. */
  errorDescription?: string
  /** HTTP status of the answer. */
  status?: number
  /** Overrides the generated message. */
  message?: string
}

/** The OAuth server (`oauth.bitrix.info` or the portal's own) refused a token request. */
export class BitrixOAuthError extends BitrixError {
  override readonly name: string = 'BitrixOAuthError'
  readonly error: string
  readonly errorDescription: string
  readonly status: number

  constructor(options: BitrixOAuthErrorOptions) {
    const error = options.error ?? ''
    const errorDescription = redact(options.errorDescription ?? '')
    const status = options.status ?? 0
    const text = [error, errorDescription].filter((part) => part !== '').join(': ') || 'Unknown error'
    super(options.message ?? `${text} (${status > 0 ? `HTTP ${status}, ` : ''}OAuth server)`)
    this.error = error
    this.errorDescription = errorDescription
    this.status = status
  }

  override toJSON(): BitrixErrorJSON {
    const { error, errorDescription, status } = this
    return { ...super.toJSON(), error, errorDescription, status }
  }
}

/** `invalid_request`: a required parameter is missing or malformed. */
export class BitrixOAuthInvalidRequest extends BitrixOAuthError {
  override readonly name: string = 'BitrixOAuthInvalidRequest'
}

/** `invalid_client` (401): wrong `client_id` / `client_secret`. */
export class BitrixOAuthInvalidClient extends BitrixOAuthError {
  override readonly name: string = 'BitrixOAuthInvalidClient'
}

/** `invalid_grant` (400): the refresh token or authorization code is expired, used or unknown. */
export class BitrixOAuthInvalidGrant extends BitrixOAuthError {
  override readonly name: string = 'BitrixOAuthInvalidGrant'
}

/** `BitrixOAuthErrorOptions` plus whether a lost refresh answer is the likely cause. */
export interface BitrixOAuthReauthorizationRequiredOptions extends BitrixOAuthErrorOptions {
  /**
   * True when an earlier refresh with the same refresh token may have reached the OAuth server and its answer was
   * lost (reset, timeout, truncated body): the server most likely rotated the token and the new one never arrived.
   */
  rotationLost?: boolean
}

/**
 * The OAuth server no longer accepts this token's refresh token (`invalid_grant` on a refresh): expired, revoked,
 * already used, or rotated by a refresh whose answer was lost (`rotationLost`). No retry can fix it: the app must
 * be authorized on the portal again (`/oauth/authorize/`, or a new token from the install event) and store the
 * new tokens. The token raises `reauthorizationRequired` once when it enters this state. See docs/oauth.md.
 */
export class BitrixOAuthReauthorizationRequired extends BitrixOAuthInvalidGrant {
  override readonly name: string = 'BitrixOAuthReauthorizationRequired'
  readonly rotationLost: boolean

  constructor(options: BitrixOAuthReauthorizationRequiredOptions) {
    const rotationLost = options.rotationLost ?? false
    const cause = rotationLost
      ? 'an earlier refresh reached the OAuth server but its answer was lost, so the rotated refresh token never arrived'
      : 'the refresh token is expired, revoked or already used'
    const wire = [options.error, options.errorDescription].filter(Boolean).join(': ')
    super({
      ...options,
      message:
        options.message ??
        `Re-authorization required: the OAuth server refused the refresh token (${wire}); ${cause}. Authorize the app on the portal again and store the new tokens.`,
    })
    this.rotationLost = rotationLost
  }

  override toJSON(): BitrixErrorJSON {
    return { ...super.toJSON(), rotationLost: this.rotationLost }
  }
}

/** `invalid_scope` / `insufficient_scope`: the requested scope is not granted. */
export class BitrixOAuthInvalidScope extends BitrixOAuthError {
  override readonly name: string = 'BitrixOAuthInvalidScope'
}

/** `PAYMENT_REQUIRED`: the application's subscription is not paid. */
export class BitrixOAuthPaymentRequired extends BitrixOAuthError {
  override readonly name: string = 'BitrixOAuthPaymentRequired'
}

/** `wrong_client`: the token belongs to another application. */
export class BitrixOAuthWrongClient extends BitrixOAuthError {
  override readonly name: string = 'BitrixOAuthWrongClient'
}

/** What a `BitrixOAuthRequestTimeout` is built from: the timeout's details and the grant that was asked for. */
export interface BitrixOAuthRequestTimeoutOptions extends Omit<BitrixRequestTimeoutOptions, 'method'> {
  /** `refresh_token` or `authorization_code`. */
  grantType?: string
}

/**
 * The OAuth server did not answer in time. It extends `BitrixRequestTimeout`, not `BitrixOAuthError`: there is no
 * OAuth answer (no code, no status), and retry logic that handles timeouts handles this one too.
 * `isBitrixTimeout(e)` covers both; `isBitrixOAuthFailure(e)` covers this and every `BitrixOAuthError`.
 */
export class BitrixOAuthRequestTimeout extends BitrixRequestTimeout {
  override readonly name: string = 'BitrixOAuthRequestTimeout'
  readonly grantType: string | undefined

  constructor(options: BitrixOAuthRequestTimeoutOptions) {
    const grant = options.grantType === undefined ? '' : ` (${options.grantType})`
    super({
      ...options,
      message:
        options.message ?? `OAuth token request${grant} timed out after ${options.timeoutMs} ms (${options.phase})`,
    })
    this.grantType = options.grantType
  }

  override toJSON(): BitrixErrorJSON {
    return { ...super.toJSON(), grantType: this.grantType }
  }
}

/** What a `BitrixRefreshLockTimeout` carries. */
export interface BitrixRefreshLockTimeoutOptions {
  /** What the lock guards, e.g. `refresh:<member_id>`. */
  lock: string
  waitedMs: number
}

/**
 * Another process held the refresh lock of this token for longer than this one was willing to wait. The holder
 * keeps its lease alive only while it runs, so this means a refresh that is still going (a slow OAuth server),
 * not a dead holder: a dead holder's lease expires and the lock is taken over.
 */
export class BitrixRefreshLockTimeout extends BitrixError {
  override readonly name: string = 'BitrixRefreshLockTimeout'
  readonly lock: string
  readonly waitedMs: number

  constructor(options: BitrixRefreshLockTimeoutOptions) {
    super(`waited ${options.waitedMs} ms for the refresh lock ${options.lock}, still held by another process`)
    this.lock = options.lock
    this.waitedMs = options.waitedMs
  }

  override toJSON(): BitrixErrorJSON {
    return { ...super.toJSON(), lock: this.lock, waitedMs: this.waitedMs }
  }
}
