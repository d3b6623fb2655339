import {
  BitrixOAuthError,
  BitrixOAuthInvalidClient,
  BitrixOAuthInvalidGrant,
  BitrixOAuthReauthorizationRequired,
  BitrixPortalMoveRefused,
  BitrixRequestError,
  BitrixValidationError,
} from '../errors/index.js'
import {
  EventHub,
  OAuthTokenRenewedEvent,
  PortalDomainChangedEvent,
  ReauthorizationRequiredEvent,
  type SdkEventMap,
} from '../events/index.js'
import { createDefaultTransport } from '../http/transport.js'
import { NullLogger, secretRegistry } from '../log/index.js'
import { allowPlainHttpFor, formatPortalAddress, parsePortalAddress, parseUrl, portalBaseUrl } from './address.js'
import type { AbstractBitrixApp, AbstractBitrixAppLocal } from './app.js'
import type { AuthContext, Credentials } from './credentials.js'
import { requestToken, type TokenGrant } from './oauth-server.js'
import { checkPortalMove } from './portal-move.js'

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

interface RefreshFailure {
  /** See `#failureKey`. */
  key: string
  error: unknown
  /** The settled-refresh count right after it failed. */
  settled: number
  /** `invalid_grant` / `invalid_client`: shared by every later call too, while the key is the same. */
  final: boolean
}

/**
 * An OAuth access token of an application on one portal. Subclass it to keep the fields in your own
 * storage: the SDK reads them before each call and writes them after a refresh (then raises
 * `oauthTokenRenewed`). One refresh at a time: concurrent calls that meet an expired token share it.
 */
export abstract class AbstractBitrixToken implements Credentials {
  /** Always `'oauth'`: calls carry the access token as the `auth` parameter. */
  readonly authType = 'oauth' as const
  /** This token's events (`oauthTokenRenewed`, `portalDomainChanged`, `reauthorizationRequired`); see `on`. */
  readonly events = new EventHub<SdkEventMap>()
  /** Portal host (`example.bitrix24.com`). */
  abstract domain: string
  /** The OAuth access token sent with each call; replaced by a refresh. Masked in logs, errors and printouts. */
  abstract authToken: string
  /** The refresh token; without one an expired token cannot be renewed. Masked like `authToken`. */
  abstract refreshToken: string | undefined
  /** Unix seconds when `authToken` expires, if known. */
  abstract expires: number | undefined
  /** The application the token was issued to; its `clientId` and `clientSecret` sign refreshes. */
  abstract readonly bitrixApp: AbstractBitrixApp
  #refreshing: Promise<void> | undefined
  /** Counts settled refreshes; a call's auth params remember the count they were issued at. */
  #settled = 0
  readonly #issuedAt = new WeakMap<Record<string, string>, number>()
  #failure: RefreshFailure | undefined
  /** The refresh token whose last refresh may have reached the server with its answer lost. */
  #uncertain: string | undefined
  /** The refresh token `reauthorizationRequired` was raised for. */
  #reauthorizationRaised: string | undefined
  /** The OAuth server's origin after it moved with its portal (self-hosted); else the app's `oauthServer`. */
  #movedOAuthServer: string | undefined

  /** Subscribes to an SDK event (`oauthTokenRenewed`, …); returns the unsubscribe function. */
  on<K extends keyof SdkEventMap>(name: K, handler: (event: SdkEventMap[K]) => void | Promise<void>): () => void {
    return this.events.on(name, handler)
  }

  restUrl(apiVersion: 2 | 3 = 2): string {
    return `${portalBaseUrl(parsePortalAddress(this.domain))}/rest/${apiVersion === 3 ? 'api/' : ''}`
  }

  /** True when `expires` is known and has passed; the next call then refreshes first (if there is a refresh token). */
  get isExpired(): boolean {
    return this.expires !== undefined && this.expires * 1000 <= Date.now()
  }

