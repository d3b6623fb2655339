import {
  BitrixAPIAccessDenied,
  BitrixAPIAllowedOnlyIntranetUser,
  BitrixAPIApplicationNotFound,
  BitrixAPIAuthorizationError,
  BitrixAPIBatchLengthExceeded,
  BitrixAPIBatchMethodNotAllowed,
  BitrixAPIConnectionError,
  BitrixAPIError,
  BitrixAPIErrorArgument,
  BitrixAPIErrorCore,
  BitrixAPIEventNotFound,
  BitrixAPIExpiredToken,
  BitrixAPIInsufficientScope,
  BitrixAPIInternalServerError,
  BitrixAPIInternalWrongTransport,
  BitrixAPIInvalidArgValue,
  BitrixAPIInvalidCredentials,
  BitrixAPIInvalidRequest,
  BitrixAPIInvalidToken,
  BitrixAPIManifestIsNotAvailable,
  BitrixAPIMethodConfirmDenied,
  BitrixAPIMethodConfirmWaiting,
  BitrixAPIMethodNotFound,
  BitrixAPINoAuthFound,
  BitrixAPINotFound,
  BitrixAPIOperationTimeLimit,
  type BitrixAPIOperationTimeLimitOptions,
  BitrixAPIOverloadLimit,
  BitrixAPIPortalDeleted,
  BitrixAPIQueryLimitExceeded,
  BitrixAPIUnexpectedAnswer,
  BitrixAPIUserAccessError,
  BitrixAPIV3AccessDenied,
  BitrixAPIV3Error,
  type BitrixAPIV3ErrorOptions,
  BitrixAPIV3IdempotencyKeyReused,
  BitrixAPIV3InsufficientScope,
  BitrixAPIV3InvalidIdempotencyKey,
  BitrixAPIV3InvalidJson,
  BitrixAPIV3InvalidQuery,
  BitrixAPIV3MethodNotFound,
  BitrixAPIV3NotFound,
  BitrixAPIV3UnknownField,
  BitrixAPIV3ValidationError,
  type BitrixAPIV3Violation,
  BitrixAPIWrongAuthType,
  BitrixAPIWrongEncoding,
} from './api.js'
import {
  BitrixOAuthError,
  type BitrixOAuthErrorOptions,
  BitrixOAuthInvalidClient,
  BitrixOAuthInvalidGrant,
  BitrixOAuthInvalidRequest,
  BitrixOAuthInvalidScope,
  BitrixOAuthPaymentRequired,
  BitrixOAuthWrongClient,
} from './oauth.js'

/** A class of `API_ERROR_CLASSES`: a `BitrixAPIError` subclass built from the error answer. */
export type BitrixAPIErrorClass = new (options: BitrixAPIOperationTimeLimitOptions) => BitrixAPIError
/** A class of `OAUTH_ERROR_CLASSES`: a `BitrixOAuthError` subclass built from the OAuth server's answer. */
export type BitrixOAuthErrorClass = new (options: BitrixOAuthErrorOptions) => BitrixOAuthError

/** REST v2 wire code → error class (protocol reference §3). Codes not listed become a plain `BitrixAPIError`. */
export const API_ERROR_CLASSES = Object.freeze({
  INTERNAL_SERVER_ERROR: BitrixAPIInternalServerError,
  ERROR_UNEXPECTED_ANSWER: BitrixAPIUnexpectedAnswer,
  QUERY_LIMIT_EXCEEDED: BitrixAPIQueryLimitExceeded,
  ERROR_BATCH_METHOD_NOT_ALLOWED: BitrixAPIBatchMethodNotAllowed,
  ERROR_BATCH_LENGTH_EXCEEDED: BitrixAPIBatchLengthExceeded,
  NO_AUTH_FOUND: BitrixAPINoAuthFound,
  INVALID_REQUEST: BitrixAPIInvalidRequest,
  OVERLOAD_LIMIT: BitrixAPIOverloadLimit,
  ACCESS_DENIED: BitrixAPIAccessDenied,
  INVALID_CREDENTIALS: BitrixAPIInvalidCredentials,
  ERROR_MANIFEST_IS_NOT_AVAILABLE: BitrixAPIManifestIsNotAvailable,
  insufficient_scope: BitrixAPIInsufficientScope,
  expired_token: BitrixAPIExpiredToken,
  user_access_error: BitrixAPIUserAccessError,
  PORTAL_DELETED: BitrixAPIPortalDeleted,
  ERROR_METHOD_NOT_FOUND: BitrixAPIMethodNotFound,
  OPERATION_TIME_LIMIT: BitrixAPIOperationTimeLimit,
  WRONG_AUTH_TYPE: BitrixAPIWrongAuthType,
  METHOD_CONFIRM_WAITING: BitrixAPIMethodConfirmWaiting,
  METHOD_CONFIRM_DENIED: BitrixAPIMethodConfirmDenied,
  invalid_token: BitrixAPIInvalidToken,
  APPLICATION_NOT_FOUND: BitrixAPIApplicationNotFound,
  authorization_error: BitrixAPIAuthorizationError,
  CONNECTION_ERROR: BitrixAPIConnectionError,
  ERROR_ARGUMENT: BitrixAPIErrorArgument,
  ERROR_CORE: BitrixAPIErrorCore,
  ERROR_NOT_FOUND: BitrixAPINotFound,
  NOT_FOUND: BitrixAPINotFound,
  INTERNAL_WRONG_TRANSPORT: BitrixAPIInternalWrongTransport,
  INTERNAL_WRONG_HANDLER_CLASS: BitrixAPIInternalWrongTransport,
  ERROR_EVENT_NOT_FOUND: BitrixAPIEventNotFound,
  INVALID_ARG_VALUE: BitrixAPIInvalidArgValue,
  allowed_only_intranet_user: BitrixAPIAllowedOnlyIntranetUser,
  WRONG_ENCODING: BitrixAPIWrongEncoding,
} as const satisfies Record<string, BitrixAPIErrorClass>)

