/**
 * Which portal moves (a 3xx from the portal) the SDK follows with the credentials: only to hosts a user would
 * accept, so that a hostile or broken redirect cannot take a webhook key or an access token elsewhere.
 */
import { BitrixPortalMoveRefused } from '../errors/index.js'
import { isLoopbackHostname, type PortalAddress, parseUrl } from './address.js'

/**
 * Bitrix24 cloud zones a portal lives under (`<name>.bitrix24.<zone>`). Source: Bitrix's own product code, module
 * `landing`, `lib/help.php`, `Help::$domains` (ru by kz ua com de es com.br pl fr cn in eu com.tr it id vn jp),
 * plus `bitrix24.uk` and `bitrix24.co` named in issue 8; the REST docs only say `b24-xxx.bitrix24.yy`
 * (settings/how-to-call-rest-api/change-domen.md). Other zones: accept them with `allowPortalMove`.
 */
export const BITRIX24_CLOUD_ZONES: readonly string[] = Object.freeze([
  'bitrix24.com',
  'bitrix24.de',
  'bitrix24.ru',
  'bitrix24.by',
  'bitrix24.kz',
  'bitrix24.ua',
  'bitrix24.eu',
  'bitrix24.es',
  'bitrix24.fr',
  'bitrix24.it',
  'bitrix24.pl',
  'bitrix24.uk',
  'bitrix24.in',
  'bitrix24.cn',
  'bitrix24.jp',
  'bitrix24.vn',
  'bitrix24.id',
  'bitrix24.co',
  'bitrix24.com.br',
  'bitrix24.com.tr',
])

/**
 * Decides a move the built-in rules refuse: `from` and `to` are origins (`https://old.example.com`). Return true to
 * follow it. Plain http to a non-loopback host is refused whatever it says.
 */
export type PortalMovePolicy = (from: string, to: string) => boolean | Promise<boolean>

/** A portal host in a cloud zone: exactly one label (the portal's name) before `bitrix24.<zone>`. */
export function isCloudPortalHostname(hostname: string): boolean {
  const dot = hostname.indexOf('.')
  return dot > 0 && BITRIX24_CLOUD_ZONES.includes(hostname.slice(dot + 1))
}

const IP_ADDRESS = /^(\d+\.){3}\d+$|^\[/

/**
 * The registrable domain guessed without a public-suffix list, erring towards "not the same": the last two labels,
 * or three when the top level is a two-letter country code and the second level is at most three letters
 * (`co.uk`, `com.br`, `spb.ru`: `example.co.uk`, not `co.uk`). IP addresses and one-label names have none.
 */
export function registrableDomain(hostname: string): string | undefined {
  if (IP_ADDRESS.test(hostname)) return undefined
  const labels = hostname.split('.')
  if (labels.some((label) => label === '')) return undefined
  const top = labels[labels.length - 1]
  const second = labels[labels.length - 2] ?? ''
  const size = top.length === 2 && second.length <= 3 ? 3 : 2
  return labels.length >= size ? labels.slice(-size).join('.') : undefined
}

/** The built-in rules: loopback from loopback, a Bitrix24 cloud portal, the same host or registrable domain. */
export function isAcceptedPortalMove(from: URL, to: URL): boolean {
  if (isLoopbackHostname(from.hostname) && isLoopbackHostname(to.hostname)) return true
  if (to.protocol !== 'https:') return false
  if (isCloudPortalHostname(to.hostname) || from.hostname === to.hostname) return true
  const domain = registrableDomain(to.hostname)
  return domain !== undefined && domain === registrableDomain(from.hostname)
}

/**
 * Checks a portal's 3xx: returns the new address to move the credentials to, or throws `BitrixPortalMoveRefused`
 * (nothing is sent to the target then).
 * @param requestUrl the URL the redirected request went to
 * @param location the `Location` header
 */
export async function checkPortalMove(
  requestUrl: string,
  location: string,
  policy?: PortalMovePolicy,
): Promise<PortalAddress> {
  const from = new URL(requestUrl)
  const to = parseUrl(location, requestUrl)
  if (to === null || (to.protocol !== 'https:' && to.protocol !== 'http:') || to.hostname === '') {
    throw new BitrixPortalMoveRefused({ from: from.origin, to: location, reason: 'invalidLocation' })
  }
  const scheme = to.protocol === 'http:' ? 'http' : 'https'
  if (scheme === 'http' && !isLoopbackHostname(to.hostname)) {
    throw new BitrixPortalMoveRefused({ from: from.origin, to: to.origin, reason: 'plainHttp' })
  }
  if (!isAcceptedPortalMove(from, to) && !(policy !== undefined && (await policy(from.origin, to.origin)) === true)) {
    throw new BitrixPortalMoveRefused({ from: from.origin, to: to.origin, reason: 'notAllowed' })
  }
  return { scheme, host: to.host }
}
