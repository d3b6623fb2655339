/**
 * JSON exactly as the portal's PHP `json_encode` writes it with
 * JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT: `/` → `\/`, `<` `>` `&` `'` `"` as `\u003C` …,
 * every non-ASCII code unit as `\uXXXX`, empty containers as `[]`, and maps keyed 0..n-1 (in order) as arrays.
 */

const MAX_DEPTH = 512

/** Thrown when a value cannot be encoded (too deep, most likely a cycle); the server answers `WRONG_ENCODING`. */
export class JsonEncodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JsonEncodeError'
  }
}

const SAFE_STRING = /^[\x20\x21\x23-\x25\x28-\x2e\x30-\x3b\x3d\x3f-\x5b\x5d-\x7e]*$/
const NEEDS_ESCAPE = /[^\x20\x21\x23-\x25\x28-\x2e\x30-\x3b\x3d\x3f-\x5b\x5d-\x7e]/g

const NAMED_ESCAPES: Record<string, string> = {
  '"': '\\u0022',
  '&': '\\u0026',
  "'": '\\u0027',
  '/': '\\/',
  '<': '\\u003C',
  '>': '\\u003E',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
}

function escapeChar(ch: string): string {
  return NAMED_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
}

function encodePhpString(value: string): string {
  if (SAFE_STRING.test(value)) return `"${value}"`
  return `"${value.replace(NEEDS_ESCAPE, escapeChar)}"`
}

function encodeNumber(value: number): string {
  // PHP refuses INF/NAN; with partial output it writes 0, which is the least surprising answer here.
  return Number.isFinite(value) ? String(value) : '0'
}

function isListKeys(keys: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) if (keys[i] !== String(i)) return false
  return true
}

function encodeEntries(entries: [string, unknown][], depth: number): string {
  const parts: string[] = []
  for (const [key, item] of entries) {
    const encoded = encodeValue(item, depth + 1)
    if (encoded !== undefined) parts.push(`${encodePhpString(key)}:${encoded}`)
  }
  return `{${parts.join(',')}}`
}

function encodeList(items: readonly unknown[], depth: number): string {
  const parts: string[] = []
  for (const item of items) parts.push(encodeValue(item, depth + 1) ?? 'null')
  return `[${parts.join(',')}]`
}

/** Encodes a keyed container: a list when its keys are 0..n-1 in order, `[]` when empty, an object otherwise. */
function encodeKeyed(entries: [string, unknown][], depth: number): string {
  const keys = entries.map(([key]) => key)
  if (isListKeys(keys)) {
    return encodeList(
      entries.map(([, item]) => item),
      depth,
    )
  }
  return encodeEntries(entries, depth)
}

function encodeValue(value: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH) throw new JsonEncodeError('Maximum nesting depth exceeded')
  switch (typeof value) {
    case 'string':
      return encodePhpString(value)
    case 'number':
      return encodeNumber(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      return value.toString()
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined
  }
  if (value === null) return 'null'
  if (Array.isArray(value)) return encodeList(value, depth)
  if (value instanceof Map) {
    return encodeKeyed(
      [...value.entries()].map(([key, item]) => [String(key), item]),
      depth,
    )
  }
  if (value instanceof Set) return encodeList([...value], depth)
  const withToJson = value as { toJSON?: () => unknown }
  if (typeof withToJson.toJSON === 'function') return encodeValue(withToJson.toJSON(), depth + 1)
  return encodeKeyed(Object.entries(value as Record<string, unknown>), depth)
}

/** `json_encode($value, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT)`. */
export function encodePhpJson(value: unknown): string {
  return encodeValue(value, 0) ?? 'null'
}