  /** Origin refreshes are sent to: the app's `oauthServer`, or where it moved with the portal it was. */
  get oauthServer(): string {
    return this.#movedOAuthServer ?? this.bitrixApp.oauthServer
  }

  async authParams(context: AuthContext): Promise<Record<string, string>> {
    if (this.isExpired && this.refreshToken) await this.#refreshOnce(context)
    const token = this.authToken
    // Held while this token lives: never forgotten by the registry however many other tokens rotate meanwhile.
    secretRegistry.hold(this, 'authToken', token)
    secretRegistry.hold(this, 'refreshToken', this.refreshToken)
    const params = { auth: token }
    this.#issuedAt.set(params, this.#settled)
    return params
  }

  async renew(context: AuthContext, used: Record<string, string>): Promise<boolean> {
    // Another call already replaced the token that was rejected: just send again.
    if (used.auth !== undefined && used.auth !== this.authToken) return true
    if (!this.refreshToken) return false
    await this.#refreshOnce(context, this.#issuedAt.get(used))
    return true
  }

  /** Refreshes now, whatever `expires` says. */
  async refresh(context?: Partial<AuthContext>): Promise<void> {
    await this.#refreshOnce({
      transport: context?.transport ?? createDefaultTransport(),
      timeoutMs: context?.timeoutMs ?? { connectMs: 30_000, readMs: 30_000 },
      logger: context?.logger ?? new NullLogger(),
    })
  }

  async moveTo(newHost: string, scheme: 'http' | 'https'): Promise<void> {
    const old = parsePortalAddress(this.domain)
    const next = { scheme, host: newHost }
    this.domain = formatPortalAddress(next)
    // A self-hosted portal is its own OAuth server: the OAuth address moves with it.
    const oauth = parseUrl(this.oauthServer)
    const movedOAuth = oauth?.origin === portalBaseUrl(old) ? portalBaseUrl(next) : undefined
    if (movedOAuth !== undefined) this.#movedOAuthServer = movedOAuth
    await this.events.emit('portalDomainChanged', new PortalDomainChangedEvent(old.host, newHost, movedOAuth))
  }

  /**
   * One refresh at a time. A failed refresh is shared like a successful one: by every call whose auth params were
   * issued before it settled (they all used the same token); `invalid_grant` and `invalid_client` also by every
   * later call, until the refresh token or the app's credentials change.
   * @param issuedAt the settled-refresh count when the caller's auth params were issued; omitted: a new request
   */
  #refreshOnce(context: AuthContext, issuedAt?: number): Promise<void> {
    if (this.#refreshing) return this.#refreshing
    const failure = this.#failure
    if (failure !== undefined && failure.key === this.#failureKey()) {
      if (failure.final || (issuedAt !== undefined && issuedAt < failure.settled)) return Promise.reject(failure.error)
    }
    const key = this.#failureKey()
    const settle = () => {
      this.#settled += 1
      this.#refreshing = undefined
    }
    this.#refreshing = this.runRefresh(() => this.#refresh(context)).then(
      () => {
        settle()
        this.#failure = undefined
      },
      (error: unknown) => {
        settle()
        // Only refusals of what the key holds stay true until it changes (PAYMENT_REQUIRED, say, may not).
        const final = error instanceof BitrixOAuthInvalidGrant || error instanceof BitrixOAuthInvalidClient
        this.#failure = { key, error, settled: this.#settled, final }
        throw error
      },
    )
    return this.#refreshing
  }

  /**
   * Runs one refresh: `refresh` asks the OAuth server and stores the grant with `applyGrant`. Override it to
   * share the token with other processes: take a lock, load what another process may have stored meanwhile
   * (and skip `refresh` when it is newer), save after `refresh`. The default just runs it.
   */
  protected runRefresh(refresh: () => Promise<void>): Promise<void> {
    return refresh()
  }

  /** What a cached failure is valid for: the same refresh token, app and OAuth server. */
  #failureKey(): string {
    const app = this.bitrixApp
    return [this.refreshToken, app.clientId, app.clientSecret, this.oauthServer].join('\n')
  }

  async #refresh(context: AuthContext): Promise<void> {
    const refreshToken = this.refreshToken
    if (!refreshToken)
      throw new BitrixValidationError({ message: 'this token has no refreshToken, so it cannot be renewed' })
    secretRegistry.hold(this, 'refreshToken', refreshToken)
    let grant: TokenGrant
    try {
      grant = await requestToken(
        this.bitrixApp,
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        context,
        this.oauthServer,
        (location, requestUrl) => this.#oauthServerMoved(location, requestUrl),
      )
    } catch (error) {
      throw await this.#refreshFailed(error, refreshToken)
    }
    this.#uncertain = undefined
    this.applyGrant(grant)
    context.logger.info('oauth token renewed', { domain: parsePortalAddress(this.domain).host })
    await this.events.emit(
      'oauthTokenRenewed',
      new OAuthTokenRenewedEvent({
        domain: parsePortalAddress(this.domain).host,
        accessToken: grant.accessToken,
        refreshToken: grant.refreshToken,
        expires: grant.expires,
      }),
    )
  }

  /**
   * The OAuth server answered 3xx. When it is the portal itself (self-hosted) the portal moved: follow it under the
   * built-in portal-move rules (refused → `BitrixPortalMoveRefused`, nothing sent) and ask at the new address.
   */
  async #oauthServerMoved(location: string, requestUrl: string): Promise<string | undefined> {
    if (parseUrl(this.oauthServer)?.origin !== portalBaseUrl(parsePortalAddress(this.domain))) return undefined
    const target = await checkPortalMove(requestUrl, location)
    await this.moveTo(target.host, target.scheme)
    return this.oauthServer
  }

  /** The error a failed refresh ends in; `invalid_grant` means re-authorization (raised once per refresh token). */
  async #refreshFailed(error: unknown, refreshToken: string): Promise<unknown> {
    if (!(error instanceof BitrixOAuthInvalidGrant)) {
      // An answer that may have been lost after the server rotated the token (reset, timeout, truncated body).
      const notApplied =
        error instanceof BitrixOAuthError ||
        error instanceof BitrixPortalMoveRefused ||
        (error instanceof BitrixRequestError && !error.sent)
      const maybeApplied = !notApplied
      if (maybeApplied) this.#uncertain = refreshToken
      return error
    }
    const rotationLost = this.#uncertain === refreshToken
    const reauthorization = new BitrixOAuthReauthorizationRequired({
      error: error.error,
      errorDescription: error.errorDescription,
      status: error.status,
      rotationLost,
    })
    if (this.#reauthorizationRaised !== refreshToken) {
      this.#reauthorizationRaised = refreshToken
      const domain = parsePortalAddress(this.domain).host
      await this.events.emit('reauthorizationRequired', new ReauthorizationRequiredEvent({ domain, rotationLost }))
    }
    return reauthorization
  }

  /** Stores a token grant in this token's fields. */
  protected applyGrant(grant: TokenGrant): void {
    this.authToken = grant.accessToken
    this.refreshToken = grant.refreshToken
    this.expires = grant.expires
    secretRegistry.hold(this, 'authToken', grant.accessToken)
    secretRegistry.hold(this, 'refreshToken', grant.refreshToken)
  }

  /**
   * A printable form for logs and `JSON.stringify`: class name, `domain`, `expires` and the app; `authToken` and
   * `refreshToken` are `***`.
   */
  toJSON(): Record<string, unknown> {
    return {
      type: this.constructor.name,
      domain: this.domain,
      authToken: '***',
      refreshToken: this.refreshToken ? '***' : undefined,
      expires: this.expires,
      bitrixApp: this.bitrixApp,
    }
  }

  /** What `console.log` and `util.inspect` show: the class name and `toJSON()`, so the tokens are masked. */
  [inspectSymbol](): string {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`
  }
}

/** A token of a local application: the portal is the application's own. */
export abstract class AbstractBitrixTokenLocal extends AbstractBitrixToken {
  /** The local application, which names the one portal the token is for. */
  abstract override readonly bitrixApp: AbstractBitrixAppLocal
}

/** What `new BitrixToken(…)` takes: the portal, the tokens the OAuth server issued, and the application. */
export interface BitrixTokenInit {
  /** Portal host, `host[:port]` (e.g. `example.bitrix24.com`). */
  domain: string
  /** The access token. */
  authToken: string
  /** The refresh token; needed to renew the access token when it expires. */
  refreshToken?: string
  /** When `authToken` expires: Unix seconds or a Date. Unknown: renewed only when the portal rejects it. */
  expires?: number | Date
  /** The application the tokens were issued to. */
  bitrixApp: AbstractBitrixApp
  /**
   * Accept a plain `http://` address of a self-hosted portal (never needed for loopback). An explicit opt-in:
   * the key or tokens then cross the network unencrypted.
   */
  allowPlainHttp?: boolean
}

