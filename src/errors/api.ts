import { redact, redactContext } from '../log/redact.js'
import { BitrixError, type BitrixErrorJSON } from './base.js'

/** What a `BitrixAPIError` (and each per-code subclass) is built from: the portal's error answer. */
export interface BitrixAPIErrorOptions {
  /** Wire code, e.g. `expired_token`, `ERROR_METHOD_NOT_FOUND`; `''` or `'0'` for legacy errors without one. */
  error: string
  /** The portal's `error_description`, if any. */
  errorDescription?: string
  /** HTTP status; `0` when the error has none of its own (a batch sub-command's entry in `result_error`). */
  status?: number
  /** The REST method that failed, e.g. `crm.deal.get`. */
  method?: string
  /** The body's other keys, e.g. `{ argument: 'EVENT' }` for `ERROR_ARGUMENT`. */
  extra?: Record<string, unknown>
}

function describe(error: string, description: string, status: number, method: string | undefined): string {
  const text = [error, description].filter((part) => part !== '').join(': ') || 'Unknown error'
  const where = [status > 0 ? `HTTP ${status}` : '', method ?? ''].filter((part) => part !== '').join(', ')
  return where === '' ? text : `${text} (${where})`
}

/**
 * The portal answered with an error body (`{error, error_description}` in REST v2). Every documented code has its
 * own subclass (see `API_ERROR_CLASSES`); unknown codes and legacy empty codes (`''`, `'0'`) are this class.
 *
 * @example
 * try { await client.crm.deal.get({ id: 2 }) } catch (e) {
 *   if (e instanceof BitrixAPIError) console.log(e.error, e.errorDescription, e.status, e.method)
 * }
 */
export class BitrixAPIError extends BitrixError {
  override readonly name: string = 'BitrixAPIError'
  /** Wire code as sent (`expired_token`, `ERROR_METHOD_NOT_FOUND`, `''`). */
  readonly error: string
  readonly errorDescription: string
  readonly status: number
  readonly method: string | undefined
  /** Other keys of the error body, redacted. */
  readonly extra: Readonly<Record<string, unknown>>

  constructor(options: BitrixAPIErrorOptions, message?: string) {
    const error = options.error ?? ''
    const errorDescription = redact(options.errorDescription ?? '')
    const status = options.status ?? 0
    super(message ?? describe(error, errorDescription, status, options.method))
    this.error = error
    this.errorDescription = errorDescription
    this.status = status
    this.method = options.method
    this.extra = Object.freeze(options.extra === undefined ? {} : redactContext(options.extra))
  }

  override toJSON(): BitrixErrorJSON {
    const { error, errorDescription, status, method, extra } = this
    const json: BitrixErrorJSON = { ...super.toJSON(), error, errorDescription, status, method }
    if (Object.keys(extra).length > 0) json.extra = { ...extra }
    return json
  }
}

/**
 * A batch command the portal answered neither a result nor an error for (a malformed batch response). Whether it
 * ran is unknown: `sent` is true, as on a request error after sending, and a write may have been applied.
 */
export class BitrixAPIOutcomeUnknown extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIOutcomeUnknown'
  /** The command reached the portal; whether it ran is unknown. */
  readonly sent = true

  override toJSON(): BitrixErrorJSON {
    return { ...super.toJSON(), sent: this.sent }
  }
}

/** Authentication / authorization failed: the credentials, their scope or the user are not good for this call. */
export class BitrixAPIAuthError extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIAuthError'
}

/** A limit was hit: request rate (`QUERY_LIMIT_EXCEEDED`), method server time, or a manual overload block. */
export class BitrixAPIRateLimitError extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIRateLimitError'
}

/** `INTERNAL_SERVER_ERROR` (500). */
export class BitrixAPIInternalServerError extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIInternalServerError'
}

/** `ERROR_UNEXPECTED_ANSWER` (500): the server returned an unexpected response. */
export class BitrixAPIUnexpectedAnswer extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIUnexpectedAnswer'
}

/** `QUERY_LIMIT_EXCEEDED` (503): the portal's leaky bucket is full. */
export class BitrixAPIQueryLimitExceeded extends BitrixAPIRateLimitError {
  override readonly name: string = 'BitrixAPIQueryLimitExceeded'
}