/** A documented REST v2 error code. */
export type BitrixAPIErrorCode = keyof typeof API_ERROR_CLASSES

/** A class of `V3_ERROR_CLASSES`: a `BitrixAPIV3Error` subclass built from a REST 3.0 error object. */
export type BitrixAPIV3ErrorClass = new (options: BitrixAPIV3ErrorOptions) => BitrixAPIV3Error

/**
 * REST 3.0 code → error class, for the codes the docs name (`api-reference/rest-v3.md` and the method pages).
 * Other `BITRIX_REST_V3_EXCEPTION_VALIDATION_*` codes are `BitrixAPIV3ValidationError`; anything else is a plain
 * `BitrixAPIV3Error`.
 */
export const V3_ERROR_CLASSES = Object.freeze({
  BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION: BitrixAPIV3ValidationError,
  BITRIX_REST_V3_EXCEPTION_VALIDATION_DTOVALIDATIONEXCEPTION: BitrixAPIV3ValidationError,
  BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTFILTERVALIDATIONEXCEPTION: BitrixAPIV3ValidationError,
  BITRIX_REST_V3_EXCEPTION_INVALIDJSONEXCEPTION: BitrixAPIV3InvalidJson,
  BITRIX_REST_V3_EXCEPTION_UNKNOWNDTOPROPERTYEXCEPTION: BitrixAPIV3UnknownField,
  BITRIX_REST_V3_EXCEPTION_UNKNOWNFILTEROPERATOREXCEPTION: BitrixAPIV3InvalidQuery,
  BITRIX_REST_V3_EXCEPTION_INVALIDFILTEREXCEPTION: BitrixAPIV3InvalidQuery,
  BITRIX_REST_V3_EXCEPTION_INVALIDORDEREXCEPTION: BitrixAPIV3InvalidQuery,
  BITRIX_REST_V3_EXCEPTION_INVALIDPAGINATIONEXCEPTION: BitrixAPIV3InvalidQuery,
  BITRIX_REST_V3_EXCEPTION_INVALIDSELECTEXCEPTION: BitrixAPIV3InvalidQuery,
  BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION: BitrixAPIV3NotFound,
  BITRIX_REST_V3_EXCEPTION_METHODNOTFOUNDEXCEPTION: BitrixAPIV3MethodNotFound,
  BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION: BitrixAPIV3AccessDenied,
  BITRIX_REST_V3_EXCEPTION_INSUFFICIENTSCOPEEXCEPTION: BitrixAPIV3InsufficientScope,
  BITRIX_REST_V3_EXCEPTION_IDEMPOTENCYKEYREUSEDEXCEPTION: BitrixAPIV3IdempotencyKeyReused,
  BITRIX_REST_V3_EXCEPTION_INVALIDIDEMPOTENCYKEYEXCEPTION: BitrixAPIV3InvalidIdempotencyKey,
} as const satisfies Record<string, BitrixAPIV3ErrorClass>)

/** A documented REST 3.0 error code. */
export type BitrixAPIV3ErrorCode = keyof typeof V3_ERROR_CLASSES

/** OAuth server wire code → error class. Codes not listed become a plain `BitrixOAuthError`. */
export const OAUTH_ERROR_CLASSES = Object.freeze({
  invalid_request: BitrixOAuthInvalidRequest,
  invalid_client: BitrixOAuthInvalidClient,
  invalid_grant: BitrixOAuthInvalidGrant,
  invalid_scope: BitrixOAuthInvalidScope,
  insufficient_scope: BitrixOAuthInvalidScope,
  PAYMENT_REQUIRED: BitrixOAuthPaymentRequired,
  wrong_client: BitrixOAuthWrongClient,
} as const satisfies Record<string, BitrixOAuthErrorClass>)

/** A documented OAuth server error code. */
export type BitrixOAuthErrorCode = keyof typeof OAUTH_ERROR_CLASSES

// Codes are matched case-insensitively (`EXPIRED_TOKEN` is `expired_token`); a Map avoids `constructor` & co.
const byUpperCase = <T>(table: Readonly<Record<string, T>>): ReadonlyMap<string, T> =>
  new Map(Object.entries(table).map(([code, value]) => [code.toUpperCase(), value]))

