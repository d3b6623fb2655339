/**
 * Credentials of the emulated portal — incoming webhooks, OAuth applications, access/refresh tokens and
 * authorization codes — and the authentication of REST calls against them.
 */
import { type AuthType, RestError } from '../kernel.js'
import type { EmulatorClock } from './clock.js'
import type { RandomSource } from './random.js'
import { normalizeScopes, type ScopeSet } from './scopes.js'

/** Application status as token responses report it: L local, F free, D demo, T trial, P paid. */
export type AppStatus = 'L' | 'F' | 'D' | 'T' | 'P'

export interface WebhookRecord {
  readonly id: number
  readonly userId: number
  readonly secret: string
  readonly scopes: ScopeSet
}

export interface AppRecord {
  readonly id: number
  readonly clientId: string
  readonly clientSecret: string
  readonly scopes: ScopeSet
  readonly redirectUri: string | undefined
  readonly applicationToken: string
  readonly status: AppStatus
}

interface GrantRecord {
  readonly clientId: string
  readonly userId: number
  expiresAt: number
}

export interface IssuedTokens {
  accessToken: string
  refreshToken: string
  /** Emulator Unix seconds when the access token expires. */
  expires: number
  expiresIn: number
  userId: number
  app: AppRecord
}

/** Who is calling: the identity every later check (scope, auth type, operating time) is made against. */
export interface Caller {
  readonly authType: AuthType
  readonly userId: number
  readonly scopes: ScopeSet
  /** The identity the operating-time limit is kept per: `webhook:ID` or `app:CLIENT_ID`. */
  readonly key: string
  readonly app?: AppRecord
  readonly webhook?: WebhookRecord
}

/** What `emu.createWebhook` takes: the user, the scopes, and optionally a fixed secret. */
export interface WebhookOptions {
  /** Portal user the webhook acts as; default 1 (the administrator). */
  userId?: number
  /** Scope codes, or `'all'` (default). */
  scopes?: readonly string[] | 'all'
  /** A fixed secret instead of a random one. */
  secret?: string
}

/** What `emu.createApp` takes; everything not given is generated (random unless `randomSeed` is set). */
export interface AppOptions {
  /** A fixed client id (`local.…`-style ids are fine). */
  clientId?: string
  /** A fixed client secret. */
  clientSecret?: string
  /** Scope codes, or `'all'` (default). */
  scopes?: readonly string[] | 'all'
  /** Where `/oauth/authorize/` sends the user with `code`. */
  redirectUri?: string
  status?: AppStatus
}

export interface CredentialSettings {
  /** Access-token lifetime, emulator seconds. */
  tokenLifetime: number
  /** Refresh-token lifetime, emulator seconds. */
  refreshTokenLifetime: number
  /** Authorization-code lifetime, emulator seconds. */
  codeLifetime: number
  /** HTTP status of auth-stage errors such as INVALID_CREDENTIALS and insufficient_scope. */
  authErrorStatus: number
}

/**
 * The applications the OAuth server knows, by client id: one registry for every portal of an emulator, as one
 * marketplace app is installed on many portals. Each portal installs an app with its own `application_token`.
 */
export type AppRegistry = Map<string, AppRecord>

export class CredentialStore {
  private readonly webhooks = new Map<string, WebhookRecord>()
  /** Apps installed on this portal (the registry's, each with this portal's application token). */
  private readonly apps = new Map<string, AppRecord>()
  private readonly accessTokens = new Map<string, GrantRecord>()
  private readonly refreshTokens = new Map<string, GrantRecord>()
  private readonly codes = new Map<string, GrantRecord>()
  private nextId = 1

  constructor(
    private readonly random: RandomSource,
    private readonly clock: EmulatorClock,
    readonly settings: CredentialSettings,
    private readonly registry: AppRegistry = new Map(),
  ) {}

  createWebhook(options: WebhookOptions = {}): WebhookRecord {
    const userId = options.userId ?? 1
    if (!Number.isInteger(userId) || userId < 1) throw new RangeError('webhook userId must be a positive integer')
    const secret = options.secret ?? this.random.fromAlphabet(16)
    if (!/^[A-Za-z0-9_-]+$/.test(secret)) throw new RangeError('webhook secret must be URL-safe')
    const record: WebhookRecord = { id: this.nextId++, userId, secret, scopes: normalizeScopes(options.scopes) }
    this.webhooks.set(`${userId}/${secret}`, record)
    return record
  }

  createApp(options: AppOptions = {}): AppRecord {
    const clientId = options.clientId ?? `local.${this.random.hex(14)}.${this.random.fromAlphabet(8, '0123456789')}`
    if (this.registry.has(clientId)) throw new Error(`An application with client id ${clientId} already exists`)
    const record: AppRecord = {
      id: this.nextId++,
      clientId,
      clientSecret: options.clientSecret ?? this.random.alnumMixed(50),
      scopes: normalizeScopes(options.scopes),
      redirectUri: options.redirectUri,
      applicationToken: this.random.hex(32),
      status: options.status ?? 'L',
    }
    this.registry.set(clientId, record)
    this.apps.set(clientId, record)
    return record
  }

