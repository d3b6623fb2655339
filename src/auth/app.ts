import { BitrixValidationError } from '../errors/index.js'
import { secretRegistry } from '../log/index.js'
import { parsePortalAddress } from './address.js'

/** Where apps exchange codes and refresh tokens unless told otherwise. */
export const DEFAULT_OAUTH_SERVER = 'https://oauth.bitrix.info'

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/**
 * An application's OAuth identity. Subclass it to keep the fields in your own storage (a database row):
 * the SDK only reads them.
 */
export abstract class AbstractBitrixApp {
  abstract readonly clientId: string
  abstract readonly clientSecret: string
  /** OAuth server origin, `https://oauth.bitrix.info` by default (point it at the emulator in tests). */
  get oauthServer(): string {
    return DEFAULT_OAUTH_SERVER
  }

  toJSON(): Record<string, unknown> {
    return { type: this.constructor.name, clientId: this.clientId, clientSecret: '***', oauthServer: this.oauthServer }
  }

  [inspectSymbol](): string {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`
  }
}

/** A local application: installed on exactly one portal, which it knows by domain. */
export abstract class AbstractBitrixAppLocal extends AbstractBitrixApp {
  abstract readonly domain: string
}

export interface BitrixAppInit {
  clientId: string
  clientSecret: string
  oauthServer?: string
}

function requireText(value: unknown, name: string, hint: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BitrixValidationError({
      message: `${name} must be a non-empty string (${hint})`,
      parameter: name,
      expected: 'string',
      received: value === '' ? 'empty string' : typeof value,
    })
  }
  return value
}

function checkOAuthServer(url: string | undefined): string {
  if (url === undefined) return DEFAULT_OAUTH_SERVER
  const address = parsePortalAddress(url.replace(/\/+$/, ''), 'oauthServer')
  return `${address.scheme}://${address.host}`
}

/** A marketplace or server application: client ID and secret from the developer's account. */
export class BitrixApp extends AbstractBitrixApp {
  readonly clientId: string
  readonly #clientSecret: string
  readonly #oauthServer: string

  constructor(init: BitrixAppInit) {
    super()
    this.clientId = requireText(init?.clientId, 'clientId', 'the application code, e.g. app.5f0c3b1e2a.12345678')
    this.#clientSecret = requireText(init.clientSecret, 'clientSecret', 'the application key')
    this.#oauthServer = checkOAuthServer(init.oauthServer)
    secretRegistry.hold(this, 'clientSecret', this.#clientSecret)
  }

  get clientSecret(): string {
    return this.#clientSecret
  }

  override get oauthServer(): string {
    return this.#oauthServer
  }
}

export interface BitrixAppLocalInit extends BitrixAppInit {
  domain: string
}

/** A local application of one portal. */
export class BitrixAppLocal extends AbstractBitrixAppLocal {
  readonly clientId: string
  readonly domain: string
  readonly #clientSecret: string
  readonly #oauthServer: string

  constructor(init: BitrixAppLocalInit) {
    super()
    parsePortalAddress(init?.domain)
    this.domain = init.domain
    this.clientId = requireText(init.clientId, 'clientId', 'the local application code, e.g. local.5f0c3b1e2a.12345678')
    this.#clientSecret = requireText(init.clientSecret, 'clientSecret', 'the application key')
    this.#oauthServer = checkOAuthServer(init.oauthServer)
    secretRegistry.hold(this, 'clientSecret', this.#clientSecret)
  }

  get clientSecret(): string {
    return this.#clientSecret
  }

  override get oauthServer(): string {
    return this.#oauthServer
  }
}
