/**
 * Reads the portal's JSON envelope: `{ result, total?, next?, time }` on success, `{ error, error_description }`
 * (or REST v3 `{ error: { code, message } }`) on failure. Every shape is checked: a body that is not JSON, or whose
 * envelope has the wrong shape, becomes a typed parse error rather than a success with garbage in it.
 */
import { type BitrixAPIErrorBody, type BitrixAPIV3ErrorBody, BitrixResponseParseError } from '../errors/index.js'
import type { RawTime } from '../requests/response.js'

export interface SuccessEnvelope {
  ok: true
  result: unknown
  total: number | undefined
  next: number | undefined
  time: RawTime | undefined
}

export interface ErrorEnvelope {
  ok: false
  status: number
  /** The error body as sent: REST 2's `{ error, error_description }` or REST 3.0's `{ error: { code, message, validation? } }`. */
  body: BitrixAPIErrorBody | BitrixAPIV3ErrorBody
}

export type Envelope = SuccessEnvelope | ErrorEnvelope

const BOM = 0xfeff

/** A UTF-8 BOM is dropped by fetch's text decoder but kept by node:http; both transports must read the same. */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === BOM ? text.slice(1) : text
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A number, or a string holding one (PHP sends either); `undefined` for anything else. */
export function numeric(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value)
    return Number.isFinite(number) ? number : undefined
  }
  return undefined
}

/** Text of a scalar error field; objects and arrays (which `String()` may not even convert) are not text. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return value === null || value === undefined ? '' : undefined
}

const TIME_NUMBERS = ['start', 'finish', 'duration', 'processing', 'operating', 'operating_reset_at'] as const
const TIME_TEXTS = ['date_start', 'date_finish'] as const

/** Why a `time` block can't be read, or `undefined` when it can (absent, or every field of the right type). */
export function timeProblem(time: unknown): string | undefined {
  if (time === undefined || time === null) return undefined
  if (!isRecord(time)) return 'is not an object'
  for (const key of TIME_NUMBERS) {
    if (time[key] !== undefined && time[key] !== null && numeric(time[key]) === undefined)
      return `${key} is not a number`
  }
  for (const key of TIME_TEXTS) {
    if (time[key] !== undefined && time[key] !== null && typeof time[key] !== 'string') return `${key} is not a string`
  }
  return undefined
}

const BATCH_MAPS = ['result', 'result_error', 'result_total', 'result_next', 'result_time'] as const

/** Why one entry of a batch map has the wrong type, or `undefined`. */
function entryProblem(map: (typeof BATCH_MAPS)[number], value: unknown): string | undefined {
  switch (map) {
    case 'result':
      return undefined
    case 'result_error':
      if (isRecord(value)) {
        const fields = scalarText(value.error) !== undefined && scalarText(value.error_description) !== undefined
        return fields ? undefined : 'has an error or error_description that is not text'
      }
      return value !== null && scalarText(value) !== undefined ? undefined : 'is neither an error object nor a code'
    case 'result_total':
    case 'result_next':
      return numeric(value) === undefined ? 'is not a number' : undefined
    case 'result_time':
      return isRecord(value) ? timeProblem(value) : 'is not an object'
  }
}

/** Why a `batch` result can't be read: its five maps must be maps, with entries of the documented types. */
function batchProblem(result: unknown): string | undefined {
  if (!isRecord(result)) return 'result is not an object of the five batch maps'
  for (const name of BATCH_MAPS) {
    const map = result[name]
    if (map === undefined || map === null) continue
    if (typeof map !== 'object') return `result.${name} is not a map`
    for (const [key, value] of Object.entries(map)) {
      const problem = entryProblem(name, value)
      if (problem) return `result.${name}[${JSON.stringify(key)}] ${problem}`
    }
  }
  return undefined
}

function errorBody(parsed: Record<string, unknown>): ErrorEnvelope['body'] | string {
  const error = parsed.error
  const description = scalarText(parsed.error_description)
  if (isRecord(error)) {
    // REST v3: { error: { code, message, validation? } }, passed on whole so the validation entries survive.
    const code = scalarText(error.code)
    const message = scalarText(error.message)
    if (code === undefined || message === undefined) return 'error.code or error.message is not text'
    const validation = error.validation
    if (validation !== undefined && validation !== null && !Array.isArray(validation))
      return 'error.validation is not a list'
    return { ...parsed, error: { ...error, code, message } }
  }
  const code = scalarText(error)
  if (code === undefined) return 'error is neither a code nor an object'
  if (description === undefined) return 'error_description is not text'
  return { ...parsed, error: code, error_description: description }
}

/**
 * @param method the REST method called, named in parse errors; REST 2 `batch` results are checked map by map.
 * @param apiVersion 3 for `/rest/api/`, whose `batch` answers a list of results in command order.
 */
export function parseEnvelope(
  status: number,
  text: string,
  contentType: string | undefined,
  method?: string,
  apiVersion: 2 | 3 = 2,
): Envelope {
  const body = withoutBom(text)
  const fail = (reason?: string, cause?: unknown) =>
    new BitrixResponseParseError({ status, contentType, body, method, reason, cause })
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (cause) {
    throw fail(undefined, cause)
  }
  if (!isRecord(parsed)) throw fail('the envelope is not a JSON object')
  // The portal never sends an error beside a result; a body with both is an error, never a success.
  if (parsed.error !== undefined && parsed.error !== null) {
    const error = errorBody(parsed)
    if (typeof error === 'string') throw fail(error)
    return { ok: false, status, body: error }
  }
  // `rest.documentation.openapi` answers the OpenAPI document itself, with no envelope around it.
  if (apiVersion === 3 && !('result' in parsed) && typeof parsed.openapi === 'string')
    return { ok: true, result: parsed, total: undefined, next: undefined, time: undefined }
  if (!('result' in parsed)) {
    if (status >= 400) return { ok: false, status, body: { error: '', error_description: `HTTP ${status}` } }
    throw fail('the envelope has neither a result nor an error')
  }
  const total = parsed.total === undefined || parsed.total === null ? undefined : numeric(parsed.total)
  if (total === undefined && parsed.total !== undefined && parsed.total !== null) throw fail('total is not a number')
  const next = parsed.next === undefined || parsed.next === null ? undefined : numeric(parsed.next)
  if (next === undefined && parsed.next !== undefined && parsed.next !== null) throw fail('next is not a number')
  const problem = timeProblem(parsed.time)
  if (problem) throw fail(`time ${problem}`)
  if (method === 'batch' && apiVersion === 3) {
    if (!Array.isArray(parsed.result)) throw fail('a REST 3.0 batch result is not a list')
  } else if (method === 'batch') {
    const batch = batchProblem(parsed.result)
    if (batch) throw fail(batch)
  }
  return {
    ok: true,
    result: parsed.result,
    total,
    next,
    time: isRecord(parsed.time) ? (parsed.time as RawTime) : undefined,
  }
}