/** `ERROR_BATCH_METHOD_NOT_ALLOWED` (405, in practice per batch command): method not allowed in `batch`. */
export class BitrixAPIBatchMethodNotAllowed extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIBatchMethodNotAllowed'
}

/** `ERROR_BATCH_LENGTH_EXCEEDED` (400, in practice per batch command): more than 50 commands. */
export class BitrixAPIBatchLengthExceeded extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIBatchLengthExceeded'
}

/** `NO_AUTH_FOUND` (401): the request carried no recognisable authorization. */
export class BitrixAPINoAuthFound extends BitrixAPIAuthError {
  override readonly name: string = 'BitrixAPINoAuthFound'
}

/** `INVALID_REQUEST` (400, or 401 at the auth stage): e.g. `Https required.` for a webhook over HTTP. */
export class BitrixAPIInvalidRequest extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIInvalidRequest'
}

/** `OVERLOAD_LIMIT` (503, or 401 at the auth stage): REST is blocked for the portal due to overload. */
export class BitrixAPIOverloadLimit extends BitrixAPIRateLimitError {
  override readonly name: string = 'BitrixAPIOverloadLimit'
}

/** `ACCESS_DENIED` (403): REST not in the plan, or `Access denied!` for the method / context. */
export class BitrixAPIAccessDenied extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIAccessDenied'
}

/** `INVALID_CREDENTIALS` (403, or 401 at the auth stage): wrong webhook code or user. */
export class BitrixAPIInvalidCredentials extends BitrixAPIAuthError {
  override readonly name: string = 'BitrixAPIInvalidCredentials'
}

/** `ERROR_MANIFEST_IS_NOT_AVAILABLE` (404). */
export class BitrixAPIManifestIsNotAvailable extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIManifestIsNotAvailable'
}

/** `insufficient_scope` (403, often 401): the webhook / token lacks the method's scope. */
export class BitrixAPIInsufficientScope extends BitrixAPIAuthError {
  override readonly name: string = 'BitrixAPIInsufficientScope'
}

/** `expired_token` (401): refresh the OAuth token and retry once. */
export class BitrixAPIExpiredToken extends BitrixAPIAuthError {
  override readonly name: string = 'BitrixAPIExpiredToken'
}

/** `user_access_error` (403): the user has no access to the application. */
export class BitrixAPIUserAccessError extends BitrixAPIAuthError {
  override readonly name: string = 'BitrixAPIUserAccessError'
}

/** `PORTAL_DELETED` (500 in the docs, 403 from the server). */
export class BitrixAPIPortalDeleted extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIPortalDeleted'
}

/** `ERROR_METHOD_NOT_FOUND` (404). */
export class BitrixAPIMethodNotFound extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIMethodNotFound'
}

/** `BitrixAPIErrorOptions` plus when the method's operating-time block starts to lift. */
export interface BitrixAPIOperationTimeLimitOptions extends BitrixAPIErrorOptions {
  /** Unix time (seconds) at which the method's oldest usage minute expires, when known. */
  operatingResetAt?: number
}

/** `OPERATION_TIME_LIMIT` (429): the method used its 10-minute server-time budget and is blocked for now. */
export class BitrixAPIOperationTimeLimit extends BitrixAPIRateLimitError {
  override readonly name: string = 'BitrixAPIOperationTimeLimit'
  /** Unix time (seconds) when the block starts to lift, if the SDK knew it (from `time.operating_reset_at`). */
  readonly operatingResetAt: number | undefined

  constructor(options: BitrixAPIOperationTimeLimitOptions, message?: string) {
    super(options, message)
    this.operatingResetAt = options.operatingResetAt
  }

  override toJSON(): BitrixErrorJSON {
    return { ...super.toJSON(), operatingResetAt: this.operatingResetAt }
  }
}

/** `WRONG_AUTH_TYPE` (403): e.g. `event.bind` called with a webhook instead of an OAuth application. */
export class BitrixAPIWrongAuthType extends BitrixAPIAuthError {
  override readonly name: string = 'BitrixAPIWrongAuthType'
}

/** `METHOD_CONFIRM_WAITING` (401): an administrator has to confirm the method for this application. */
export class BitrixAPIMethodConfirmWaiting extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIMethodConfirmWaiting'
}

