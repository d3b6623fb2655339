import { BitrixValidationError } from '../errors/index.js'
import { secretRegistry } from '../log/index.js'
import { allowPlainHttpFor, parsePortalAddress } from './address.js'

/** Where apps exchange codes and refresh tokens unless told otherwise. */
export const DEFAULT_OAUTH_SERVER = 'https://oauth.bitrix.info'

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/**
 * An application's OAuth identity. Subclass it to keep the fields in your own storage (a database row):
 * the SDK only reads them.
 */
export abstract class AbstractBitrixApp {
  /** The application code (`app.…` or `local.…`), called `client_id` by the OAuth server. */
  abstract readonly clientId: string
  /** The application key, called `client_secret` by the OAuth server; masked in logs, errors and printouts. */
  abstract readonly clientSecret: string
  /** OAuth server origin, `https://oauth.bitrix.info` by default (point it at the emulator in tests). */
  get oauthServer(): string {
    return DEFAULT_OAUTH_SERVER
  }

  /** A printable form for logs and `JSON.stringify`: class name, `clientId` and `oauthServer`; the secret is `***`. */
  toJSON(): Record<string, unknown> {
    return { type: this.constructor.name, clientId: this.clientId, clientSecret: '***', oauthServer: this.oauthServer }
  }

  /** What `console.log` and `util.inspect` show: the class name and `toJSON()`, so the secret is masked. */
  [inspectSymbol](): string {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`
  }
}

/** A local application: installed on exactly one portal, which it knows by domain. */
export abstract class AbstractBitrixAppLocal extends AbstractBitrixApp {
  /** The portal the application is installed on, `host[:port]`. */
  abstract readonly domain: string
}

/** What `new BitrixApp(…)` takes: the application's code and key from the developer's account. */
export interface BitrixAppInit {
  /** The application code (`client_id`), e.g. `app.5f0c3b1e2a.12345678`. */
  clientId: string
  /** The application key (`client_secret`). */
  clientSecret: string
  /** OAuth server origin; default `https://oauth.bitrix.info`. */
  oauthServer?: string
  /** Accept a plain `http://` `oauthServer` (a self-hosted portal is its own OAuth server); see `BitrixTokenInit`. */
  allowPlainHttp?: boolean
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

function checkOAuthServer(url: string | undefined, allowPlainHttp?: boolean): string {
  if (url === undefined) return DEFAULT_OAUTH_SERVER
  if (allowPlainHttp === true) allowPlainHttpFor(url.replace(/\/+$/, ''))
  const address = parsePortalAddress(url.replace(/\/+$/, ''), 'oauthServer')
  return `${address.scheme}://${address.host}`
}

/**
 * A marketplace or server application: client ID and secret from the developer's account. Throws
 * `BitrixValidationError` when `clientId` or `clientSecret` is empty or `oauthServer` is not a URL.
 * @example
 * const app = new BitrixApp({ clientId: 'app.5f0c3b1e2a.12345678', clientSecret: 'app_key' })
 */
export class BitrixApp extends AbstractBitrixApp {
  readonly clientId: string
  readonly #clientSecret: string
  readonly #oauthServer: string

  constructor(init: BitrixAppInit) {
    super()
    this.clientId = requireText(init?.clientId, 'clientId', 'the application code, e.g. app.5f0c3b1e2a.12345678')
    this.#clientSecret = requireText(init.clientSecret, 'clientSecret', 'the application key')
    this.#oauthServer = checkOAuthServer(init.oauthServer, init.allowPlainHttp)
    secretRegistry.hold(this, 'clientSecret', this.#clientSecret)
  }

  /** The application key as given; masked in logs, errors and printouts. */
  get clientSecret(): string {
    return this.#clientSecret
  }

  override get oauthServer(): string {
    return this.#oauthServer
  }
}

/** What `new BitrixAppLocal(…)` takes: the application's code and key and the one portal it belongs to. */
export interface BitrixAppLocalInit extends BitrixAppInit {
  /** The portal, `host[:port]` (e.g. `example.bitrix24.com`). */
  domain: string
}

/**
 * A local application of one portal. Throws `BitrixValidationError` when `domain` is not a portal host or
 * `clientId` / `clientSecret` is empty.
 * @example
 * const app = new BitrixAppLocal({ domain: 'example.bitrix24.com', clientId: 'local.5f0c….1', clientSecret: 'key' })
 */
export class BitrixAppLocal extends AbstractBitrixAppLocal {
  readonly clientId: string
  readonly domain: string
  readonly #clientSecret: string
  readonly #oauthServer: string

  constructor(init: BitrixAppLocalInit) {
    super()
    if (init?.allowPlainHttp === true) allowPlainHttpFor(init.domain)
    parsePortalAddress(init?.domain)
    this.domain = init.domain
    this.clientId = requireText(init.clientId, 'clientId', 'the local application code, e.g. local.5f0c3b1e2a.12345678')
    this.#clientSecret = requireText(init.clientSecret, 'clientSecret', 'the application key')
    this.#oauthServer = checkOAuthServer(init.oauthServer, init.allowPlainHttp)
    secretRegistry.hold(this, 'clientSecret', this.#clientSecret)
  }

  /** The application key as given; masked in logs, errors and printouts. */
  get clientSecret(): string {
    return this.#clientSecret
  }

  override get oauthServer(): string {
    return this.#oauthServer
  }
}
