/**
 * Encodes parameters the way PHP's `http_build_query` does and the portal's `parse_str` reads them back:
 * nested keys in brackets, `true`/`false` as `1`/`0`, `null` and `undefined` left out, dates as ISO 8601.
 * Used for batch commands (`method?query`) and for GET-style requests.
 */

export type QueryValue = string | number | bigint | boolean | null | undefined | Date | QueryObject | QueryValue[]
export interface QueryObject {
  [key: string]: QueryValue
}

const encode = encodeURIComponent

function scalarToString(value: string | number | bigint | boolean | Date): string {
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (value instanceof Date) return value.toISOString()
  return String(value)
}

function appendPairs(pairs: string[], prefix: string, value: unknown): void {
  if (value === null || value === undefined) return
  if (typeof value === 'object' && !(value instanceof Date)) {
    if (isStringable(value)) {
      pairs.push(`${encode(prefix)}=${encode(String(value))}`)
      return
    }
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value)
    for (const [key, child] of entries) appendPairs(pairs, `${prefix}[${key}]`, child)
    return
  }
  if (typeof value === 'function' || typeof value === 'symbol') return
  pairs.push(`${encode(prefix)}=${encode(scalarToString(value as string | number | bigint | boolean | Date))}`)
}

/** Objects that stand for a string on the wire (batch references): they carry their own `toString`. */
function isStringable(value: object): boolean {
  return !Array.isArray(value) &&
    Object.getPrototypeOf(value) !== Object.prototype &&
    Object.getPrototypeOf(value) !== null
    ? typeof (value as { toString?: unknown }).toString === 'function' &&
        (value as { toString: () => string }).toString !== Object.prototype.toString
    : false
}

/** `{ filter: { '>ID': 5 }, select: ['ID'] }` → `filter%5B%3EID%5D=5&select%5B0%5D=ID` */
export function buildQuery(params: Readonly<Record<string, unknown>>): string {
  const pairs: string[] = []
  for (const [key, value] of Object.entries(params)) appendPairs(pairs, key, value)
  return pairs.join('&')
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

function setPath(target: Record<string, unknown>, path: string[], value: string): void {
  let node = target
  for (let index = 0; index < path.length; index++) {
    const segment = path[index]
    if (UNSAFE_KEYS.has(segment)) return
    const last = index === path.length - 1
    const key = segment === '' ? String(Object.keys(node).length) : segment
    if (last) {
      node[key] = value
      return
    }
    const child = node[key]
    if (typeof child !== 'object' || child === null) node[key] = {}
    node = node[key] as Record<string, unknown>
  }
}

/** Objects whose keys are exactly 0..n-1 become arrays, as PHP's JSON output would show them. */
function listify(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  for (const key of keys) record[key] = listify(record[key])
  return keys.length > 0 && keys.every((key, index) => key === String(index)) ? keys.map((key) => record[key]) : record
}

/**
 * Reads a form body the way PHP's `parse_str` does: `auth[access_token]=x&data[FIELDS][ID]=5` →
 * `{ auth: { access_token: 'x' }, data: { FIELDS: { ID: '5' } } }`. Values stay strings.
 */
export function parseQuery(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const pair of text.split('&')) {
    if (pair === '') continue
    const separator = pair.indexOf('=')
    const rawKey = separator < 0 ? pair : pair.slice(0, separator)
    const rawValue = separator < 0 ? '' : pair.slice(separator + 1)
    const decode = (part: string) => {
      try {
        return decodeURIComponent(part.replace(/\+/g, ' '))
      } catch {
        return part
      }
    }
    const key = decode(rawKey)
    const match = /^([^[]+)((?:\[[^\]]*\])*)$/.exec(key)
    const path = match ? [match[1], ...[...match[2].matchAll(/\[([^\]]*)\]/g)].map((m) => m[1])] : [key]
    setPath(out, path, decode(rawValue))
  }
  return listify(out) as Record<string, unknown>
}
