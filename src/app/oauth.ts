/**
 * The install and OAuth flow of an application: the portal's authorization URL, reading the redirect back, and
 * exchanging the one-time `code` (it lives 30 s) for a `BitrixToken` at the right OAuth server.
 */

import { formatPortalAddress, parsePortalAddress, parseUrl, portalBaseUrl } from '../auth/address.js'
import { AbstractBitrixApp } from '../auth/app.js'
import type { AuthContext } from '../auth/credentials.js'
import { requestToken } from '../auth/oauth-server.js'
import { BitrixToken } from '../auth/token.js'
import { BitrixIncomingRejected, BitrixValidationError } from '../errors/index.js'
import { buildQuery, parseQuery } from '../http/php-query.js'
import { createDefaultTransport } from '../http/transport.js'
import { NullLogger, secretRegistry } from '../log/index.js'

/**
 * Hosts of Bitrix's own OAuth servers: regions differ (`oauth.bitrix.info` for most clouds, `oauth.bitrix24.tech`
 * for the Russian one, `oauth.bitrix24.info` seen in the docs). A `server_domain` / `server_endpoint` outside this
 * list is used only when the app's own `oauthServer` names it or `trustOAuthServer` accepts it: the code exchange
 * carries the client secret, so it must never go where a forged redirect points.
 */
export const BITRIX_OAUTH_SERVERS: readonly string[] = Object.freeze([
  'oauth.bitrix.info',
  'oauth.bitrix24.tech',
  'oauth.bitrix24.info',
])

/** The portal and the app of an authorization URL. */
export interface AuthorizationUrlOptions {
  /** The portal the user authorizes on: `example.bitrix24.com` (or `http://127.0.0.1:PORT` for the emulator). */
  domain: string
  /** The app (its `clientId` is used) or its client ID. */
  bitrixApp?: Pick<AbstractBitrixApp, 'clientId'>
  clientId?: string
  /** Returned unchanged in the redirect; use `createOAuthState` so the redirect can be checked against CSRF. */
  state?: string
}

/**
 * `https://{portal}/oauth/authorize/?client_id=…&state=…`: send the user there; the portal sends them back to the
 * app's `redirect_uri` (set in the app's settings, never in this URL) with a `code`.
 */
export function authorizationUrl(options: AuthorizationUrlOptions): string {
  const clientId = options?.clientId ?? options?.bitrixApp?.clientId
  if (typeof clientId !== 'string' || clientId.trim() === '') {
    throw new BitrixValidationError({
      message: 'authorizationUrl needs the app: pass bitrixApp or clientId (the application code)',
      parameter: 'clientId',
      expected: 'string',
      received: clientId,
    })
  }
  const base = portalBaseUrl(parsePortalAddress(options.domain))
  return `${base}/oauth/authorize/?${buildQuery({ client_id: clientId, state: options.state })}`
}

