/**
 * Request parameters the way the portal's PHP reads them: `parse_str` bracket notation for query strings and
 * form bodies (the shared codec, src/http/php-query.ts), multipart/form-data, and JSON bodies, with PHP's input
 * limits. Keys that could reach an object prototype (`__proto__`, `constructor`, `prototype`) are dropped
 * wherever they appear.
 */
import {
  type ParseQueryOptions,
  PhpArray,
  parsePhpQuery,
  phpArrayToObject,
  registerPhpVariable,
} from '../../http/php-query.js'
import type { Params } from '../kernel.js'
import { decodePhpJson } from './json.js'

/** PHP's input limits the emulator applies (`max_input_vars`, `max_input_nesting_level`). */
export interface InputLimits {
  maxInputVars: number
  maxNestingLevel: number
}

/** Params plus what PHP would have warned about while reading them (variables dropped past `max_input_vars`). */
export interface ParsedParams {
  params: Params
  /** Variables dropped past `max_input_vars`; 0 when none were. */
  droppedVars: number
  /** `json_decode`'s error for a JSON body it refused (`Maximum stack depth exceeded`, `Syntax error`). */
  jsonError?: string
}

/** PHP's defaults, used when a caller gives no limits: 1000 variables, 64 bracket levels. */
export const PHP_DEFAULT_LIMITS: InputLimits = { maxInputVars: 1000, maxNestingLevel: 64 }

function codecOptions(limits: InputLimits): ParseQueryOptions {
  return { maxInputVars: limits.maxInputVars, maxNestingLevel: limits.maxNestingLevel }
}

/** `parse_str` of a whole query string or form body, as handler params; top-level params are always named. */
export function parseQuery(query: string, limits: InputLimits = PHP_DEFAULT_LIMITS): Params {
  return parseQueryReport(query, limits).params
}

/** `parseQuery` that also tells how many variables `max_input_vars` dropped. */
export function parseQueryReport(query: string, limits: InputLimits): ParsedParams {
  const { array, droppedVars } = parsePhpQuery(query, codecOptions(limits))
  return { params: phpArrayToObject(array), droppedVars }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * `json_decode($body, true)` as the portal uses it: invalid JSON, JSON nested deeper than PHP's 512 levels or
 * a scalar becomes `{}`, a top-level list becomes positional keys, nested objects keyed 0..n-1 become lists
 * (PHP cannot tell them apart) and prototype keys are dropped.
 */
function parseJsonBody(body: Buffer): ParsedParams {
  let text: string
  try {
    text = strictUtf8.decode(body)
  } catch {
    return { params: {}, droppedVars: 0, jsonError: 'Malformed UTF-8 characters, possibly incorrectly encoded' }
  }
  const decoded = decodePhpJson(text)
  if (!decoded.ok) return { params: {}, droppedVars: 0, jsonError: decoded.error }
  const value = decoded.value
  if (Array.isArray(value)) {
    const params: Params = {}
    value.forEach((item, i) => {
      params[String(i)] = item
    })
    return { params, droppedVars: 0 }
  }
  const params = typeof value === 'object' && value !== null ? (value as Params) : {}
  return { params, droppedVars: 0 }
}

function headerParam(header: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(header)
  return match ? (match[1] ?? match[2]) : undefined
}

/**
 * multipart/form-data. Text fields are strings; a file part becomes `[filename, base64content]`, the shape
 * REST methods accept for file fields. A malformed body yields whatever parsed before the damage.
 */
function parseMultipart(body: Buffer, contentType: string, limits: InputLimits): ParsedParams {
  const root = new PhpArray()
  let count = 0
  let droppedVars = 0
  const boundary = headerParam(contentType, 'boundary')
  if (!boundary) return { params: {}, droppedVars }
  const delimiter = Buffer.from(`--${boundary}`)
  let pos = body.indexOf(delimiter)
  while (pos >= 0) {
    pos += delimiter.length
    if (body.subarray(pos, pos + 2).toString() === '--') break
    const headersEnd = body.indexOf('\r\n\r\n', pos)
    if (headersEnd < 0) break
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4)
    if (next < 0) break
    const headers = body.subarray(pos, headersEnd).toString('utf8')
    const content = body.subarray(headersEnd + 4, next)
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? ''
    const name = headerParam(disposition, 'name')
    const filename = headerParam(disposition, 'filename')
    if (name !== undefined && ++count > limits.maxInputVars) droppedVars++
    else if (name !== undefined) {
      registerPhpVariable(
        root,
        name,
        filename === undefined ? content.toString('utf8') : filePart(filename, content),
        limits.maxNestingLevel,
      )
    }
    pos = next + 2
  }
  return { params: phpArrayToObject(root), droppedVars }
}

/** A file field as REST methods accept it: `[filename, base64content]`. */
function filePart(filename: string, content: Buffer): PhpArray {
  const part = new PhpArray()
  part.append(filename)
  part.append(content.toString('base64'))
  return part
}

/** The media type of a Content-Type header: parameters after `;` stripped, trimmed, lower case. */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase()
}

/**
 * Body params per `CRestUtil::getRequestData`: multipart and urlencoded bodies are form fields; otherwise a JSON
 * body when the type is exactly application/json; any other non-empty body goes through `parse_str`.
 */
export function parseBody(
  body: Buffer,
  contentType: string | undefined,
  limits: InputLimits = PHP_DEFAULT_LIMITS,
): ParsedParams {
  if (body.length === 0) return { params: {}, droppedVars: 0 }
  const type = mediaType(contentType)
  if (type === 'multipart/form-data') return parseMultipart(body, contentType ?? '', limits)
  if (type === 'application/json') return parseJsonBody(body)
  return parseQueryReport(body.toString('utf8'), limits)
}

/** Query string params overlaid with body params; body keys win at the top level (`array_replace`). */
export function mergeParams(query: Params, body: Params): Params {
  return { ...query, ...body }
}

/** Looks a parameter up ignoring case, as the portal does for `batch`, `scope`, `methods`… (`CMD`, `cmd`). */
export function getParamIgnoreCase(params: Params, name: string): unknown {
  if (Object.hasOwn(params, name)) return params[name]
  const lower = name.toLowerCase()
  for (const key of Object.keys(params)) if (key.toLowerCase() === lower) return params[key]
  return undefined
}

/** PHP-ish truthiness for flags that arrive as strings from forms: `1`, `true`, `Y` … are true. */
export function isTruthyFlag(value: unknown): boolean {
  if (typeof value === 'string') return !['', '0', 'false', 'n', 'no', 'off'].includes(value.trim().toLowerCase())
  return Boolean(value)
}
