/** The OAuth server client: exchanges an authorization code or a refresh token for new tokens. */
import {
  BitrixOAuthRequestTimeout,
  BitrixRequestError,
  BitrixResponseParseError,
  oauthErrorFromResponse,
} from '../errors/index.js'
import { withoutBom } from '../http/envelope.js'
import { buildQuery } from '../http/php-query.js'
import { TransportError } from '../http/transport.js'
import { secretRegistry } from '../log/index.js'
import type { AbstractBitrixApp } from './app.js'
import type { AuthContext } from './credentials.js'

/** What the token endpoint returned, in camelCase. */
export interface TokenGrant {
  accessToken: string
  refreshToken: string
  /** Unix seconds when the access token expires. */
  expires: number
  expiresIn: number
  memberId: string
  scope: string[]
  /** Portal REST endpoint, e.g. `https://example.bitrix24.com/rest/`. */
  clientEndpoint: string
  serverEndpoint: string
  status: string
  userId: number | undefined
}

/**
 * Where a 3xx of the OAuth server leads: the origin to ask instead (once), or undefined to treat the 3xx as an
 * unreadable answer. May throw (e.g. `BitrixPortalMoveRefused`).
 */
export type OAuthRedirectHandler = (location: string, requestUrl: string) => Promise<string | undefined>

/**
 * @param oauthServer origin of the OAuth server; the app's `oauthServer` unless it moved with its portal
 * @param onRedirect consulted once when the OAuth server answers 3xx (a self-hosted portal that moved)
 */
export async function requestToken(
  app: AbstractBitrixApp,
  grant: { grant_type: 'refresh_token'; refresh_token: string } | { grant_type: 'authorization_code'; code: string },
  context: AuthContext,
  oauthServer: string = app.oauthServer,
  onRedirect?: OAuthRedirectHandler,
): Promise<TokenGrant> {
  secretRegistry.hold(app, 'clientSecret', app.clientSecret)
  const body = buildQuery({ ...grant, client_id: app.clientId, client_secret: app.clientSecret })
  const started = Date.now()
  const url = `${oauthServer}/oauth/token/`
  let response: Awaited<ReturnType<AuthContext['transport']>>
  try {
    response = await context.transport({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      connectTimeoutMs: context.timeoutMs.connectMs,
      readTimeoutMs: context.timeoutMs.readMs,
    })
  } catch (error) {
    if (error instanceof TransportError && error.kind === 'timeout') {
      throw new BitrixOAuthRequestTimeout({ timeoutMs: context.timeoutMs.readMs, phase: error.phase, cause: error })
    }
    throw new BitrixRequestError({
      message: 'OAuth server request failed',
      method: 'oauth/token',
      sent: !(error instanceof TransportError) || error.sent,
      cause: error,
    })
  }
  context.logger.debug('oauth token request', {
    grantType: grant.grant_type,
    status: response.status,
    durationMs: Date.now() - started,
  })
  const location = response.headers.location
  if (response.status >= 300 && response.status < 400 && location && onRedirect) {
    const movedTo = await onRedirect(location, url)
    if (movedTo !== undefined) return requestToken(app, grant, context, movedTo)
  }
  const unreadable = (reason: string) =>
    new BitrixResponseParseError({
      status: response.status,
      contentType: response.headers['content-type'],
      body: response.body,
      method: 'oauth/token',
      reason,
    })
  let parsed: unknown
  try {
    parsed = JSON.parse(withoutBom(response.body))
  } catch {
    throw unreadable('not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw unreadable('not a JSON object')
  const data = parsed as Record<string, unknown>
  if (response.status >= 400 || typeof data.error === 'string') {
    throw oauthErrorFromResponse(response.status, data as { error: string; error_description?: string })
  }
  // A grant without both tokens would leave the credentials unusable: it is not an answer to trust.
  if (typeof data.access_token !== 'string' || data.access_token === '') throw unreadable('no access_token')
  if (typeof data.refresh_token !== 'string' || data.refresh_token === '') throw unreadable('no refresh_token')
  const accessToken = data.access_token
  const refreshToken = data.refresh_token
  secretRegistry.add(accessToken)
  secretRegistry.add(refreshToken)
  const expiresIn = Number(data.expires_in ?? 3600)
  return {
    accessToken,
    refreshToken,
    expires: data.expires !== undefined ? Number(data.expires) : Math.floor(Date.now() / 1000) + expiresIn,
    expiresIn,
    memberId: String(data.member_id ?? ''),
    scope: String(data.scope ?? '')
      .split(/[,\s]+/)
      .filter(Boolean),
    clientEndpoint: String(data.client_endpoint ?? ''),
    serverEndpoint: String(data.server_endpoint ?? ''),
    status: String(data.status ?? ''),
    userId: data.user_id === undefined ? undefined : Number(data.user_id),
  }
}
