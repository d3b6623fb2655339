/**
 * The live tests' portal: the shared `B24_*` variables (src/portal-env.ts, the README's table) read from the
 * environment, then from `.env.local` or `.env` (the first that exists) for what the environment does not set.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  type Credentials,
  credentialsFromSettings,
  type PortalEnvironment,
  type PortalSettings,
  readPortalSettings,
} from '../../src/index.js'

export interface LivePortal {
  /** Where the variables came from: `environment`, `.env.local` or `.env`. */
  source: string
  settings: PortalSettings | undefined
  credentials: Credentials | undefined
  /** Why the live tests skip: no portal configured, or the variables are incomplete (named, never their values). */
  skipReason: string | undefined
}

export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line)
    if (match) out[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2')
  }
  return out
}

/** The environment, with `.env.local` or `.env` under it (the environment wins). */
export function liveEnvironment(root = process.cwd()): { env: PortalEnvironment; source: string } {
  for (const name of ['.env.local', '.env']) {
    const path = resolve(root, name)
    if (existsSync(path)) return { env: { ...parseDotEnv(readFileSync(path, 'utf8')), ...process.env }, source: name }
  }
  return { env: process.env, source: 'environment' }
}

export function loadLivePortal(root = process.cwd()): LivePortal {
  const { env, source } = liveEnvironment(root)
  try {
    const settings = readPortalSettings(env)
    if (!settings) {
      return { source, settings, credentials: undefined, skipReason: 'no portal configured (B24_WEBHOOK_URL, …)' }
    }
    return { source, settings, credentials: credentialsFromSettings(settings), skipReason: undefined }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return { source, settings: undefined, credentials: undefined, skipReason: reason }
  }
}
