/**
 * Credentials of an app page inside the portal: the access token the parent window handed over, sent as `auth` to
 * the portal's REST endpoint, and renewed by asking the parent (`refreshAuth`) — the page never holds a client
 * secret. One renewal at a time: calls that find the token expired together wait for the same answer.
 */
import { formatPortalAddress, type PortalAddress, parsePortalAddress, portalBaseUrl } from '../auth/address.js'
import type { Credentials } from '../auth/credentials.js'
import { EventHub, OAuthTokenRenewedEvent, PortalDomainChangedEvent, type SdkEventMap } from '../events/index.js'
import { secretRegistry } from '../log/index.js'

/** The auth part of the parent's answers to `getInitData` and `refreshAuth`. */
export interface FrameAuth {
  accessToken: string
  /** The parent renews through its own session; apps rarely need it, but BX24.getAuth() reports it. */
  refreshToken: string
  /** Epoch milliseconds (this page's clock) when the access token expires. */
  expiresAt: number
}

/** What `BitrixFrame.getAuth()` returns, in the shape of BX24.getAuth(). */
export interface FrameAuthInfo {
  access_token: string
  refresh_token: string
  /** Epoch seconds when the access token expires. */
  expires: number
  /** Seconds the access token has left. */
  expires_in: number
  domain: string
  member_id: string
}

/** Refresh a little before the expiry the parent reported, so a call does not leave with a dying token. */
const EXPIRY_MARGIN_MS = 5_000
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

export class BitrixFrameCredentials implements Credentials {
  readonly authType = 'oauth' as const
  readonly events = new EventHub<SdkEventMap>()
  readonly memberId: string
  #address: PortalAddress
  #auth: FrameAuth
  readonly #askParent: () => Promise<FrameAuth>
  #renewal: Promise<void> | undefined

  /** `askParent` sends `refreshAuth` to the parent window and reads its answer (`BitrixFrame` wires it). */
  constructor(init: {
    domain: string
    scheme: 'http' | 'https'
    memberId: string
    auth: FrameAuth
    askParent: () => Promise<FrameAuth>
  }) {
    this.#address = parsePortalAddress(formatPortalAddress({ scheme: init.scheme, host: init.domain }))
    this.memberId = init.memberId
    this.#auth = init.auth
    this.#askParent = init.askParent
    this.#hold()
  }

  get domain(): string {
    return this.#address.host
  }

  restUrl(apiVersion: 2 | 3 = 2): string {
    return `${portalBaseUrl(this.#address)}/rest/${apiVersion === 3 ? 'api/' : ''}`
  }

  async authParams(): Promise<Record<string, string>> {
    if (Date.now() >= this.#auth.expiresAt - EXPIRY_MARGIN_MS) await this.refresh()
    return { auth: this.#auth.accessToken }
  }

  async renew(_context: unknown, used: Record<string, string>): Promise<boolean> {
    // Another call renewed the token while this one was in flight: just send again with the new one.
    if (used.auth !== undefined && used.auth !== this.#auth.accessToken) return true
    await this.refresh()
    return true
  }

  /** Asks the parent for a fresh token (BX24.refreshAuth); concurrent callers share one request. */
  refresh(): Promise<void> {
    this.#renewal ??= this.#askParent()
      .then(async (auth) => {
        this.#auth = auth
        this.#hold()
        const expires = Math.floor(auth.expiresAt / 1000)
        const event = new OAuthTokenRenewedEvent({ domain: this.domain, ...auth, expires })
        await this.events.emit('oauthTokenRenewed', event)
      })
      .finally(() => {
        this.#renewal = undefined
      })
    return this.#renewal
  }

  /** BX24.getAuth(): the current token, or `false` once it has expired. */
  getAuth(): FrameAuthInfo | false {
    const left = this.#auth.expiresAt - Date.now()
    if (left <= 0) return false
    return {
      access_token: this.#auth.accessToken,
      refresh_token: this.#auth.refreshToken,
      expires: Math.floor(this.#auth.expiresAt / 1000),
      expires_in: Math.floor(left / 1000),
      domain: this.domain,
      member_id: this.memberId,
    }
  }

  async moveTo(newHost: string, scheme: 'http' | 'https'): Promise<void> {
    const oldDomain = this.#address.host
    this.#address = parsePortalAddress(formatPortalAddress({ scheme, host: newHost }))
    await this.events.emit('portalDomainChanged', new PortalDomainChangedEvent(oldDomain, this.#address.host))
  }

  #hold(): void {
    secretRegistry.hold(this, 'accessToken', this.#auth.accessToken)
    secretRegistry.hold(this, 'refreshToken', this.#auth.refreshToken)
  }

  /** A secret-free description for logs and JSON. */
  toJSON(): Record<string, unknown> {
    return { type: 'BitrixFrameCredentials', domain: this.domain, memberId: this.memberId, accessToken: '***' }
  }

  /** What Node's `util.inspect` (and `console.log`) shows: no token. */
  [inspectSymbol](): string {
    return `BitrixFrameCredentials ${JSON.stringify(this.toJSON())}`
  }
}
