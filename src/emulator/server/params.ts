/**
 * Request parameters the way the portal's PHP reads them: `parse_str` bracket notation for query strings and
 * form bodies, multipart/form-data, and JSON bodies. Keys that could reach an object prototype
 * (`__proto__`, `constructor`, `prototype`) are dropped wherever they appear.
 */
import type { Params } from '../kernel.js'

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
/** PHP's max_input_nesting_level. */
const MAX_NESTING = 64
const INTEGER_KEY = /^(0|-?[1-9]\d{0,15})$/

/**
 * An ordered PHP array under construction (a Map keeps insertion order for integer-like keys, unlike objects),
 * with PHP's next free integer key so that `a[]=…` appends in constant time even in huge forms.
 */
class PhpArray extends Map<string, unknown> {
  nextFree = 0
}
type PhpValue = PhpArray | unknown

function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map)
}

/** `urldecode`: `+` is a space, bad `%` sequences stay as they are. */
function urlDecode(text: string): string {
  const plus = text.includes('+') ? text.replace(/\+/g, ' ') : text
  if (!plus.includes('%')) return plus
  try {
    return decodeURIComponent(plus)
  } catch {
    const bytes: number[] = []
    for (let i = 0; i < plus.length; i++) {
      const hex = plus.slice(i + 1, i + 3)
      if (plus[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(Number.parseInt(hex, 16))
        i += 2
      } else {
        bytes.push(...Buffer.from(plus[i], 'utf8'))
      }
    }
    return Buffer.from(bytes).toString('utf8')
  }
}

function setElement(array: PhpArray, key: string | null, value: PhpValue): void {
  if (key === null) {
    array.set(String(array.nextFree), value)
    array.nextFree += 1
    return
  }
  array.set(key, value)
  if (INTEGER_KEY.test(key) && Number(key) >= array.nextFree) array.nextFree = Number(key) + 1
}

/**
 * Splits a PHP variable name into its base and bracket path (`null` = `[]`, append). Mirrors
 * `php_register_variable_ex`: spaces and dots in the base become `_`; an unterminated first bracket is folded
 * into the name; text after a closing bracket that does not open another one is ignored.
 */
function splitVariableName(rawName: string): { base: string; path: (string | null)[] } | undefined {
  const name = rawName.replace(/^ +/, '')
  const open = name.indexOf('[')
  let base = (open >= 0 ? name.slice(0, open) : name).replace(/[ .]/g, '_')
  const path: (string | null)[] = []
  if (open >= 0) {
    let pos = open
    while (pos < name.length && name[pos] === '[') {
      const close = name.indexOf(']', pos + 1)
      if (close < 0) {
        if (path.length === 0) base = `${base}_${name.slice(pos + 1).replace(/[ .[]/g, '_')}`
        break
      }
      const index = name.slice(pos + 1, close)
      path.push(index === '' ? null : index)
      pos = close + 1
    }
  }
  if (base === '' || path.length > MAX_NESTING) return undefined
  if (isForbiddenKey(base) || path.some((key) => key !== null && isForbiddenKey(key))) return undefined
  return { base, path }
}

/** Assigns `value` at a PHP variable name such as `fields[PHONE][0][VALUE]` or `select[]`. */
function assignVariable(root: PhpArray, name: string, value: unknown): void {
  const split = splitVariableName(name)
  if (!split) return
  let node = root
  let key: string | null = split.base
  for (const segment of split.path) {
    let child = key === null ? undefined : node.get(key)
    if (!(child instanceof PhpArray)) {
      child = new PhpArray()
      setElement(node, key, child)
    }
    node = child as PhpArray
    key = segment
  }
  setElement(node, key, value)
}

/** `parse_str` into an ordered PHP array. */
function parseQueryInto(root: PhpArray, query: string): void {
  if (query === '') return
  for (const pair of query.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = urlDecode(eq < 0 ? pair : pair.slice(0, eq))
    const value = eq < 0 ? '' : urlDecode(pair.slice(eq + 1))
    assignVariable(root, name, value)
  }
}

/** Turns an ordered PHP array into what handlers see: a list when keyed 0..n-1 in order, else a plain object. */
function finalizeArray(array: PhpArray): unknown[] | Record<string, unknown> {
  const keys = [...array.keys()]
  if (keys.length > 0 && keys.every((key, i) => key === String(i))) {
    return [...array.values()].map(finalizeValue)
  }
  const object: Record<string, unknown> = {}
  for (const [key, value] of array) object[key] = finalizeValue(value)
  return object
}

function finalizeValue(value: PhpValue): unknown {
  return value instanceof PhpArray ? finalizeArray(value) : value
}

/** Top-level params are always an object, even when every key is numeric (positional parameters). */
function toParams(array: PhpArray): Params {
  const params: Params = {}
  for (const [key, value] of array) params[key] = finalizeValue(value)
  return params
}

/** `parse_str` of a whole query string or form body, as handler params. */
export function parseQuery(query: string): Params {
  const root = new PhpArray()
  parseQueryInto(root, query)
  return toParams(root)
}

/**
 * `json_decode($body, true)` as the portal uses it: invalid JSON or a scalar becomes `{}`, a top-level list
 * becomes positional keys, nested objects keyed 0..n-1 become lists (PHP cannot tell them apart) and
 * prototype keys are dropped.
 */
function parseJsonBody(text: string): Params {
  let decoded: unknown
  try {
    decoded = JSON.parse(text, (key, value: unknown) => {
      if (isForbiddenKey(key)) return undefined
      if (isPlainObject(value)) {
        const keys = Object.keys(value)
        if (keys.length > 0 && keys.every((k, i) => k === String(i))) return Object.values(value)
      }
      return value
    })
  } catch {
    return {}
  }
  if (Array.isArray(decoded)) {
    const params: Params = {}
    decoded.forEach((item, i) => {
      params[String(i)] = item
    })
    return params
  }
  return isPlainObject(decoded) ? decoded : {}
}

function headerParam(header: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(header)
  return match ? (match[1] ?? match[2]) : undefined
}

/**
 * multipart/form-data. Text fields are strings; a file part becomes `[filename, base64content]`, the shape
 * REST methods accept for file fields. A malformed body yields whatever parsed before the damage.
 */
function parseMultipart(body: Buffer, contentType: string): Params {
  const root = new PhpArray()
  const boundary = headerParam(contentType, 'boundary')
  if (!boundary) return {}
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
    if (name !== undefined) {
      assignVariable(
        root,
        name,
        filename === undefined ? content.toString('utf8') : [filename, content.toString('base64')],
      )
    }
    pos = next + 2
  }
  return toParams(root)
}

/** The media type of a Content-Type header: parameters after `;` stripped, trimmed, lower case. */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase()
}

/**
 * Body params per `CRestUtil::getRequestData`: multipart and urlencoded bodies are form fields; otherwise a JSON
 * body when the type is exactly application/json; any other non-empty body goes through `parse_str`.
 */
export function parseBody(body: Buffer, contentType: string | undefined): Params {
  if (body.length === 0) return {}
  const type = mediaType(contentType)
  if (type === 'multipart/form-data') return parseMultipart(body, contentType ?? '')
  if (type === 'application/json') return parseJsonBody(body.toString('utf8'))
  return parseQuery(body.toString('utf8'))
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
