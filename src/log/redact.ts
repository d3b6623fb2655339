import { SecretMatcher } from './secret-matcher.js'
import { type SecretRegistry, secretRegistry } from './secrets.js'

/** What a secret is replaced with in log lines, error messages and printed objects. */
export const MASK = '***'

/** Key names whose values are secrets, in any case, with `_`, `-` or nothing between words. */
const SECRET_KEY =
  'auth(?:[_-]?(?:id|token))?|access[_-]?token|refresh[_-]?(?:token|id)|client[_-]?secret|application[_-]?token'

/**
 * All textual secret forms in one pass (one scan of the line instead of one per rule):
 * - `wh`: webhook key in `/rest/<uid>/<key>/` and `/rest/api/<uid>/<key>/`, also with PHP's escaped slashes `\/`;
 * - `ah`: an `authorization` header or field, with or without a scheme (`Bearer`, `Basic`);
 * - `bh`: a bare `Bearer <token>` (8+ token characters, so prose such as "bearer of" survives);
 * - `kh`: `key=value`, `key: value`, `"key":"value"`, `auth[access_token]=…` and `auth%5Baccess_token%5D=…`
 *   for the secret keys, and `code=` (OAuth authorization code) only as a query/form parameter.
 */
const PATTERN = new RegExp(
  [
    String.raw`(?<wh>\\?\/rest\\?\/(?:api\\?\/)?\d+\\?\/)(?<whv>[^\/\\\s?#"'&<>]+)`,
    String.raw`(?<ah>\\?["']?authorization\\?["']?\s*[:=]\s*\\?["']?(?:(?:bearer|basic|token)\s+)?)(?<ahv>[^\s"'\\,;&]+)`,
    String.raw`(?<bh>\bbearer\s+)(?<bhv>[A-Za-z0-9\-._~+/]{8,}=*)`,
    String.raw`(?<kh>(?<kq>\\?["']?)(?<k>${SECRET_KEY}|code)(?:\]|%5D)?\\?["']?\s*[:=]\s*)(?:(?<q>\\?["'])(?<qv>[^"'\\]*)|(?<uv>[^\s&#"'<>,;(){}\[\]\\]+))`,
  ].join('|'),
  'gi',
)

const SECRET_KEY_EXACT = new RegExp(String.raw`^(?:[\w-]*\[)?(?:${SECRET_KEY}|authorization)\]?$`, 'i')

const isWordChar = (char: string | undefined): boolean => char !== undefined && /\w/.test(char)

/** A key must start at a boundary: `xauth=1` is not `auth=1`; `auth%5Baccess_token%5D` is. */
function keyAtBoundary(input: string, offset: number): boolean {
  if (!isWordChar(input[offset - 1])) return true
  return offset >= 3 && input.slice(offset - 3, offset).toUpperCase() === '%5B'
}

type Groups = Record<string, string | undefined>

function replaceMatch(match: string, ...args: unknown[]): string {
  const groups = args[args.length - 1] as Groups
  const input = args[args.length - 2] as string
  const offset = args[args.length - 3] as number
  if (groups.wh !== undefined) return groups.wh + MASK
  if (groups.ah !== undefined) return groups.ah + MASK
  if (groups.bh !== undefined) return groups.bh + MASK
  const keyStart = offset + (groups.kq?.length ?? 0)
  if (groups.kq === '' && !keyAtBoundary(input, keyStart)) return match
  if (groups.k?.toLowerCase() === 'code') {
    // `code` is far too common a word; only the OAuth `?code=` / `&code=` parameter is secret.
    const before = input[keyStart - 1]
    if (groups.kq !== '' || (before !== '?' && before !== '&')) return match
  }
  if (groups.q !== undefined) return groups.qv === '' ? match : `${groups.kh}${groups.q}${MASK}`
  return `${groups.kh}${MASK}`
}

// Plain arrays / sets: a matcher rebuilt only when their content changed since the last call.
const listMatchers = new WeakMap<object, { key: string; matcher: SecretMatcher }>()

function maskListed(text: string, secrets: Iterable<string>): string {
  // Duck-typed: the registry may come from another copy of the SDK (ESM and CJS builds share one).
  if (typeof (secrets as Partial<SecretRegistry>).mask === 'function')
    return (secrets as SecretRegistry).mask(text, MASK)
  const list = [...secrets]
  const key = list.join('\u0000')
  let cached = listMatchers.get(secrets)
  if (cached?.key !== key) {
    const matcher = new SecretMatcher()
    for (const secret of list) if (typeof secret === 'string') matcher.add(secret)
    cached = { key, matcher }
    listMatchers.set(secrets, cached)
  }
  return cached.matcher.replace(text, MASK)
}

