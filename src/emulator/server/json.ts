/**
 * JSON exactly as the portal's PHP `json_encode` writes it with
 * JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT: `/` → `\/`, `<` `>` `&` `'` `"` as `\u003C` …,
 * every non-ASCII code unit as `\uXXXX`, empty containers as `[]`, and maps keyed 0..n-1 (in order) as arrays.
 */

/** Thrown when a value cannot be encoded (too deep, most likely a cycle); the server answers `WRONG_ENCODING`. */
export class JsonEncodeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JsonEncodeError'
  }
}

/** Characters PHP escapes that `JSON.stringify` leaves alone, and escape pairs (`\\x`) taken whole. */
const PHP_ESCAPES = /\\(.)|[/<>&'\u007f-\uffff]/g

function phpEscape(match: string, escaped: string | undefined): string {
  if (escaped !== undefined) return escaped === '"' ? '\\u0022' : match
  if (match === '/') return '\\/'
  const code = match.charCodeAt(0).toString(16)
  return `\\u${match === '<' || match === '>' ? code.toUpperCase().padStart(4, '0') : code.padStart(4, '0')}`
}

/** PHP array semantics: empty containers are `[]`, maps keyed 0..n-1 are lists; Maps and Sets are containers. */
function phpShape(_key: string, value: unknown): unknown {
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
  try {
    json = JSON.stringify(value, phpShape)
  } catch (error) {
    throw new JsonEncodeError(error instanceof Error ? error.message : 'cannot encode')
  }
  return json === undefined ? 'null' : json.replace(PHP_ESCAPES, phpEscape)
}
