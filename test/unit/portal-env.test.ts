/** The one set of portal variables (src/portal-env.ts): each form reaches the emulator; bad sets name what to fix. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixValidationError } from '../../src/errors/index.js'
import { Client, credentialsFromEnv, readPortalSettings } from '../../src/index.js'

let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({ seed: { deals: 3 }, randomSeed: 3 })
})

afterAll(async () => {
  await emu.close()
})

async function titleOfDealOne(env: Record<string, string>): Promise<string | null | undefined> {
  const deal = await new Client(credentialsFromEnv(env)).crm.deal.get({ id: 1 })
  return deal.result.TITLE
}

describe('portal from the environment', () => {
  it('B24_WEBHOOK_URL, and B24_DOMAIN + B24_WEBHOOK, reach the same portal', async () => {
    const [, origin, userId, key] = /^(.*)\/rest\/(\d+)\/([^/]+)\/$/.exec(emu.webhookUrl) ?? []
    const expected = await titleOfDealOne({ B24_WEBHOOK_URL: emu.webhookUrl })
    expect(expected).toBeTruthy()
    expect(await titleOfDealOne({ B24_DOMAIN: `${origin}/`, B24_WEBHOOK: `${userId}/${key}` })).toBe(expected)
    // The URL wins over the pair.
    expect(
      readPortalSettings({ B24_WEBHOOK_URL: emu.webhookUrl, B24_DOMAIN: 'other.bitrix24.com', B24_WEBHOOK: '2/x' }),
    ).toEqual({ kind: 'webhook', domain: origin, webhook: `${userId}/${key}` })
  })

  it('B24_DOMAIN with the OAuth four makes a BitrixToken of a BitrixApp', async () => {
    const app = emu.createApp({ scopes: 'all' })
    const token = emu.issueToken({ clientId: app.clientId })
    const env = {
      B24_DOMAIN: emu.url,
      B24_CLIENT_ID: app.clientId,
      B24_CLIENT_SECRET: app.clientSecret,
      B24_ACCESS_TOKEN: token.accessToken,
      B24_REFRESH_TOKEN: token.refreshToken,
    }
    expect(readPortalSettings(env)?.kind).toBe('oauth')
    const credentials = credentialsFromEnv(env)
    expect(credentials.constructor.name).toBe('BitrixToken')
    expect((await new Client(credentials).profile()).result.ID).toBeTruthy()
  })

  it('nothing set: no settings, and credentialsFromEnv names the variables', () => {
    expect(readPortalSettings({ PATH: '/bin', B24_WEBHOOK_URL: '  ' })).toBeUndefined()
    expect(() => credentialsFromEnv({})).toThrow(BitrixValidationError)
    expect(() => credentialsFromEnv({})).toThrow(/B24_WEBHOOK_URL.*B24_DOMAIN.*B24_WEBHOOK/)
  })

  it('incomplete or malformed sets name the variable to fix, never a value', () => {
    const secret = 'sEcReT-VaLuE-123'
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ B24_WEBHOOK_URL: `https://example.bitrix24.com/${secret}` }, /B24_WEBHOOK_URL must look like/],
      [{ B24_WEBHOOK: `1/${secret}` }, /B24_DOMAIN is not set/],
      [
        { B24_DOMAIN: 'example.bitrix24.com', B24_CLIENT_SECRET: secret },
        /B24_CLIENT_ID, B24_ACCESS_TOKEN are not set/,
      ],
    ]
    for (const [env, message] of cases) {
      let caught: unknown
      try {
        readPortalSettings(env)
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(BitrixValidationError)
      expect((caught as Error).message).toMatch(message)
      expect(JSON.stringify(caught) + String(caught)).not.toContain(secret)
    }
  })
})
