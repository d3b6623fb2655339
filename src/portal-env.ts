/**
 * The portal a script talks to, from environment variables: the one set of names shared by the demo, the live
 * tests and the `b24tssdk` command, and available to apps. The reference Python SDK's `B24_*` names, plus
 * `B24_WEBHOOK_URL` as a shorthand for a whole webhook URL:
 *
 * | variable            | meaning                                                                  |
 * | ------------------- | ------------------------------------------------------------------------ |
 * | `B24_WEBHOOK_URL`   | `https://<portal>/rest/<userId>/<key>/`; wins over the others             |
 * | `B24_DOMAIN`        | portal host, `example.bitrix24.com` (a scheme and trailing slashes are dropped) |
 * | `B24_WEBHOOK`       | with `B24_DOMAIN`: the webhook as `<userId>/<key>`                        |
 * | `B24_CLIENT_ID`, `B24_CLIENT_SECRET`, `B24_ACCESS_TOKEN`, `B24_REFRESH_TOKEN` | with `B24_DOMAIN`: an OAuth app and a token issued to it |
 * | `B24_OAUTH_SERVER`  | optional, with the OAuth set: where tokens are refreshed (default `https://oauth.bitrix.info`; a self-hosted portal's or the emulator's own address) |
 *
 * Nothing here imports a Node module; the environment defaults to `process.env` where it exists.
 */
import { BitrixApp } from './auth/app.js'
import { BitrixToken } from './auth/token.js'
import { BitrixWebhook } from './auth/webhook.js'
import { BitrixValidationError } from './errors/index.js'

/** Variables as `process.env` holds them. */
export type PortalEnvironment = Readonly<Record<string, string | undefined>>

/** A webhook portal as `readPortalSettings` read it (`B24_WEBHOOK_URL`, or `B24_DOMAIN` with `B24_WEBHOOK`). */
export interface WebhookPortalSettings {
  /** Tells the two kinds of settings apart. */
  kind: 'webhook'
  /** `example.bitrix24.com`, or `http://127.0.0.1:PORT` for a local portal. */
  domain: string
  /** `<userId>/<key>`. */
  webhook: string
}

/** An OAuth app and token as `readPortalSettings` read them (`B24_DOMAIN`, `B24_CLIENT_ID`, … `B24_REFRESH_TOKEN`). */
export interface OAuthPortalSettings {
  /** Tells the two kinds of settings apart. */
  kind: 'oauth'
  /** Portal host (`B24_DOMAIN`, scheme and trailing slashes dropped). */
  domain: string
  /** `B24_CLIENT_ID`. */
  clientId: string
  /** `B24_CLIENT_SECRET`. */
  clientSecret: string
  /** `B24_ACCESS_TOKEN`. */
  accessToken: string
  /** `B24_REFRESH_TOKEN`, if set. */
  refreshToken: string | undefined
  /** Where tokens are refreshed, when not the cloud's OAuth server. */
  oauthServer: string | undefined
}

/** The portal settings read from the environment: a webhook or an OAuth token; `kind` says which. */
export type PortalSettings = WebhookPortalSettings | OAuthPortalSettings

/** Every variable `readPortalSettings` looks at, in the order it looks. */
export const PORTAL_ENV_VARIABLES = [
  'B24_WEBHOOK_URL',
  'B24_DOMAIN',
  'B24_WEBHOOK',
  'B24_CLIENT_ID',
  'B24_CLIENT_SECRET',
  'B24_ACCESS_TOKEN',
  'B24_REFRESH_TOKEN',
  'B24_OAUTH_SERVER',
] as const

const WHAT_TO_SET =
  'set B24_WEBHOOK_URL (https://<portal>/rest/<userId>/<key>/), or B24_DOMAIN with B24_WEBHOOK (<userId>/<key>), ' +
  'or B24_DOMAIN with B24_CLIENT_ID, B24_CLIENT_SECRET, B24_ACCESS_TOKEN and B24_REFRESH_TOKEN'