/** What the portal appends to the app's `redirect_uri` after the user authorized the app. */
export interface AuthorizationRedirect {
  /** The one-time authorization code; valid for 30 seconds. */
  code: string
  state: string | undefined
  /** Portal host, as the redirect says (confirmed by the OAuth server's `client_endpoint` on exchange). */
  domain: string
  memberId: string | undefined
  scope: string[]
  /** Host of the OAuth server that issued the code (`oauth.bitrix.info`, or the portal itself when self-hosted). */
  serverDomain: string | undefined
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

/** Reads the redirect back: a full URL, its query string, or `URLSearchParams`. Missing `code`/`domain` → rejected. */
export function parseAuthorizationRedirect(redirect: string | URL | URLSearchParams): AuthorizationRedirect {
  let query: string
  if (redirect instanceof URLSearchParams) query = redirect.toString()
  else if (redirect instanceof URL) query = redirect.search.slice(1)
  else {
    const asUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(redirect) ? parseUrl(redirect) : null
    query = asUrl !== null ? asUrl.search.slice(1) : String(redirect).replace(/^\?/, '')
  }
  const record = parseQuery(query)
  const need = (key: string): string => {
    const value = text(record[key])
    if (value === undefined) {
      throw new BitrixIncomingRejected({
        reason: 'missing-field',
        field: key,
        detail: `the OAuth redirect has no "${key}"; it is not the portal's answer to /oauth/authorize/`,
      })
    }
    return value
  }
  const code = need('code')
  secretRegistry.add(code)
  return {
    code,
    state: text(record.state),
    domain: need('domain'),
    memberId: text(record.member_id),
    scope: (text(record.scope) ?? '').split(/[,\s]+/).filter(Boolean),
    serverDomain: text(record.server_domain),
  }
}

/** The app, and where its code may be exchanged. */
export interface ExchangeCodeOptions {
  bitrixApp: AbstractBitrixApp
  /** The portal (from the redirect); when given, the OAuth server's `client_endpoint` must name the same host. */
  domain?: string
  /**
   * The OAuth server that issued the code, from the redirect (`server_domain`) or an event (`server_endpoint`).
   * Used only when trusted: one of `BITRIX_OAUTH_SERVERS`, the app's own `oauthServer`, or `trustOAuthServer`.
   */
  serverDomain?: string
  /** Where to exchange, whatever the redirect says (a self-hosted portal, the emulator). Wins over `serverDomain`. */
  oauthServer?: string
  /** Accepts an OAuth server host outside the built-in list (e.g. your self-hosted portal's host). */
  trustOAuthServer?: (host: string) => boolean
  context?: Partial<AuthContext>
}

/** The host of a `server_domain` (`oauth.bitrix.info`) or `server_endpoint` (`https://oauth.bitrix.info/rest/`). */
function serverHost(value: string): string | undefined {
  const url = parseUrl(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`)
  return url === null || url.username !== '' ? undefined : url.host
}

/**
 * The OAuth server origin to send a code or refresh to: explicit `oauthServer`, else the app's own when it names
 * `serverDomain` (or no server is named), else `https://{serverDomain}` for a trusted host. An untrusted one is a
 * `BitrixValidationError` before anything is sent (the request would carry the client secret).
 */
export function resolveOAuthServer(options: Omit<ExchangeCodeOptions, 'context' | 'domain'>): string {
  if (options.oauthServer !== undefined) {
    const address = parsePortalAddress(options.oauthServer.replace(/\/+$/, ''), 'oauthServer')
    return portalBaseUrl(address)
  }
  const own = options.bitrixApp.oauthServer
  if (options.serverDomain === undefined) return own
  const host = serverHost(options.serverDomain)
  if (host !== undefined && parseUrl(own)?.host === host) return own
  if (host !== undefined && (BITRIX_OAUTH_SERVERS.includes(host) || options.trustOAuthServer?.(host) === true)) {
    return `https://${host}`
  }
  throw new BitrixValidationError({
    message: `the OAuth server "${options.serverDomain}" is not a Bitrix OAuth server (${BITRIX_OAUTH_SERVERS.join(', ')}) nor the app's oauthServer; the client secret is not sent there. Set oauthServer on the app, pass oauthServer, or accept the host with trustOAuthServer`,
    parameter: 'serverDomain',
    expected: 'a trusted OAuth server host',
  })
}

/** The app as seen from another OAuth server: same ID and secret (read through), refreshes go to `oauthServer`. */
export class AppAtOAuthServer extends AbstractBitrixApp {
  constructor(
    readonly app: AbstractBitrixApp,
    readonly server: string,
  ) {
    super()
  }
  get clientId(): string {
    return this.app.clientId
  }
  get clientSecret(): string {
    return this.app.clientSecret
  }
  override get oauthServer(): string {
    return this.server
  }
}

/**
 * Exchanges the `code` of the OAuth redirect for a `BitrixToken` of that portal. The token refreshes at the same
 * OAuth server the code was exchanged at (regions differ). Errors: `BitrixOAuthInvalidGrant` (a code older than
 * 30 s or used twice), `BitrixValidationError` (untrusted OAuth server; a portal other than the redirect named).
 *
 * @example
 * const redirect = parseAuthorizationRedirect(request.url)
 * await verifyOAuthState(redirect.state, { secret })
 * const token = await exchangeCode(redirect.code, { bitrixApp: app, domain: redirect.domain, serverDomain: redirect.serverDomain })
 */
export async function exchangeCode(code: string, options: ExchangeCodeOptions): Promise<BitrixToken> {
  if (typeof code !== 'string' || code === '') {
    throw new BitrixValidationError({ message: 'exchangeCode needs the code of the OAuth redirect', parameter: 'code' })
  }
  if (!(options?.bitrixApp instanceof AbstractBitrixApp)) {
    throw new BitrixValidationError({ message: 'exchangeCode needs bitrixApp (a BitrixApp)', parameter: 'bitrixApp' })
  }
  secretRegistry.add(code)
  const server = resolveOAuthServer(options)
  const context: AuthContext = {
    transport: options.context?.transport ?? createDefaultTransport(),
    timeoutMs: options.context?.timeoutMs ?? { connectMs: 30_000, readMs: 30_000 },
    logger: options.context?.logger ?? new NullLogger(),
  }
  const grant = await requestToken(options.bitrixApp, { grant_type: 'authorization_code', code }, context, server)
  const endpoint = parseUrl(grant.clientEndpoint)
  if (endpoint === null) {
    throw new BitrixValidationError({
      message: 'the OAuth server returned no usable client_endpoint, so the portal of this token is unknown',
      parameter: 'client_endpoint',
    })
  }
  const portal = formatPortalAddress({ scheme: endpoint.protocol === 'http:' ? 'http' : 'https', host: endpoint.host })
  if (options.domain !== undefined && parsePortalAddress(options.domain).host !== parsePortalAddress(portal).host) {
    throw new BitrixValidationError({
      message: `the redirect named the portal "${options.domain}" but the OAuth server issued the token for "${endpoint.host}"`,
      parameter: 'domain',
    })
  }
  const bitrixApp =
    server === options.bitrixApp.oauthServer ? options.bitrixApp : new AppAtOAuthServer(options.bitrixApp, server)
  return new BitrixToken({
    domain: portal,
    authToken: grant.accessToken,
    refreshToken: grant.refreshToken,
    expires: grant.expires,
    bitrixApp,
  })
}
