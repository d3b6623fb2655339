/**
 * REST 3.0 errors (api-reference/rest-v3.md, "Structure of an unsuccessful response"): a `RestError` whose code
 * carries the `BITRIX_REST_V3_EXCEPTION_` prefix and whose `extra.validation` holds the per-field details; the
 * v3 envelope (server/rest-v3.ts) writes it as `{ error: { code, message, validation? } }`.
 */
import { RestError } from '../../kernel.js'

/** Prefix of every REST 3.0 error code. */
export const V3_ERROR_PREFIX = 'BITRIX_REST_V3_EXCEPTION_'

/** One `error.validation[]` entry: the field and what is wrong with it. */
export interface ValidationEntry {
  field: string
  message: string
}

/** A REST 3.0 error with the documented code suffix (e.g. `ENTITYNOTFOUNDEXCEPTION`) and status. */
export function v3Error(suffix: string, message: string, status = 400, validation?: ValidationEntry[]): RestError {
  return new RestError(`${V3_ERROR_PREFIX}${suffix}`, message, status, validation ? { validation } : undefined)
}

/** `error.validation` of an error, when it has one. */
export function validationOf(error: RestError): ValidationEntry[] | undefined {
  const validation = error.extra?.validation
  return Array.isArray(validation) ? (validation as ValidationEntry[]) : undefined
}

/** 400 `VALIDATION_REQUESTVALIDATIONEXCEPTION` with one entry per bad field. */
export function validationError(entries: ValidationEntry[]): RestError {
  return v3Error('VALIDATION_REQUESTVALIDATIONEXCEPTION', 'Error validating request object', 400, entries)
}

export function requiredField(field: string): ValidationEntry {
  return { field, message: `Required field \`${field}\` is not specified` }
}

export function wrongType(field: string, type: string): ValidationEntry {
  return { field, message: `Field \`${field}\` requires data type \`${type}\` for this request` }
}

export const invalidJson = (): RestError => v3Error('INVALIDJSONEXCEPTION', 'Invalid JSON in the request body')
export const accessDenied = (): RestError => v3Error('ACCESSDENIEDEXCEPTION', 'Access denied', 403)
export const insufficientScope = (): RestError =>
  v3Error('INSUFFICIENTSCOPEEXCEPTION', 'The request requires higher privileges than provided by the token', 403)

export function entityNotFound(id: unknown, noun = 'Record'): RestError {
  return v3Error('ENTITYNOTFOUNDEXCEPTION', `${noun} with ID = \`${String(id)}\` not found`)
}

export function unknownDtoProperty(field: string, dto: string): RestError {
  return v3Error('UNKNOWNDTOPROPERTYEXCEPTION', `Unknown field \`${field}\` for entity \`${dto}\``)
}

export function unknownFilterOperator(operator: unknown): RestError {
  return v3Error('UNKNOWNFILTEROPERATOREXCEPTION', `Unknown filter operator \`${String(operator)}\``)
}

export function invalidFilter(expression: string): RestError {
  return v3Error('INVALIDFILTEREXCEPTION', `Unable to recognize filter expression \`${expression}\``)
}

export function invalidPagination(raw: unknown): RestError {
  return v3Error(
    'INVALIDPAGINATIONEXCEPTION',
    `Unable to recognize the pagination parameter \`${JSON.stringify(raw)}\``,
  )
}

export function invalidOrder(raw: unknown): RestError {
  return v3Error('INVALIDORDEREXCEPTION', `Unable to recognize sorting parameter \`${JSON.stringify(raw)}\``)
}

export function invalidSelect(message: string): RestError {
  return v3Error('INVALIDSELECTEXCEPTION', message)
}
