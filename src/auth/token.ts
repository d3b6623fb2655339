import { BitrixValidationError } from '../errors/index.js'
import { EventHub, OAuthTokenRenewedEvent, PortalDomainChangedEvent, type SdkEventMap } from '../events/index.js'
import { createDefaultTransport } from '../http/transport.js'
import { NullLogger, secretRegistry } from '../log/index.js'
import { formatPortalAddress, parsePortalAddress, portalBaseUrl } from './address.js'
import type { AbstractBitrixApp, AbstractBitrixAppLocal } from './app.js'
import type { AuthContext, Credentials } from './credentials.js'
import { requestToken, type TokenGrant } from './oauth-server.js'

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/**
 * An OAuth access token of an application on one portal. Subclass it to keep the fields in your own
 * storage: the SDK reads them before each call and writes them after a refresh (then raises
 * `oauthTokenRenewed`). One refresh at a time: concurrent calls that meet an expired token share it.
 */
export abstract class AbstractBitrixToken implements Credentials {
  readonly authType = 'oauth' as const
  readonly events = new EventHub<SdkEventMap>()
  /** Portal host (`example.bitrix24.com`). */
  abstract domain: string
  abstract authToken: string
  abstract refreshToken: string | undefined
  /** Unix seconds when `authToken` expires, if known. */
  abstract expires: number | undefined
  abstract readonly bitrixApp: AbstractBitrixApp
  #refreshing: Promise<void> | undefined

  /** Subscribes to `oauthTokenRenewed` or `portalDomainChanged`; returns the unsubscribe function. */
  on<K extends keyof SdkEventMap>(name: K, handler: (event: SdkEventMap[K]) => void | Promise<void>): () => void {
    return this.events.on(name, handler)
  }

  restUrl(apiVersion: 2 | 3 = 2): string {
    return `${portalBaseUrl(parsePortalAddress(this.domain))}/rest/${apiVersion === 3 ? 'api/' : ''}`
  }

  get isExpired(): boolean {
    return this.expires !== undefined && this.expires * 1000 <= Date.now()
  }

  async authParams(context: AuthContext): Promise<Record<string, string>> {
    if (this.isExpired && this.refreshToken) await this.#refreshOnce(context)
    const token = this.authToken
    // Held while this token lives: never forgotten by the registry however many other tokens rotate meanwhile.
    secretRegistry.hold(this, 'authToken', token)
    secretRegistry.hold(this, 'refreshToken', this.refreshToken)
    return { auth: token }
  }

  async renew(context: AuthContext, used: Record<string, string>): Promise<boolean> {
    // Another call already replaced the token that was rejected: just send again.
    if (used.auth !== undefined && used.auth !== this.authToken) return true
    if (!this.refreshToken) return false
    await this.#refreshOnce(context)
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
    const oldDomain = parsePortalAddress(this.domain).host
    this.domain = formatPortalAddress({ scheme, host: newHost })
    await this.events.emit('portalDomainChanged', new PortalDomainChangedEvent(oldDomain, newHost))
  }

  #refreshOnce(context: AuthContext): Promise<void> {
    this.#refreshing ??= this.#refresh(context).finally(() => {
      this.#refreshing = undefined
    })
    return this.#refreshing
  }

  async #refresh(context: AuthContext): Promise<void> {
    const refreshToken = this.refreshToken
    if (!refreshToken)
      throw new BitrixValidationError({ message: 'this token has no refreshToken, so it cannot be renewed' })
    secretRegistry.hold(this, 'refreshToken', refreshToken)
    const grant = await requestToken(
      this.bitrixApp,
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      context,
    )
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

  /** Stores a token grant in this token's fields. */
  protected applyGrant(grant: TokenGrant): void {
    this.authToken = grant.accessToken
    this.refreshToken = grant.refreshToken
    this.expires = grant.expires
    secretRegistry.hold(this, 'authToken', grant.accessToken)
    secretRegistry.hold(this, 'refreshToken', grant.refreshToken)
  }

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

  [inspectSymbol](): string {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`
  }
}

/** A token of a local application: the portal is the application's own. */
export abstract class AbstractBitrixTokenLocal extends AbstractBitrixToken {
  abstract override readonly bitrixApp: AbstractBitrixAppLocal
}

export interface BitrixTokenInit {
  domain: string
  authToken: string
  refreshToken?: string
  /** Unix seconds or a Date. */
  expires?: number | Date
  bitrixApp: AbstractBitrixApp
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

/** An OAuth token kept in memory; listen to `oauthTokenRenewed` to persist refreshed values. */
export class BitrixToken extends AbstractBitrixToken {
  domain: string
  #authToken: string
  #refreshToken: string | undefined
  expires: number | undefined
  readonly bitrixApp: AbstractBitrixApp

  constructor(init: BitrixTokenInit) {
    super()
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

  get authToken(): string {
    return this.#authToken
  }
  set authToken(value: string) {
    this.#authToken = value
    secretRegistry.hold(this, 'authToken', value)
  }
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
  const url = new URL(endpoint)
  return formatPortalAddress({ scheme: url.protocol === 'http:' ? 'http' : 'https', host: url.host })
}

export interface BitrixTokenLocalInit {
  authToken: string
  refreshToken?: string
  expires?: number | Date
  bitrixApp: AbstractBitrixAppLocal
}

/** A local application's token; the domain comes from the application. */
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

  get authToken(): string {
    return this.#authToken
  }
  set authToken(value: string) {
    this.#authToken = value
    secretRegistry.hold(this, 'authToken', value)
  }
  get refreshToken(): string | undefined {
    return this.#refreshToken
  }
  set refreshToken(value: string | undefined) {
    this.#refreshToken = value
    secretRegistry.hold(this, 'refreshToken', value)
  }
}
