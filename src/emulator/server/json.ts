/**
 * JSON exactly as the portal's PHP `json_encode` writes it with
 * JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT: `/` → `\/`, `<` `>` `&` `'` `"` as `\u003C` …,
 * every non-ASCII code unit as `\uXXXX`, empty containers as `[]`, maps keyed 0..n-1 (in order) as arrays, and
 * floats in PHP's notation (`3.0994415283203125e-5`, `1.0e+25`); and `json_decode` with PHP's depth limit.
 */

/** Thrown when a value cannot be encoded (too deep, most likely a cycle); the server answers `WRONG_ENCODING`. */
export class JsonEncodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JsonEncodeError'
  }
}

/** Characters PHP escapes that `JSON.stringify` leaves alone, and escape pairs (`\\x`) taken whole. */
const PHP_ESCAPES = /\\(.)|[/<>&'\u0080-\uffff]/g

function phpEscape(match: string, escaped: string | undefined): string {
  if (escaped !== undefined) return escaped === '"' ? '\\u0022' : match
  if (match === '/') return '\\/'
  const code = match.charCodeAt(0).toString(16)
  return `\\u${match === '<' || match === '>' ? code.toUpperCase().padStart(4, '0') : code.padStart(4, '0')}`
}

/**
 * Marks a number that JSON.stringify would write differently from PHP; the escape pass unwraps it. The nonce
 * keeps a string that merely looks like a marker from being unwrapped.
 */
const FLOAT_MARK = `\u0000php-float-${Math.random().toString(36).slice(2)}:`
const FLOAT_MARKED = new RegExp(`"\\\\u0000php-float-${FLOAT_MARK.slice(11, -1)}:([^"]*)"`, 'g')

/** Numbers from here up can only be PHP floats (PHP_INT_MAX is 2^63 - 1). */
const PHP_INT_LIMIT = 2 ** 63

/**
 * PHP's float notation with `serialize_precision = -1` where it differs from JS: the shortest round-trip digits
 * in exponent form, with `.0` after a lone digit (`1.0e-5`, `3.0994415283203125e-5`, `1.0e+20`). That is below
 * 1e-4 and, since smaller integers are PHP ints and written in full, from 2^63 up.
 */
export function phpFloatNotation(value: number): string | undefined {
  const magnitude = Math.abs(value)
  if (value === 0 || !Number.isFinite(value) || (magnitude >= 1e-4 && magnitude < PHP_INT_LIMIT)) return undefined
  const [mantissa, exponent] = value.toExponential().split('e')
  const digits = mantissa.includes('.') ? mantissa : `${mantissa}.0`
  return `${digits}e${exponent.startsWith('-') ? exponent : `+${exponent.replace('+', '')}`}`
}

/** Whether the encoding in progress marked a float (encoding is synchronous, so one flag serves every call). */
let floatsMarked = false

/**
 * PHP array semantics: empty containers are `[]`, maps keyed 0..n-1 are lists; Maps and Sets are containers;
 * numbers PHP writes differently are marked.
 */
function phpShape(_key: string, value: unknown): unknown {
  if (typeof value === 'number') {
    const php = phpFloatNotation(value)
    if (php === undefined) return value
    floatsMarked = true
    return `${FLOAT_MARK}${php}`
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  if (value instanceof Map) return phpShape(_key, Object.fromEntries([...value].map(([k, v]) => [String(k), v])))
  if (value instanceof Set) return [...value]
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value
  let index = 0
  for (const key in value) {
    if (key !== String(index)) return value
    index++
  }
  return Object.values(value)
}

/** `json_encode($value, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT)`. */
export function encodePhpJson(value: unknown): string {
  let json: string | undefined
  floatsMarked = false
  try {
    json = JSON.stringify(value, phpShape)
  } catch (error) {
    throw new JsonEncodeError(error instanceof Error ? error.message : 'cannot encode')
  }
  if (json === undefined) return 'null'
  const escaped = json.replace(PHP_ESCAPES, phpEscape)
  return floatsMarked ? escaped.replace(FLOAT_MARKED, '$1') : escaped
}

/**
 * PHP's `json_decode` default depth, 512: arrays/objects nested 511 deep decode, 512 fail with JSON_ERROR_DEPTH
 * (PHP counts the level inside the innermost container too).
 */
export const PHP_JSON_DEPTH = 512

export type JsonDecoded = { ok: true; value: unknown } | { ok: false; error: string }

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/** The deepest array/object nesting of a JSON text (strings skipped); linear, no recursion. */
function nestingDepth(text: string, limit: number): number {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return depth
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return 0
}

/** A lone UTF-16 surrogate: only a `\uD800`-style escape can produce one (the text itself is valid UTF-8). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

class UnpairedSurrogate extends Error {}

function phpDecodeShape(key: string, value: unknown): unknown {
  if (LONE_SURROGATE.test(key) || (typeof value === 'string' && LONE_SURROGATE.test(value)))
    throw new UnpairedSurrogate()
  if (UNSAFE_KEYS.has(key)) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  let index = 0
  for (const k in value) if (k !== String(index++)) return value
  return index > 0 ? Object.values(value) : value
}

/**
 * `json_decode($text, true)`: objects keyed 0..n-1 become lists (PHP arrays cannot tell them apart), prototype
 * keys are dropped, nesting deeper than `depth` fails as PHP's does (`Maximum stack depth exceeded`) instead of
 * at whatever depth the JS stack gives out, and so does an escaped lone surrogate (JSON_ERROR_UTF16).
 */
export function decodePhpJson(text: string, depth = PHP_JSON_DEPTH): JsonDecoded {
  if (nestingDepth(text, depth - 1) >= depth) return { ok: false, error: 'Maximum stack depth exceeded' }
  try {
    return { ok: true, value: JSON.parse(text, phpDecodeShape) }
  } catch (error) {
    const message =
      error instanceof UnpairedSurrogate ? 'Single unpaired UTF-16 surrogate in unicode escape' : 'Syntax error'
    return { ok: false, error: message }
  }
}
