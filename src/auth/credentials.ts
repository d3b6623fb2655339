import type { EventHub, SdkEventMap } from '../events/index.js'
import type { Transport } from '../http/transport.js'
import type { Logger } from '../log/index.js'

/** What the client needs from credentials to sign a call; implemented by webhooks and OAuth tokens. */
export interface Credentials {
  readonly authType: 'webhook' | 'oauth'
  /** `host[:port]` of the portal. */
  readonly domain: string
  readonly events: EventHub<SdkEventMap>
  /** URL prefix a method name is appended to, ending in `/`; REST 3.0 methods live under `/rest/api/`. */
  restUrl(apiVersion?: 2 | 3): string
  /**
   * Parameters that authenticate a call (OAuth: `{ auth }`; webhooks: none, the key is in the URL).
   * Refreshes an OAuth token first when its `expires` has passed.
   */
  authParams(context: AuthContext): Promise<Record<string, string>>
  /**
   * Called when the portal rejected `usedParams` as expired or invalid. Returns true when new credentials
   * are ready and the call should be sent again.
   */
  renew(context: AuthContext, usedParams: Record<string, string>): Promise<boolean>
  /** The portal moved (302): point at the new host from now on. */
  moveTo(newHost: string, scheme: 'http' | 'https'): Promise<void>
}

/**
 * What credentials get from the client when they sign a call or renew themselves: the client's transport, timeouts
 * and logger, so that OAuth refreshes go out the same way as the calls. `BitrixToken.refresh()` and
 * `BitrixToken.fromAuthorizationCode()` take it partially (defaults for the rest).
 */
export interface AuthContext {
  /** Sends the OAuth server requests. */
  transport: Transport
  /** Connect and read timeouts, ms. */
  timeoutMs: { connectMs: number; readMs: number }
  /** Where refreshes are logged. */
  logger: Logger
}
