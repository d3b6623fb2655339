import { BitrixAPIError } from './api.js'
import { BitrixError, BitrixRequestError, BitrixRequestTimeout } from './base.js'
import type { BitrixAPIErrorCode, BitrixOAuthErrorCode } from './codes.js'
import { BitrixOAuthError, BitrixOAuthRequestTimeout } from './oauth.js'
import { BitrixValidationError } from './validation.js'

// `(string & {})` keeps editor completion for the documented codes while accepting any string.
/**
 * The codes a guard matches (case-insensitively): one code or a list; documented codes are suggested, any string is
 * accepted.
 */
export type CodeFilter<Code extends string> = Code | (string & {}) | readonly (Code | (string & {}))[]

function codeMatches(actual: string, filter: CodeFilter<string> | undefined): boolean {
  if (filter === undefined) return true
  const wanted = actual.toUpperCase()
  return typeof filter === 'string'
    ? filter.toUpperCase() === wanted
    : filter.some((code) => code.toUpperCase() === wanted)
}

/** Any error thrown by the SDK. */
export function isBitrixError(value: unknown): value is BitrixError {
  return value instanceof BitrixError
}

/**
 * An API error, optionally with one of the given wire codes (case-insensitive; v3 codes too).
 *
 * @example
 * if (isBitrixAPIError(e, ['expired_token', 'invalid_token'])) await token.refresh()
 */
export function isBitrixAPIError(value: unknown, code?: CodeFilter<BitrixAPIErrorCode>): value is BitrixAPIError {
  return value instanceof BitrixAPIError && codeMatches(value.error, code)
}

/** An OAuth server error, optionally with one of the given codes (case-insensitive). */
export function isBitrixOAuthError(value: unknown, code?: CodeFilter<BitrixOAuthErrorCode>): value is BitrixOAuthError {
  return value instanceof BitrixOAuthError && codeMatches(value.error, code)
}

/** Getting a token failed: the OAuth server refused, or did not answer in time. */
export function isBitrixOAuthFailure(value: unknown): value is BitrixOAuthError | BitrixOAuthRequestTimeout {
  return value instanceof BitrixOAuthError || value instanceof BitrixOAuthRequestTimeout
}

/** No HTTP response at all (network failure or timeout, REST or OAuth). */
export function isBitrixRequestError(value: unknown): value is BitrixRequestError {
  return value instanceof BitrixRequestError
}

/** A timeout, of a REST call (`BitrixRequestTimeout`) or of the OAuth server (`BitrixOAuthRequestTimeout`). */
export function isBitrixTimeout(value: unknown): value is BitrixRequestTimeout {
  return value instanceof BitrixRequestTimeout
}

/** Arguments were rejected before sending. */
export function isBitrixValidationError(value: unknown): value is BitrixValidationError {
  return value instanceof BitrixValidationError
}
