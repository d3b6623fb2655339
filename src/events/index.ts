/** Events the SDK raises so that callers can persist renewed tokens and moved portals. */

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/** A token was refreshed: persist `accessToken`, `refreshToken` and `expires` now, the old ones no longer work. */
export class OAuthTokenRenewedEvent {
  readonly type = 'oauthTokenRenewed' as const
  readonly domain: string
  /** Unix seconds when the new access token expires. */
  readonly expires: number
  readonly #accessToken: string
  readonly #refreshToken: string

  constructor(init: { domain: string; accessToken: string; refreshToken: string; expires: number }) {
    this.domain = init.domain
    this.expires = init.expires
    this.#accessToken = init.accessToken
    this.#refreshToken = init.refreshToken
  }

  /** The new access token; masked in `toJSON()` and printouts. */
  get accessToken(): string {
    return this.#accessToken
  }

  /** The new refresh token (the old one no longer works); masked in `toJSON()` and printouts. */
  get refreshToken(): string {
    return this.#refreshToken
  }

  /** A printable form for logs: type, domain and `expires`; both tokens are `***`. */
  toJSON(): Record<string, unknown> {
    return { type: this.type, domain: this.domain, expires: this.expires, accessToken: '***', refreshToken: '***' }
  }

  /** What `console.log` and `util.inspect` show: the class name and `toJSON()`, so the tokens are masked. */
  [inspectSymbol](): string {
    return `OAuthTokenRenewedEvent ${JSON.stringify(this.toJSON())}`
  }
}

/** The portal answered 302 to another host; the SDK switched to it and re-sent the request there. */
export class PortalDomainChangedEvent {
  readonly type = 'portalDomainChanged' as const
  readonly oldDomain: string
  readonly newDomain: string
  /**
   * The OAuth server's new origin when it was the portal itself (a self-hosted portal) and moved with it;
   * persist it with the app when you keep the app's `oauthServer` in your own storage.
   */
  readonly oauthServer: string | undefined

  constructor(oldDomain: string, newDomain: string, oauthServer?: string) {
    this.oldDomain = oldDomain
    this.newDomain = newDomain
    this.oauthServer = oauthServer
  }
}

/**
 * The OAuth server no longer accepts the token's refresh token: every call will fail with
 * `BitrixOAuthReauthorizationRequired` until the app is authorized again and the token gets new values.
 * Raised once per refresh token.
 */
export class ReauthorizationRequiredEvent {
  readonly type = 'reauthorizationRequired' as const
  readonly domain: string
  /** An earlier refresh may have rotated the token on the server with its answer lost. */
  readonly rotationLost: boolean

  constructor(init: { domain: string; rotationLost: boolean }) {
    this.domain = init.domain
    this.rotationLost = init.rotationLost
  }
}

/** The SDK's events by name, as `client.on(name, handler)` and `token.on(name, handler)` take them. */
export interface SdkEventMap {
  oauthTokenRenewed: OAuthTokenRenewedEvent
  portalDomainChanged: PortalDomainChangedEvent
  reauthorizationRequired: ReauthorizationRequiredEvent
}

/** A subscriber to an event; an async one is awaited before the next handler runs. Errors it throws are swallowed. */
export type EventHandler<E> = (event: E) => void | Promise<void>

/** A minimal typed event emitter; a throwing handler never breaks the request that raised the event. */
export class EventHub<Events extends object> {
  readonly #handlers = new Map<keyof Events, Set<EventHandler<never>>>()

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof Events>(name: K, handler: EventHandler<Events[K]>): () => void {
    const set = this.#handlers.get(name) ?? new Set<EventHandler<never>>()
    this.#handlers.set(name, set)
    set.add(handler as EventHandler<never>)
    return () => this.off(name, handler)
  }

  /** Removes a handler added with `on`; nothing happens when it is not subscribed. */
  off<K extends keyof Events>(name: K, handler: EventHandler<Events[K]>): void {
    this.#handlers.get(name)?.delete(handler as EventHandler<never>)
  }

  /** Calls every handler, awaiting async ones; returns the errors they threw. */
  async emit<K extends keyof Events>(name: K, event: Events[K]): Promise<unknown[]> {
    const errors: unknown[] = []
    for (const handler of this.#handlers.get(name) ?? []) {
      try {
        await (handler as EventHandler<Events[K]>)(event)
      } catch (error) {
        errors.push(error)
      }
    }
    return errors
  }
}