  /** The app as installed on this portal; a registered app not yet installed here is installed now. */
  getApp(clientId: string): AppRecord | undefined {
    const installed = this.apps.get(clientId)
    if (installed) return installed
    const registered = this.registry.get(clientId)
    if (!registered) return undefined
    const record: AppRecord = { ...registered, id: this.nextId++, applicationToken: this.random.hex(32) }
    this.apps.set(clientId, record)
    return record
  }

  /** Whether this portal issued the authorization code or refresh token `key` (the shared OAuth server asks). */
  holdsGrant(key: unknown): boolean {
    return typeof key === 'string' && (this.codes.has(key) || this.refreshTokens.has(key))
  }

  /** The app when both id and secret match, for the OAuth server's `invalid_client` check. */
  verifyClient(clientId: unknown, clientSecret: unknown): AppRecord | undefined {
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string') return undefined
    const app = this.getApp(clientId)
    return app && app.clientSecret === clientSecret ? app : undefined
  }

  /** A fresh access + refresh token pair, as after installation or a successful grant. */
  issueTokens(app: AppRecord, userId: number): IssuedTokens {
    const now = this.clock.now()
    const accessToken = this.random.hex(70)
    const refreshToken = this.random.hex(70)
    const expires = Math.floor(now + this.settings.tokenLifetime)
    this.accessTokens.set(accessToken, { clientId: app.clientId, userId, expiresAt: expires })
    this.refreshTokens.set(refreshToken, {
      clientId: app.clientId,
      userId,
      expiresAt: now + this.settings.refreshTokenLifetime,
    })
    return { accessToken, refreshToken, expires, expiresIn: this.settings.tokenLifetime, userId, app }
  }

  createAuthCode(app: AppRecord, userId: number): string {
    const code = this.random.hex(70)
    this.codes.set(code, { clientId: app.clientId, userId, expiresAt: this.clock.now() + this.settings.codeLifetime })
    return code
  }

  /** Exchanges a code once; an unknown, used, expired or foreign code gives `undefined` (`invalid_grant`). */
  redeemCode(app: AppRecord, code: unknown): IssuedTokens | undefined {
    const grant = this.takeGrant(this.codes, app, code)
    return grant && this.issueTokens(app, grant.userId)
  }

  /** Rotates a refresh token: the old one stops working, a new pair is issued. */
  redeemRefreshToken(app: AppRecord, refreshToken: unknown): IssuedTokens | undefined {
    const grant = this.takeGrant(this.refreshTokens, app, refreshToken)
    return grant && this.issueTokens(app, grant.userId)
  }

  private takeGrant(store: Map<string, GrantRecord>, app: AppRecord, key: unknown): GrantRecord | undefined {
    if (typeof key !== 'string') return undefined
    const grant = store.get(key)
    if (!grant || grant.clientId !== app.clientId) return undefined
    store.delete(key)
    return grant.expiresAt > this.clock.now() ? grant : undefined
  }

  /** Every access token issued so far expires now; refresh tokens keep working. */
  expireAccessTokens(): void {
    const now = this.clock.now()
    for (const grant of this.accessTokens.values()) grant.expiresAt = Math.min(grant.expiresAt, now)
  }

  authenticateWebhook(userId: string, secret: string): Caller {
    const webhook = this.webhooks.get(`${userId}/${secret}`)
    if (!webhook) {
      throw new RestError('INVALID_CREDENTIALS', 'Invalid request credentials', this.settings.authErrorStatus)
    }
    return {
      authType: 'webhook',
      userId: webhook.userId,
      scopes: webhook.scopes,
      key: `webhook:${webhook.id}`,
      webhook,
    }
  }

  authenticateToken(token: string): Caller {
    const grant = this.accessTokens.get(token)
    const app = grant && this.getApp(grant.clientId)
    if (!grant || !app) throw new RestError('invalid_token', 'The access token provided is invalid', 401)
    if (grant.expiresAt <= this.clock.now()) {
      throw new RestError('expired_token', 'The access token provided has expired', 401)
    }
    return { authType: 'oauth', userId: grant.userId, scopes: app.scopes, key: `app:${app.clientId}`, app }
  }
}

/** The access token of an OAuth REST call: `auth` or `access_token` param, else `Authorization: Bearer`. */
export function findAccessToken(
  params: Record<string, unknown>,
  authorization: string | undefined,
): string | undefined {
  for (const name of ['auth', 'access_token']) {
    const value = params[name]
    if (typeof value === 'string' && value !== '') return value
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  return bearer?.[1]
}

/** Auth params never reach a method handler. */
export function stripAuthParams(params: Record<string, unknown>): Record<string, unknown> {
  const { auth: _auth, access_token: _accessToken, ...rest } = params
  return rest
}