const WEBHOOK_URL = /^(https?:\/\/[^/?#]+)\/rest\/(\d+)\/([^/?#]+)\/?$/i

function processEnvironment(): PortalEnvironment {
  const runtime = globalThis as { process?: { env?: PortalEnvironment } }
  return runtime.process?.env ?? {}
}

/**
 * The portal the variables describe; `undefined` when none of them is set. A set but incomplete or malformed
 * combination is a `BitrixValidationError` naming the variables to fix (never their values).
 */
export function readPortalSettings(env: PortalEnvironment = processEnvironment()): PortalSettings | undefined {
  const value = (name: (typeof PORTAL_ENV_VARIABLES)[number]) => env[name]?.trim() || undefined
  const webhookUrl = value('B24_WEBHOOK_URL')
  if (webhookUrl) {
    const match = WEBHOOK_URL.exec(webhookUrl)
    if (!match) {
      throw new BitrixValidationError({
        parameter: 'B24_WEBHOOK_URL',
        message: 'B24_WEBHOOK_URL must look like https://<portal>/rest/<userId>/<key>/',
      })
    }
    return { kind: 'webhook', domain: match[1], webhook: `${match[2]}/${match[3]}` }
  }
  if (!PORTAL_ENV_VARIABLES.some((name) => value(name))) return undefined
  const domain = value('B24_DOMAIN')
    ?.replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '')
  if (!domain)
    throw new BitrixValidationError({ parameter: 'B24_DOMAIN', message: `B24_DOMAIN is not set: ${WHAT_TO_SET}` })
  const webhook = value('B24_WEBHOOK')
  if (webhook) return { kind: 'webhook', domain, webhook: webhook.replace(/^\/+|\/+$/g, '') }
  const clientId = value('B24_CLIENT_ID')
  const clientSecret = value('B24_CLIENT_SECRET')
  const accessToken = value('B24_ACCESS_TOKEN')
  if (clientId && clientSecret && accessToken) {
    const refreshToken = value('B24_REFRESH_TOKEN')
    return {
      kind: 'oauth',
      domain,
      clientId,
      clientSecret,
      accessToken,
      refreshToken,
      oauthServer: value('B24_OAUTH_SERVER'),
    }
  }
  const missing = (['B24_CLIENT_ID', 'B24_CLIENT_SECRET', 'B24_ACCESS_TOKEN'] as const).filter((name) => !value(name))
  throw new BitrixValidationError({
    parameter: missing[0],
    message: `B24_DOMAIN is set without B24_WEBHOOK, and ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set: ${WHAT_TO_SET}`,
  })
}

/** Credentials for the settings: a `BitrixWebhook`, or a `BitrixToken` of a `BitrixApp`. */
export function credentialsFromSettings(settings: PortalSettings): BitrixWebhook | BitrixToken {
  if (settings.kind === 'webhook') return new BitrixWebhook({ domain: settings.domain, authToken: settings.webhook })
  return new BitrixToken({
    domain: settings.domain,
    authToken: settings.accessToken,
    refreshToken: settings.refreshToken,
    bitrixApp: new BitrixApp({
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      ...(settings.oauthServer === undefined ? {} : { oauthServer: settings.oauthServer }),
    }),
  })
}

/**
 * Credentials from the environment, or a `BitrixValidationError` saying which variables to set.
 *
 * @example
 * const client = new Client(credentialsFromEnv()) // B24_WEBHOOK_URL=https://example.bitrix24.com/rest/1/key/
 */
export function credentialsFromEnv(env: PortalEnvironment = processEnvironment()): BitrixWebhook | BitrixToken {
  const settings = readPortalSettings(env)
  if (!settings)
    throw new BitrixValidationError({ parameter: 'B24_WEBHOOK_URL', message: `no portal configured: ${WHAT_TO_SET}` })
  return credentialsFromSettings(settings)
}
