/**
 * Where the command finds its portal: the package's shared reader of the `B24_*` variables (src/portal-env.ts), the
 * same one the demo and the live tests use. `B24_WEBHOOK_URL` (a full webhook URL) wins; else `B24_DOMAIN` with
 * `B24_WEBHOOK` (`1/key`, the reference SDK's names) or with the OAuth set.
 */
import { BitrixValidationError } from '../errors/index.js'
import { type Credentials, credentialsFromEnv } from '../index.js'
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

/** The credentials the environment describes (the package's one reader); a usage error naming the variables. */
export function portalFromEnvironment(env: Environment): PortalAccess {
  const secrets = environmentSecrets(env)
  try {
    return { credentials: credentialsFromEnv(env), secrets }
  } catch (error) {
    if (error instanceof BitrixValidationError) throw new CliUsageError(error.message)
    throw error
  }
}
