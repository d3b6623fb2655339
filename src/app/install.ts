/**
 * The install handshake. A portal installing the app sends `ONAPPINSTALL` (with tokens and the
 * `application_token` every later call is checked against); an app with UI also gets its install page, which must
 * call `BX24.installFinish()` in the frame before the portal sends it any event. `ONAPPUNINSTALL` carries no tokens:
 * its `application_token` is the only proof, so it is checked like every other event.
 */

import { parsePortalAddress } from '../auth/address.js'
import type { AbstractBitrixApp } from '../auth/app.js'
import { BitrixToken } from '../auth/token.js'
import { Client } from '../client/client.js'
import { BitrixIncomingRejected } from '../errors/index.js'
import type { FetchFunction } from '../http/transport.js'
import type { IncomingEvent, PlacementRequest } from './incoming.js'
import { AppAtOAuthServer, resolveOAuthServer } from './oauth.js'

/** What an app keeps per portal (keyed by `memberId`), from the install event or the install page. */
export interface AppInstallation {
  /** The portal's stable ID: the key to store the installation under. */
  memberId: string
  /** Portal host, e.g. `example.bitrix24.com`. */
  domain: string
  /** What every later event, robot call and page of this portal must carry (`verifyApplicationToken`). */
  applicationToken: string
  accessToken: string
  refreshToken: string
  /** Unix seconds when `accessToken` expires. */
  expires: number
  scope: string[]
  /** The OAuth server that refreshes these tokens, e.g. `https://oauth.bitrix.info/rest/`. */
  serverEndpoint: string | undefined
  clientEndpoint: string | undefined
  /** `L` local, `F` free, `D` demo, `T` trial, `P` paid. */
  status: string | undefined
  /** The installing user, when the portal says. */
  userId: number | undefined
  /** `data[LANGUAGE_ID]` of `ONAPPINSTALL`. */
  languageId: string | undefined
  /** `data[VERSION]` of `ONAPPINSTALL`. */
  version: string | undefined
}

function need<T>(value: T | undefined, field: string, event?: string): T {
  if (value === undefined || value === '') {
    throw new BitrixIncomingRejected({
      reason: 'missing-field',
      field,
      event,
      detail: `an installation needs "${field}", and this call has none`,
    })
  }
  return value
}

const nowSeconds = () => Math.floor(Date.now() / 1000)

/** The installation an `ONAPPINSTALL` event describes (tokens, application token, portal). */
export function installationFromEvent(event: IncomingEvent<unknown>): AppInstallation {
  if (event.event !== 'ONAPPINSTALL') {
    throw new BitrixIncomingRejected({
      reason: 'malformed',
      event: event.event,
      detail: 'only ONAPPINSTALL describes an installation',
    })
  }
  const auth = event.auth
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<string, unknown>
  const expiresIn = auth.expiresIn ?? 3600
  return {
    memberId: auth.memberId,
    domain: auth.domain,
    applicationToken: need(auth.applicationToken, 'auth[application_token]', event.event),
    accessToken: need(auth.accessToken, 'auth[access_token]', event.event),
    refreshToken: need(auth.refreshToken, 'auth[refresh_token]', event.event),
    expires: auth.expires ?? nowSeconds() + expiresIn,
    scope: auth.scope,
    serverEndpoint: auth.serverEndpoint,
    clientEndpoint: auth.clientEndpoint,
    status: auth.status,
    userId: auth.userId,
    languageId: typeof data.LANGUAGE_ID === 'string' ? data.LANGUAGE_ID : undefined,
    version: typeof data.VERSION === 'string' ? data.VERSION : undefined,
  }
}

/** The installation an app's install page describes (an app with UI; the page must then call `installFinish`). */
export function installationFromPlacement(page: PlacementRequest): AppInstallation {
  return {
    memberId: page.memberId,
    domain: page.domain,
    applicationToken: need(page.applicationToken, 'APPLICATION_TOKEN'),
    accessToken: page.accessToken,
    refreshToken: need(page.refreshToken, 'REFRESH_ID'),
    expires: nowSeconds() + (page.expiresIn ?? 3600),
    scope: page.scope,
    serverEndpoint: page.serverEndpoint,
    clientEndpoint: undefined,
    status: page.status,
    userId: undefined,
    languageId: page.lang,
    version: undefined,
  }
}

/** The app a stored installation's token belongs to. */
export interface InstallationTokenOptions {
  bitrixApp: AbstractBitrixApp
  /** See `ExchangeCodeOptions.trustOAuthServer`. */
  trustOAuthServer?: (host: string) => boolean
}

/**
 * A `BitrixToken` for an installation, refreshing at the OAuth server the portal named (`server_endpoint`) when
 * it is a trusted one (Bitrix's own, or the app's `oauthServer`), else a `BitrixValidationError`.
 */
export function tokenFromInstallation(installation: AppInstallation, options: InstallationTokenOptions): BitrixToken {
  const server = resolveOAuthServer({
    bitrixApp: options.bitrixApp,
    serverDomain: installation.serverEndpoint,
    trustOAuthServer: options.trustOAuthServer,
  })
  return new BitrixToken({
    domain: installation.domain,
    authToken: installation.accessToken,
    refreshToken: installation.refreshToken,
    expires: installation.expires,
    bitrixApp:
      server === options.bitrixApp.oauthServer ? options.bitrixApp : new AppAtOAuthServer(options.bitrixApp, server),
  })
}

/** The app to confirm an installation for, and where to ask. */
export interface ConfirmInstallationOptions {
  bitrixApp: AbstractBitrixApp
  /** The portal to ask; default the installation's own domain. Pass the stored domain on a re-install. */
  domain?: string
  fetch?: FetchFunction
}

/**
 * Asks the portal whether the installation's access token is genuine: `app.info` with it must answer for this
 * app (`CODE` = the app's client ID). False on any refusal (a forged token, another app's token, no such portal).
 */
export async function confirmInstallation(
  installation: AppInstallation,
  options: ConfirmInstallationOptions,
): Promise<boolean> {
  const domain = options.domain ?? installation.domain
  try {
    parsePortalAddress(domain)
    const token = new BitrixToken({ domain, authToken: installation.accessToken, bitrixApp: options.bitrixApp })
    const client = new Client(token, { limiter: false, defaultMaxRetries: 0, fetch: options.fetch })
    const info = await client.call('app.info')
    const result = info.result as { CODE?: unknown } | undefined
    return typeof result?.CODE === 'string' && result.CODE === options.bitrixApp.clientId
  } catch {
    return false
  }
}
