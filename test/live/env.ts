/** Reads the live-test settings from the environment, then `.env.local` or `.env` (the first that exists). */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'

export interface LiveSettings {
  source: string
  domain?: string
  webhook?: string
  clientId?: string
  clientSecret?: string
  accessToken?: string
  refreshToken?: string
}

function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line)
    if (match) out[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2')
  }
  return out
}

export function loadLiveSettings(root = process.cwd()): LiveSettings {
  let values: Record<string, string | undefined> = process.env
  let source = 'environment'
  if (!values.B24_DOMAIN) {
    for (const name of ['.env.local', '.env']) {
      const path = resolve(root, name)
      if (existsSync(path)) {
        values = { ...parseDotEnv(readFileSync(path, 'utf8')), ...process.env }
        source = name
        break
      }
    }
  }
  const value = (key: string) => (values[key] ? values[key] : undefined)
  return {
    source,
    domain: value('B24_DOMAIN')
      ?.replace(/^https?:\/\//, '')
      .replace(/\/+$/, ''),
    webhook: value('B24_WEBHOOK'),
    clientId: value('B24_CLIENT_ID'),
    clientSecret: value('B24_CLIENT_SECRET'),
    accessToken: value('B24_ACCESS_TOKEN'),
    refreshToken: value('B24_REFRESH_TOKEN'),
  }
}
