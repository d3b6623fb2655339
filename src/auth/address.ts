import { BitrixValidationError } from '../errors/index.js'

/** A portal address: scheme and `host[:port]`, never a path. */
export interface PortalAddress {
  scheme: 'https' | 'http'
  /** `hostname[:port]` exactly as the WHATWG URL parser yields it (lower case, punycode, no default port). */
  host: string
}

const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/

/**
 * Whether a parsed URL `hostname` is loopback: `localhost`, 127.0.0.0/8 or `[::1]`. Decided on what the URL
 * parser yields (it has already turned `127.1` into `127.0.0.1` and `\` into `/`), never on the raw string.
 * `x.localhost` is not loopback: nothing guarantees that it resolves there, so it is an ordinary name.
 */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || IPV4_LOOPBACK.test(hostname)
}

/** Whether `host[:port]` names a loopback host; false for anything the URL parser reads differently. */
export function isLoopbackHost(host: string): boolean {
  const url = parseUrl(`http://${host}`)
  const bare = url !== null && url.username === '' && url.pathname === '/' && url.search === '' && url.hash === ''
  return bare && isLoopbackHostname(url.hostname)
}

/** `new URL(text)`, or null when the WHATWG parser refuses it (no `TypeError` escapes). */
export function parseUrl(text: string, base?: string): URL | null {
  try {
    return new URL(text, base)
  } catch {
    return null
  }
}

const cache = new Map<string, PortalAddress>()
/** Hosts of self-hosted portals the user explicitly allowed plain http for (`allowPlainHttp: true`). */
const plainHttpHosts = new Set<string>()

/**
 * Records the explicit opt-in of a self-hosted portal served over plain http (`http://crm.intranet`): from now on
 * `parsePortalAddress` accepts that host with `http`. Does nothing for an https or unparsable address. Keys,
 * tokens and data then travel unencrypted: meant for a portal on a network you control.
 */
export function allowPlainHttpFor(input: unknown): void {
  const url = typeof input === 'string' ? parseUrl(input.trim()) : null
  if (url?.protocol === 'http:' && url.hostname !== '') plainHttpHosts.add(url.host)
}

/** The hint in the error for a plain-http address. */
const PLAIN_HTTP_HINT =
  'Bitrix24 cloud requires https; plain http is allowed for loopback hosts (localhost, 127.0.0.0/8, [::1]; not *.localhost) and, for a self-hosted portal on a network you control, with the credentials option allowPlainHttp: true'
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i

function invalid(what: string, message: string, expected = 'host[:port]'): BitrixValidationError {
  return new BitrixValidationError({ message: `${what} ${message}`, parameter: what, expected })
}

/**
 * Reads a portal address given as `example.bitrix24.com`, `https://example.bitrix24.com/` or, for loopback
 * hosts only, `http://127.0.0.1:8080`. A bare loopback host means plain http (the local emulator).
 * The address is whatever the WHATWG URL parser makes of the input; anything it reads as a path, a query,
 * a fragment or user info is refused, so `http://evil.example\.localhost` is refused, not taken as loopback.
 */
export function parsePortalAddress(input: string, what = 'domain'): PortalAddress {
  const cached = cache.get(input)
  if (cached) return cached
  if (typeof input !== 'string' || input.trim() === '') {
    throw new BitrixValidationError({
      message: `${what} must be a portal host such as "example.bitrix24.com"`,
      parameter: what,
      expected: 'string',
      received: typeof input,
    })
  }
  const text = input.trim()
  const explicit = SCHEME.exec(text)?.[1].toLowerCase()
  if (explicit !== undefined && explicit !== 'http' && explicit !== 'https') {
    throw invalid(what, `must be an https address, received the scheme "${explicit}:"`, 'https address')
  }
  const url = parseUrl(explicit === undefined ? `https://${text}` : text)
  if (url === null || url.hostname === '') {
    throw invalid(what, `must be a host such as "example.bitrix24.com", received "${input}"`)
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid(what, `must not carry user info ("user@" or "user:password@"), received "${input}"`)
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw invalid(
      what,
      `must be a host such as "example.bitrix24.com" (no path or query); "${input}" is read as host "${url.host}" with path "${url.pathname}${url.search}"`,
    )
  }
  const loopback = isLoopbackHostname(url.hostname)
  const scheme: 'http' | 'https' = explicit ?? (loopback ? 'http' : 'https')
  if (scheme === 'http' && !loopback && !plainHttpHosts.has(url.host)) {
    throw invalid(what, `"${input}" uses plain http. ${PLAIN_HTTP_HINT}`, 'https address')
  }
  // Without a scheme the input was parsed as https; read it again as http so that a default port is dropped right.
  const host = scheme === url.protocol.slice(0, -1) ? url.host : (parseUrl(`${scheme}://${text}`)?.host ?? url.host)
  const address: PortalAddress = { scheme, host }
  if (cache.size > 1000) cache.clear()
  cache.set(input, address)
  return address
}

export function portalBaseUrl(address: PortalAddress): string {
  return `${address.scheme}://${address.host}`
}

/** The address string to store after a move to `host`, keeping the scheme explicit where it isn't the default. */
export function formatPortalAddress(address: PortalAddress): string {
  const defaultScheme = isLoopbackHost(address.host) ? 'http' : 'https'
  return address.scheme === defaultScheme ? address.host : `${address.scheme}://${address.host}`
}
