import { BitrixValidationError } from '../errors/index.js'
import { EventHub, PortalDomainChangedEvent, type SdkEventMap } from '../events/index.js'
import { secretRegistry } from '../log/index.js'
import {
  allowPlainHttpFor,
  formatPortalAddress,
  type PortalAddress,
  parsePortalAddress,
  parseUrl,
  portalBaseUrl,
} from './address.js'
import type { AuthContext, Credentials } from './credentials.js'
import { warnIfWebhookInBrowser } from './webhook-exposure.js'

const AUTH_TOKEN_FORMAT = /^(\d+)\/([A-Za-z0-9_-]+)$/
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/** What `new BitrixWebhook(…)` takes: the portal and the `userId/key` of an incoming webhook. */
export interface BitrixWebhookInit {
  /** Portal host, e.g. `example.bitrix24.com` (`http://127.0.0.1:PORT` is accepted for a local emulator). */
  domain: string
  /** `userId/key`, the two last path segments of the webhook URL. */
  authToken: string
  /**
   * In a browser, a webhook warns once per page that its key is readable by anyone who opens the page; `true`
   * says you know (an intranet tool, a page only you open) and silences it. No effect outside a browser.
   */
  allowInBrowser?: boolean
  /**
   * Accept a plain `http://` address of a self-hosted portal (never needed for loopback). An explicit opt-in:
   * the key or tokens then cross the network unencrypted.
   */
  allowPlainHttp?: boolean
}

/** Options of `BitrixWebhook.fromUrl`. */
export interface BitrixWebhookUrlOptions {
  /** See `BitrixWebhookInit.allowInBrowser`. */
  allowInBrowser?: boolean
  /** See `BitrixWebhookInit.allowPlainHttp`. */
  allowPlainHttp?: boolean
}

/**
 * An incoming webhook: a user ID and a secret key that sign every call in the URL. Throws `BitrixValidationError`
 * when `domain` is not a portal host or `authToken` is not `userId/key`.
 * @example
 * const webhook = new BitrixWebhook({ domain: 'example.bitrix24.com', authToken: '1/webhook_key' })
 * // or: BitrixWebhook.fromUrl('https://example.bitrix24.com/rest/1/webhook_key/')
 */
export class BitrixWebhook implements Credentials {
  /** Always `'webhook'`: the key is part of the URL, calls carry no `auth` parameter. */
  readonly authType = 'webhook' as const
  /** This webhook's events (`portalDomainChanged`); `new Client(webhook).on(…)` subscribes here. */
  readonly events = new EventHub<SdkEventMap>()
  /** The ID of the user the webhook acts as (the first path segment after `/rest/`). */
  readonly userId: number
  #address: PortalAddress
  readonly #key: string
  #restUrl: string

  constructor(init: BitrixWebhookInit) {
    if (init?.allowPlainHttp === true) allowPlainHttpFor(init.domain)
    this.#address = parsePortalAddress(init?.domain)
    const match = typeof init.authToken === 'string' ? AUTH_TOKEN_FORMAT.exec(init.authToken.trim()) : null
    if (!match) {
      throw new BitrixValidationError({
        message:
          'authToken must be "userId/key" as in the webhook URL .../rest/1/abc123xyz/ (digits, a slash, then the key)',
        parameter: 'authToken',
        expected: 'userId/key',
        received: typeof init.authToken,
      })
    }
    this.userId = Number(match[1])
    this.#key = match[2]
    secretRegistry.hold(this, 'key', this.#key)
    this.#restUrl = this.#buildRestUrl()
    warnIfWebhookInBrowser(init.allowInBrowser)
  }

  /**
   * Reads `https://example.bitrix24.com/rest/1/key/` (a method name at the end is ignored). The portal is the
   * host the WHATWG URL parser finds in it, so `http://evil.example\\.localhost/rest/1/key/` is refused.
   */
  static fromUrl(url: string, options: BitrixWebhookUrlOptions = {}): BitrixWebhook {
    const parsed = typeof url === 'string' ? parseUrl(url.trim()) : null
    const match = parsed && /^\/rest\/(\d+)\/([^/]+)/.exec(parsed.pathname)
    if (!parsed || !match || !/^https?:$/.test(parsed.protocol) || parsed.username !== '' || parsed.password !== '') {
      throw new BitrixValidationError({
        message: 'webhook URL must look like https://example.bitrix24.com/rest/1/key/',
        parameter: 'url',
        expected: 'https://<portal>/rest/<userId>/<key>/',
      })
    }
    return new BitrixWebhook({
      domain: `${parsed.protocol}//${parsed.host}`,
      authToken: `${match[1]}/${match[2]}`,
      allowInBrowser: options.allowInBrowser,
      allowPlainHttp: options.allowPlainHttp,
    })
  }

  get domain(): string {
    return this.#address.host
  }

  restUrl(apiVersion: 2 | 3 = 2): string {
    return apiVersion === 3 ? this.#restUrl.replace('/rest/', '/rest/api/') : this.#restUrl
  }

  async authParams(): Promise<Record<string, string>> {
    return {}
  }

  async renew(_context: AuthContext, _used: Record<string, string>): Promise<boolean> {
    return false
  }

  async moveTo(newHost: string, scheme: 'http' | 'https'): Promise<void> {
    const oldDomain = this.#address.host
    this.#address = parsePortalAddress(formatPortalAddress({ scheme, host: newHost }))
    this.#restUrl = this.#buildRestUrl()
    await this.events.emit('portalDomainChanged', new PortalDomainChangedEvent(oldDomain, this.#address.host))
  }

  #buildRestUrl(): string {
    return `${portalBaseUrl(this.#address)}/rest/${this.userId}/${this.#key}/`
  }

  /** A printable form for logs and `JSON.stringify`: `domain` and `userId`, the key as `***`. */
  toJSON(): Record<string, unknown> {
    return { type: 'BitrixWebhook', domain: this.domain, userId: this.userId, key: '***' }
  }

  /** What `console.log` and `util.inspect` show: `BitrixWebhook` and `toJSON()`, so the key is masked. */
  [inspectSymbol](): string {
    return `BitrixWebhook ${JSON.stringify(this.toJSON())}`
  }
}