const API_LOOKUP = byUpperCase<BitrixAPIErrorClass>(API_ERROR_CLASSES)
const OAUTH_LOOKUP = byUpperCase<BitrixOAuthErrorClass>(OAUTH_ERROR_CLASSES)
const V3_LOOKUP = byUpperCase<BitrixAPIV3ErrorClass>(V3_ERROR_CLASSES)
const V3_VALIDATION_PREFIX = 'BITRIX_REST_V3_EXCEPTION_VALIDATION_'

function v3ErrorClass(code: string): BitrixAPIV3ErrorClass {
  const upper = code.toUpperCase()
  return (
    V3_LOOKUP.get(upper) ?? (upper.startsWith(V3_VALIDATION_PREFIX) ? BitrixAPIV3ValidationError : BitrixAPIV3Error)
  )
}

/** REST v2 error body: `{"error":"expired_token","error_description":"…", …other keys}`. */
export type BitrixAPIErrorBody = { error: string; error_description?: string; [key: string]: unknown }

/** REST v3 error body: `{"error":{"code":"BITRIX_REST_V3_EXCEPTION_…","message":"…","validation":[…]}}`. */
export type BitrixAPIV3ErrorBody = {
  error: { code: string; message?: string; validation?: BitrixAPIV3Violation[]; [key: string]: unknown }
  [key: string]: unknown
}

/** What the SDK knows besides the error body, for `apiErrorFromResponse`. */
export interface ApiErrorHints {
  /** Unix time (s) when the method's operating budget starts to free up (tracked by the limiter). */
  operatingResetAt?: number
}

const text = (value: unknown): string => (typeof value === 'string' ? value : value == null ? '' : String(value))

function withoutKeys(body: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> | undefined {
  const rest: Record<string, unknown> = {}
  let any = false
  for (const [key, value] of Object.entries(body)) {
    if (keys.includes(key)) continue
    rest[key] = value
    any = true
  }
  return any ? rest : undefined
}

function v3Violations(value: unknown): BitrixAPIV3Violation[] {
  if (!Array.isArray(value)) return []
  return value.map((item) => {
    if (item !== null && typeof item === 'object') {
      const violation = item as Record<string, unknown>
      return { ...violation, message: text(violation.message) }
    }
    return { message: text(item) }
  })
}

/**
 * Builds the error for an API error response, REST v2 or v3 shape.
 *
 * @example
 * apiErrorFromResponse(401, { error: 'expired_token', error_description: 'The access token provided has expired' }, 'crm.deal.get')
 * // BitrixAPIExpiredToken: expired_token: The access token provided has expired (HTTP 401, crm.deal.get)
 */
export function apiErrorFromResponse(
  status: number,
  body: BitrixAPIErrorBody | BitrixAPIV3ErrorBody,
  method?: string,
  hints: ApiErrorHints = {},
): BitrixAPIError {
  const payload = (body ?? {}) as Record<string, unknown>
  const error = payload.error
  if (error !== null && typeof error === 'object' && !Array.isArray(error)) {
    const v3 = error as Record<string, unknown>
    // A REST 2 code in the REST 3.0 shape (`expired_token`, `QUERY_LIMIT_EXCEEDED`) keeps its REST 2 class, so
    // token renewal and rate-limit retries work the same on both versions.
    const v2Class = API_LOOKUP.get(text(v3.code).toUpperCase())
    if (v2Class) {
      return new v2Class({
        error: text(v3.code),
        errorDescription: text(v3.message),
        status,
        method,
        extra: withoutKeys(v3, ['code', 'message']),
        ...(hints.operatingResetAt === undefined ? {} : { operatingResetAt: hints.operatingResetAt }),
      })
    }
    const ErrorClass = v3ErrorClass(text(v3.code))
    return new ErrorClass({
      code: text(v3.code),
      message: text(v3.message),
      validation: v3Violations(v3.validation),
      status,
      method,
      extra: withoutKeys(v3, ['code', 'message', 'validation']),
    })
  }
  const code = text(error)
  const options: BitrixAPIOperationTimeLimitOptions = {
    error: code,
    errorDescription: text(payload.error_description),
    status,
    method,
    extra: withoutKeys(payload, ['error', 'error_description']),
  }
  if (hints.operatingResetAt !== undefined) options.operatingResetAt = hints.operatingResetAt
  const ErrorClass = API_LOOKUP.get(code.toUpperCase()) ?? BitrixAPIError
  return new ErrorClass(options)
}

/** Builds the error for an OAuth server error response (`{"error":"invalid_grant","error_description":"…"}`). */
export function oauthErrorFromResponse(
  status: number,
  body: { error: string; error_description?: string; [key: string]: unknown },
): BitrixOAuthError {
  const payload = (body ?? {}) as Record<string, unknown>
  const code = text(payload.error)
  const ErrorClass = OAUTH_LOOKUP.get(code.toUpperCase()) ?? BitrixOAuthError
  return new ErrorClass({ error: code, errorDescription: text(payload.error_description), status })
}