function toUnixSeconds(value: number | Date | undefined): number | undefined {
  if (value === undefined) return undefined
  const seconds = value instanceof Date ? Math.floor(value.getTime() / 1000) : value
  if (!Number.isFinite(seconds)) {
    throw new BitrixValidationError({
      message: 'expires must be Unix seconds or a Date',
      parameter: 'expires',
      expected: 'number | Date',
    })
  }
  return seconds
}

function requireToken(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new BitrixValidationError({
      message: `${name} must be a non-empty string (the access token from the OAuth server)`,
      parameter: name,
      expected: 'string',
      received: typeof value,
    })
  }
  secretRegistry.add(value)
  return value
}

function requireApp(app: unknown, name: string): void {
  if (typeof app !== 'object' || app === null || typeof (app as AbstractBitrixApp).clientId !== 'string') {
    throw new BitrixValidationError({
      message: `${name} must be a BitrixApp (or another AbstractBitrixApp)`,
      parameter: name,
    })
  }
}

/**
 * An OAuth token kept in memory; listen to `oauthTokenRenewed` to persist refreshed values. Throws
 * `BitrixValidationError` when `domain` is not a portal host, a token is empty or `bitrixApp` is not an app.
 * @example
 * const token = new BitrixToken({ domain: 'example.bitrix24.com', authToken, refreshToken, bitrixApp: app })
 * token.on('oauthTokenRenewed', (event) => save(event.accessToken, event.refreshToken, event.expires))
 */