/** `METHOD_CONFIRM_DENIED` (403): an administrator refused the method for this application. */
export class BitrixAPIMethodConfirmDenied extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIMethodConfirmDenied'
}

/** `invalid_token` (401): unknown or revoked token; handled like `expired_token`. */
export class BitrixAPIInvalidToken extends BitrixAPIAuthError {
  override readonly name: string = 'BitrixAPIInvalidToken'
}

/** `APPLICATION_NOT_FOUND` (401): the application is not installed or inactive on the portal. */
export class BitrixAPIApplicationNotFound extends BitrixAPIAuthError {
  override readonly name: string = 'BitrixAPIApplicationNotFound'
}

/** `authorization_error` (401): unable to authorize the user (e.g. inactive). */
export class BitrixAPIAuthorizationError extends BitrixAPIAuthError {
  override readonly name: string = 'BitrixAPIAuthorizationError'
}

/** `CONNECTION_ERROR` (401): the portal could not reach its authorization server (transient). */
export class BitrixAPIConnectionError extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIConnectionError'
}

/** `ERROR_ARGUMENT` (400): a bad argument; its name is in `extra.argument`. */
export class BitrixAPIErrorArgument extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIErrorArgument'

  /** The offending argument's name, when the portal sent it. */
  get argument(): string | undefined {
    const argument = this.extra.argument
    return typeof argument === 'string' ? argument : undefined
  }
}

/** `ERROR_CORE` (400, or 500 for e.g. `SQL query error!`). */
export class BitrixAPIErrorCore extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIErrorCore'
}

/** `ERROR_NOT_FOUND` and `NOT_FOUND` (400): the entity does not exist. */
export class BitrixAPINotFound extends BitrixAPIError {
  override readonly name: string = 'BitrixAPINotFound'
}

/** `INTERNAL_WRONG_TRANSPORT` / `INTERNAL_WRONG_HANDLER_CLASS` (500): `Wrong transport!`. */
export class BitrixAPIInternalWrongTransport extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIInternalWrongTransport'
}

/** `ERROR_EVENT_NOT_FOUND` (400): no such event to bind. */
export class BitrixAPIEventNotFound extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIEventNotFound'
}

/** `INVALID_ARG_VALUE` (400): e.g. `Invalid filter: field 'X' is not allowed in filter`. */
export class BitrixAPIInvalidArgValue extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIInvalidArgValue'
}

/** `allowed_only_intranet_user` (403): the action is allowed for intranet users only. */
export class BitrixAPIAllowedOnlyIntranetUser extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIAllowedOnlyIntranetUser'
}

/** `WRONG_ENCODING` (the response could not be encoded as JSON). */
export class BitrixAPIWrongEncoding extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIWrongEncoding'
}

/** One entry of a REST v3 `validation` list. */
export interface BitrixAPIV3Violation {
  /** What is wrong with the value. */
  message: string
  /** The field it is about, when the portal names one. */
  field?: string
  [key: string]: unknown
}

/** What a `BitrixAPIV3Error` is built from: the `error` object of a REST 3.0 answer. */
export interface BitrixAPIV3ErrorOptions {
  /** e.g. `BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION`. */
  code: string
  /** The portal's message. */
  message?: string
  /** The per-field problems of a validation error. */
  validation?: readonly BitrixAPIV3Violation[]
  /** HTTP status. */
  status?: number
  /** The REST method that failed. */
  method?: string
  /** Other keys of the `error` object. */
  extra?: Record<string, unknown>
}

const SHOWN_VIOLATIONS = 3

function describeViolations(validation: readonly BitrixAPIV3Violation[]): string[] {
  const shown = validation
    .slice(0, SHOWN_VIOLATIONS)
    .map((violation) => (violation.field ? `${violation.field}: ${violation.message}` : String(violation.message)))
  if (validation.length > SHOWN_VIOLATIONS) shown.push(`and ${validation.length - SHOWN_VIOLATIONS} more`)
  return shown
}

/**
 * A REST 3.0 error: `{"error":{"code":"BITRIX_REST_V3_EXCEPTION_…","message":"…","validation":[…]}}`.
 * `error` and `code` hold the code, `errorDescription` the message.
 */
