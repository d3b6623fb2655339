/** The OAuth server client: exchanges an authorization code or a refresh token for new tokens. */
import {
  BitrixOAuthRequestTimeout,
  BitrixRequestError,
  BitrixResponseParseError,
  oauthErrorFromResponse,
} from '../errors/index.js'
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

export async function requestToken(
  app: AbstractBitrixApp,
  grant: { grant_type: 'refresh_token'; refresh_token: string } | { grant_type: 'authorization_code'; code: string },
  context: AuthContext,
): Promise<TokenGrant> {
  secretRegistry.hold(app, 'clientSecret', app.clientSecret)
  const body = buildQuery({ ...grant, client_id: app.clientId, client_secret: app.clientSecret })
  const started = Date.now()
  let response: Awaited<ReturnType<AuthContext['transport']>>
  try {
    response = await context.transport({
      url: `${app.oauthServer}/oauth/token/`,
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
    throw new BitrixRequestError({ message: 'OAuth server request failed', method: 'oauth/token', cause: error })
  }
  context.logger.debug('oauth token request', {
    grantType: grant.grant_type,
    status: response.status,
    durationMs: Date.now() - started,
  })
  let data: Record<string, unknown>
  try {
    data = JSON.parse(response.body) as Record<string, unknown>
  } catch {
    throw new BitrixResponseParseError({
      status: response.status,
      contentType: response.headers['content-type'],
      body: response.body,
    })
  }
  if (response.status >= 400 || typeof data.error === 'string') {
    throw oauthErrorFromResponse(response.status, data as { error: string; error_description?: string })
  }
  const accessToken = String(data.access_token ?? '')
  const refreshToken = String(data.refresh_token ?? '')
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
