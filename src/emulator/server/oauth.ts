/**
 * The OAuth server (`/oauth/token/`) and the portal's app authorization page (`/oauth/authorize/`).
 * Both GET with a query and POST with a form (or JSON) body are accepted.
 */
import { buildQuery } from '../../http/php-query.js'
import type { Params } from '../kernel.js'
import type { AppRecord, CredentialStore, IssuedTokens } from './auth.js'
import type { Reply } from './respond.js'
import { listScopes } from './scopes.js'
import type { StatsRecorder } from './stats.js'

export interface OAuthEnv {
  credentials: CredentialStore
  stats: StatsRecorder
  /** Current base URL of the portal, e.g. `http://127.0.0.1:40123` (a named portal: `https://p0001.bitrix24.test:40123`). */
  url(): string
  /** Base URL of the OAuth server (shared by every portal of the emulator); default `url()`. */
  serverUrl?(): string
  /**
   * The portal that issued an authorization code or refresh token, when several portals share this OAuth server;
   * its environment answers the grant. Absent or `undefined`: this environment answers.
   */
  grantOwner?(key: unknown): OAuthEnv | undefined
  /** Portal host name reported to apps. */
  domain(): string
  memberId: string
  allScopes(): string[]
  /** A user approved the app on the authorize page: the portal installs it if it is not installed yet. */
  onAuthorize?(app: AppRecord, userId: number): void
}

function oauthError(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description } }
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** The token response of protocol §7.1; `domain` is the OAuth server's host, here the emulator's own. */
function tokenResponse(tokens: IssuedTokens, env: OAuthEnv): Record<string, unknown> {
  const server = serverUrl(env)
  return {
    access_token: tokens.accessToken,
    expires: tokens.expires,
    expires_in: tokens.expiresIn,
    scope: listScopes(tokens.app.scopes, env.allScopes()).join(','),
    domain: new URL(server).host,
    server_endpoint: `${server}/rest/`,
    status: tokens.app.status,
    client_endpoint: `${env.url()}/rest/`,
    member_id: env.memberId,
    user_id: tokens.userId,
    refresh_token: tokens.refreshToken,
  }
}

function serverUrl(env: OAuthEnv): string {
  return env.serverUrl?.() ?? env.url()
}

export function handleToken(params: Params, shared: OAuthEnv): Reply {
  const grantType = str(params.grant_type)
  const env = shared.grantOwner?.(grantType === 'authorization_code' ? params.code : params.refresh_token) ?? shared
  if (grantType === 'refresh_token') env.stats.oauthRefresh()
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    return oauthError(400, 'invalid_request', 'Unsupported or missing grant_type')
  }
  const app = env.credentials.verifyClient(params.client_id, params.client_secret)
  if (!app) return oauthError(401, 'invalid_client', 'Invalid client_id or client_secret')
  const tokens =
    grantType === 'authorization_code'
      ? env.credentials.redeemCode(app, params.code)
      : env.credentials.redeemRefreshToken(app, params.refresh_token)
  if (!tokens) {
    const what = grantType === 'authorization_code' ? 'authorization code' : 'refresh token'
    return oauthError(400, 'invalid_grant', `Invalid ${what}`)
  }
  env.stats.tokenGrant()
  return { status: 200, body: tokenResponse(tokens, env) }
}

/**
 * The user "approves" at once and is sent to the app's redirect URI with a 30-second `code`. The emulator
 * extension `user_id` picks the approving user (default 1).
 */
export function handleAuthorize(params: Params, env: OAuthEnv): Reply {
  const app = env.credentials.getApp(str(params.client_id))
  if (!app) return oauthError(401, 'invalid_client', 'Unknown client_id')
  if (!app.redirectUri) return oauthError(400, 'invalid_request', 'The application has no redirect URI')
  const userId = Number.parseInt(str(params.user_id) || '1', 10)
  if (!(userId > 0)) return oauthError(400, 'invalid_request', 'Invalid user_id')
  env.onAuthorize?.(app, userId)
  const query = buildQuery({
    code: env.credentials.createAuthCode(app, userId),
    state: typeof params.state === 'string' ? params.state : undefined,
    domain: env.domain(),
    member_id: env.memberId,
    scope: listScopes(app.scopes, env.allScopes()).join(','),
    server_domain: new URL(serverUrl(env)).host,
  })
  const separator = app.redirectUri.includes('?') ? '&' : '?'
  return { status: 302, location: `${app.redirectUri}${separator}${query}` }
}