export class BitrixAPIV3Error extends BitrixAPIError {
  override readonly name: string = 'BitrixAPIV3Error'
  readonly code: string
  readonly validation: readonly BitrixAPIV3Violation[]

  constructor(options: BitrixAPIV3ErrorOptions) {
    const validation = Object.freeze(
      (options.validation ?? []).map((item) => redactContext(item) as BitrixAPIV3Violation),
    )
    const { code, message = '', status = 0, method, extra } = options
    const details = [message, ...describeViolations(validation)].filter((part) => part !== '').join('; ')
    super({ error: code, errorDescription: message, status, method, extra }, describe(code, details, status, method))
    this.code = options.code
    this.validation = validation
  }

  override toJSON(): BitrixErrorJSON {
    return { ...super.toJSON(), code: this.code, validation: this.validation.map((item) => ({ ...item })) }
  }
}

/** `BITRIX_REST_V3_EXCEPTION_VALIDATION_*` (400): a parameter is missing or of the wrong type; see `validation`. */
export class BitrixAPIV3ValidationError extends BitrixAPIV3Error {
  override readonly name: string = 'BitrixAPIV3ValidationError'
}

/** `BITRIX_REST_V3_EXCEPTION_INVALIDJSONEXCEPTION` (400): the body was not JSON (REST 3.0 reads JSON only). */
export class BitrixAPIV3InvalidJson extends BitrixAPIV3Error {
  override readonly name: string = 'BitrixAPIV3InvalidJson'
}

/** `BITRIX_REST_V3_EXCEPTION_UNKNOWNDTOPROPERTYEXCEPTION` (400): a filter or related `select` field does not exist. */
export class BitrixAPIV3UnknownField extends BitrixAPIV3Error {
  override readonly name: string = 'BitrixAPIV3UnknownField'
}

/**
 * A list parameter REST 3.0 could not read: `…UNKNOWNFILTEROPERATOREXCEPTION`, `…INVALIDFILTEREXCEPTION`,
 * `…INVALIDORDEREXCEPTION`, `…INVALIDPAGINATIONEXCEPTION` or `…INVALIDSELECTEXCEPTION` (400; the last one also
 * answers a REST 2 style batch sent to `/rest/api/`).
 */
export class BitrixAPIV3InvalidQuery extends BitrixAPIV3Error {
  override readonly name: string = 'BitrixAPIV3InvalidQuery'
}

/** `BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION` (400): no object with the given identifier. */
export class BitrixAPIV3NotFound extends BitrixAPIV3Error {
  override readonly name: string = 'BitrixAPIV3NotFound'
}

/** `BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION` (403): the user has no permission for the object. */
export class BitrixAPIV3AccessDenied extends BitrixAPIV3Error {
  override readonly name: string = 'BitrixAPIV3AccessDenied'
}

/** `BITRIX_REST_V3_EXCEPTION_INSUFFICIENTSCOPEEXCEPTION` (403): the webhook or app lacks the method's scope. */
export class BitrixAPIV3InsufficientScope extends BitrixAPIV3Error {
  override readonly name: string = 'BitrixAPIV3InsufficientScope'
}

/**
 * `BITRIX_REST_V3_EXCEPTION_IDEMPOTENCYKEYREUSEDEXCEPTION` (422): the `Idempotency-Key` was already used for this
 * method with a different body. Use a new key; reuse a key only to repeat the very same call.
 */
export class BitrixAPIV3IdempotencyKeyReused extends BitrixAPIV3Error {
  override readonly name: string = 'BitrixAPIV3IdempotencyKeyReused'
}

/** `BITRIX_REST_V3_EXCEPTION_INVALIDIDEMPOTENCYKEYEXCEPTION` (400): the key is not 1–255 printable ASCII characters. */
export class BitrixAPIV3InvalidIdempotencyKey extends BitrixAPIV3Error {
  override readonly name: string = 'BitrixAPIV3InvalidIdempotencyKey'
}

/** `BITRIX_REST_V3_EXCEPTION_METHODNOTFOUNDEXCEPTION` (404): no such REST 3.0 method on this portal. */
export class BitrixAPIV3MethodNotFound extends BitrixAPIV3Error {
  override readonly name: string = 'BitrixAPIV3MethodNotFound'
}
