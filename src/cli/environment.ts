/**
 * Where the command finds its portal: the environment variables, read in one place so they can later come from a
 * shared reader. `B24_WEBHOOK_URL` (a full webhook URL) wins; else `B24_DOMAIN` with `B24_WEBHOOK` (`1/key`, the
 * reference SDK's names) or with the OAuth four `B24_CLIENT_ID`, `B24_CLIENT_SECRET`, `B24_ACCESS_TOKEN`,
 * `B24_REFRESH_TOKEN`.
 */
import { BitrixApp, BitrixToken, BitrixWebhook, type Credentials } from '../index.js'
import { CliUsageError } from './errors.js'

export type Environment = Readonly<Record<string, string | undefined>>

export interface PortalAccess {
  credentials: Credentials
  /** The secret values in play, masked in anything the command prints. */
  secrets: string[]
}

/** Secret values found in the environment, whether or not they end up used: masked in every error line. */
export function environmentSecrets(env: Environment): string[] {
  const secrets: string[] = []
  const url = env.B24_WEBHOOK_URL
  if (url) {
    const match = /\/rest\/(\d+)\/([^/?#]+)/.exec(url)
    if (match) secrets.push(match[2])
  }
  for (const name of ['B24_WEBHOOK', 'B24_CLIENT_SECRET', 'B24_ACCESS_TOKEN', 'B24_REFRESH_TOKEN']) {
    const value = env[name]
    if (value) secrets.push(value, ...value.split('/').filter((part) => part.length >= 6))
  }
  return secrets
}

/** The credentials the environment describes; a usage error naming the variables when it describes none. */
export function portalFromEnvironment(env: Environment): PortalAccess {
  const secrets = environmentSecrets(env)
  const value = (name: string) => (env[name]?.trim() ? env[name]?.trim() : undefined)
  const webhookUrl = value('B24_WEBHOOK_URL')
  if (webhookUrl) return { credentials: BitrixWebhook.fromUrl(webhookUrl), secrets }
  const domain = value('B24_DOMAIN')
    ?.replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
  const webhook = value('B24_WEBHOOK')
  if (domain && webhook) return { credentials: new BitrixWebhook({ domain, authToken: webhook }), secrets }
  const clientId = value('B24_CLIENT_ID')
  const clientSecret = value('B24_CLIENT_SECRET')
  const accessToken = value('B24_ACCESS_TOKEN')
  if (domain && clientId && clientSecret && accessToken) {
    const bitrixApp = new BitrixApp({ clientId, clientSecret })
    const credentials = new BitrixToken({
      domain,
      authToken: accessToken,
      refreshToken: value('B24_REFRESH_TOKEN'),
      bitrixApp,
    })
    return { credentials, secrets }
  }
  throw new CliUsageError(
    'no portal configured: set B24_WEBHOOK_URL (https://PORTAL/rest/USER_ID/KEY/), or B24_DOMAIN with B24_WEBHOOK ' +
      '(USER_ID/KEY), or B24_DOMAIN with B24_CLIENT_ID, B24_CLIENT_SECRET, B24_ACCESS_TOKEN and B24_REFRESH_TOKEN',
  )
}
