import { BitrixValidationError } from '../errors/index.js'

/** A portal address: scheme and `host[:port]`, never a path. */
export interface PortalAddress {
  scheme: 'https' | 'http'
  host: string
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$|\.localhost$/i

export function isLoopbackHost(host: string): boolean {
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '')
  return LOOPBACK.test(hostname)
}

const cache = new Map<string, PortalAddress>()

/**
 * Reads a portal address given as `example.bitrix24.com`, `https://example.bitrix24.com/` or, for loopback
 * hosts only, `http://127.0.0.1:8080`. A bare loopback host means plain http (the local emulator).
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
  const match = /^(?:(https?):\/\/)?([^/?#\s]+)\/?$/i.exec(input.trim())
  if (!match) {
    throw new BitrixValidationError({
      message: `${what} must be a host such as "example.bitrix24.com" (no path or query), received "${input}"`,
      parameter: what,
      expected: 'host[:port]',
    })
  }
  const host = match[2].toLowerCase()
  const loopback = isLoopbackHost(host)
  const scheme = (match[1]?.toLowerCase() as 'http' | 'https' | undefined) ?? (loopback ? 'http' : 'https')
  if (scheme === 'http' && !loopback) {
    throw new BitrixValidationError({
      message: `${what} "${input}" uses plain http; Bitrix24 requires https (http is allowed only for loopback hosts such as 127.0.0.1)`,
      parameter: what,
      expected: 'https address',
    })
  }
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