export class BitrixToken extends AbstractBitrixToken {
  domain: string
  #authToken: string
  #refreshToken: string | undefined
  expires: number | undefined
  readonly bitrixApp: AbstractBitrixApp

  constructor(init: BitrixTokenInit) {
    super()
    if (init?.allowPlainHttp === true) allowPlainHttpFor(init.domain)
    parsePortalAddress(init?.domain)
    requireApp(init.bitrixApp, 'bitrixApp')
    this.domain = init.domain
    this.#authToken = requireToken(init.authToken, 'authToken')
    this.#refreshToken = init.refreshToken === undefined ? undefined : requireToken(init.refreshToken, 'refreshToken')
    this.expires = toUnixSeconds(init.expires)
    secretRegistry.hold(this, 'authToken', this.#authToken)
    secretRegistry.hold(this, 'refreshToken', this.#refreshToken)
    this.bitrixApp = init.bitrixApp
  }

  /** The current access token; set by a refresh, or by you when you restore a stored one. Masked when printed. */
  get authToken(): string {
    return this.#authToken
  }
  set authToken(value: string) {
    this.#authToken = value
    secretRegistry.hold(this, 'authToken', value)
  }
  /** The current refresh token; rotated by each refresh. Masked when printed. */
  get refreshToken(): string | undefined {
    return this.#refreshToken
  }
  set refreshToken(value: string | undefined) {
    this.#refreshToken = value
    secretRegistry.hold(this, 'refreshToken', value)
  }

  /** Exchanges the `code` an app receives after `/oauth/authorize/` for a token. */
  static async fromAuthorizationCode(init: {
    bitrixApp: AbstractBitrixApp
    code: string
    /** Portal host; taken from the grant's `client_endpoint` when omitted. */
    domain?: string
    context?: Partial<AuthContext>
  }): Promise<BitrixToken> {
    requireApp(init?.bitrixApp, 'bitrixApp')
    const code = requireToken(init.code, 'code')
    const grant = await requestToken(
      init.bitrixApp,
      { grant_type: 'authorization_code', code },
      {
        transport: init.context?.transport ?? createDefaultTransport(),
        timeoutMs: init.context?.timeoutMs ?? { connectMs: 30_000, readMs: 30_000 },
        logger: init.context?.logger ?? new NullLogger(),
      },
    )
    const domain = init.domain ?? endpointToDomain(grant.clientEndpoint)
    return new BitrixToken({
      domain,
      authToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      expires: grant.expires,
      bitrixApp: init.bitrixApp,
    })
  }
}

function endpointToDomain(endpoint: string): string {
  const url = parseUrl(endpoint)
  if (url === null) {
    throw new BitrixValidationError({
      message: 'the OAuth server returned no usable client_endpoint; pass domain to fromAuthorizationCode',
      parameter: 'domain',
      expected: 'portal host',
    })
  }
  return formatPortalAddress({ scheme: url.protocol === 'http:' ? 'http' : 'https', host: url.host })
}

/** What `new BitrixTokenLocal(…)` takes: the tokens and the local application (which names the portal). */
export interface BitrixTokenLocalInit {
  /** The access token. */
  authToken: string
  /** The refresh token; needed to renew the access token when it expires. */
  refreshToken?: string
  /** When `authToken` expires: Unix seconds or a Date. */
  expires?: number | Date
  /** The local application; its `domain` is the token's portal. */
  bitrixApp: AbstractBitrixAppLocal
}

/**
 * A local application's token; the domain comes from the application. Throws `BitrixValidationError` when a token
 * is empty or `bitrixApp` is not an app with a portal domain.
 */
export class BitrixTokenLocal extends AbstractBitrixTokenLocal {
  domain: string
  #authToken: string
  #refreshToken: string | undefined
  expires: number | undefined
  readonly bitrixApp: AbstractBitrixAppLocal

  constructor(init: BitrixTokenLocalInit) {
    super()
    requireApp(init?.bitrixApp, 'bitrixApp')
    this.bitrixApp = init.bitrixApp
    this.domain = init.bitrixApp.domain
    parsePortalAddress(this.domain)
    this.#authToken = requireToken(init.authToken, 'authToken')
    this.#refreshToken = init.refreshToken === undefined ? undefined : requireToken(init.refreshToken, 'refreshToken')
    this.expires = toUnixSeconds(init.expires)
    secretRegistry.hold(this, 'authToken', this.#authToken)
    secretRegistry.hold(this, 'refreshToken', this.#refreshToken)
  }

  /** The current access token; set by a refresh, or by you when you restore a stored one. Masked when printed. */
  get authToken(): string {
    return this.#authToken
  }
  set authToken(value: string) {
    this.#authToken = value
    secretRegistry.hold(this, 'authToken', value)
  }
  /** The current refresh token; rotated by each refresh. Masked when printed. */
  get refreshToken(): string | undefined {
    return this.#refreshToken
  }
  set refreshToken(value: string | undefined) {
    this.#refreshToken = value
    secretRegistry.hold(this, 'refreshToken', value)
  }
}
