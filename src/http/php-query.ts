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