/**
 * Masks secrets in text: every registered secret value (by default those in the global `secretRegistry`), webhook
 * keys in REST URLs, `auth` / `access_token` / `refresh_token` / `client_secret` / `application_token` /
 * `AUTH_ID` / `REFRESH_ID` / `APPLICATION_TOKEN` values (query, form, JSON, `key: value`), `?code=` and
 * `Authorization` / `Bearer` credentials. Each secret becomes `***`.
 *
 * @example
 * redact('POST https://x.bitrix24.com/rest/1/k3yk3y/crm.deal.get') // 'POST https://x.bitrix24.com/rest/1/***' + '/crm.deal.get'
 * redact('GET /rest/crm.deal.get?id=2&auth=abc123')                 // 'GET /rest/crm.deal.get?id=2&auth=***'
 */
export function redact(text: string, secrets: Iterable<string> = secretRegistry): string {
  if (text === '') return text
  return maskListed(text.replace(PATTERN, replaceMatch), secrets)
}

/** Whether a field of this name holds a secret (`access_token`, `refreshToken`, `auth[application_token]`, …). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_EXACT.test(key)
}

const MAX_DEPTH = 8
const MAX_ITEMS = 100

/** `secrets === undefined`: mask secret keys only, leave strings to a later `redact` of the whole output. */
type Secrets = Iterable<string> | undefined

const redactString = (text: string, secrets: Secrets): string => (secrets === undefined ? text : redact(text, secrets))

function redactValue(value: unknown, secrets: Secrets, seen: WeakSet<object>, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return redactString(value, secrets)
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return value
    case 'symbol':
      return value.toString()
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`
  }
  if (value === null) return null
  const object = value as object
  if (seen.has(object)) return '[Circular]'
  if (depth >= MAX_DEPTH) return Array.isArray(object) ? '[Array]' : '[Object]'
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString()
  if (typeof URL !== 'undefined' && object instanceof URL) return redactString(object.href, secrets)
  if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
    return `[${object.constructor.name} ${object.byteLength} bytes]`
  }
  seen.add(object)
  try {
    if (object instanceof Error) return redactError(object, secrets, seen, depth)
    if (Array.isArray(object) || object instanceof Set) return redactArray([...object], secrets, seen, depth)
    if (object instanceof Map) return redactEntries(object.entries(), secrets, seen, depth)
    const toJSON = (object as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') return redactValue(toJSON.call(object), secrets, seen, depth + 1)
    return redactEntries(Object.entries(object), secrets, seen, depth)
  } finally {
    seen.delete(object)
  }
}

function redactArray(items: unknown[], secrets: Secrets, seen: WeakSet<object>, depth: number): unknown[] {
  const out = items.slice(0, MAX_ITEMS).map((item) => redactValue(item, secrets, seen, depth + 1))
  if (items.length > MAX_ITEMS) out.push(`… ${items.length - MAX_ITEMS} more`)
  return out
}

function redactEntries(
  entries: Iterable<[unknown, unknown]>,
  secrets: Secrets,
  seen: WeakSet<object>,
  depth: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [rawKey, item] of entries) {
    const key = String(rawKey)
    out[key] = isSecretKey(key) && item != null && item !== '' ? MASK : redactValue(item, secrets, seen, depth + 1)
  }
  return out
}

function redactError(error: Error, secrets: Secrets, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  const toJSON = (error as { toJSON?: unknown }).toJSON
  if (typeof toJSON === 'function') return redactEntries(Object.entries(toJSON.call(error)), secrets, seen, depth)
  const out: Record<string, unknown> = { name: error.name, message: redactString(error.message, secrets) }
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' || typeof code === 'number') out.code = code
  if (error.cause !== undefined) out.cause = redactValue(error.cause, secrets, seen, depth + 1)
  return out
}

/**
 * A safe, JSON-friendly copy of a log context: values under secret keys become `***`, strings go through
 * `redact`, errors become `{ name, message, code?, cause? }`, dates ISO strings; cycles, depth (8) and array
 * length (100) are bounded. The input is not modified.
 */
export function redactContext(
  context: Record<string, unknown>,
  secrets: Iterable<string> = secretRegistry,
): Record<string, unknown> {
  const seen = new WeakSet<object>()
  seen.add(context)
  return redactEntries(Object.entries(context), secrets, seen, 0)
}

/** Masks values under secret keys without redacting strings (the logger redacts the finished line instead). */
export function maskSecretKeys(context: Record<string, unknown>): Record<string, unknown> {
  const seen = new WeakSet<object>()
  seen.add(context)
  return redactEntries(Object.entries(context), undefined, seen, 0)
}
