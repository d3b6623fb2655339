import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixIncomingRejected, BitrixOAuthInvalidGrant, BitrixValidationError } from '../../src/errors/index.js'
import {
  authorizationUrl,
  BitrixApp,
  Client,
  createOAuthState,
  exchangeCode,
  parseAuthorizationRedirect,
  resolveOAuthServer,
  verifyOAuthState,
} from '../../src/index.js'

const SECRET = 'a-signing-secret-of-at-least-32-characters'
let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({ port: 0, plan: 'off', randomSeed: 3 })
})
afterAll(async () => {
  await emu.close()
})

/** The user follows the authorization URL; the portal answers 302 to the app's redirect_uri. */
async function authorize(url: string): Promise<string> {
  const response = await fetch(url, { redirect: 'manual' })
  expect(response.status).toBe(302)
  return response.headers.get('location') ?? ''
}

describe('install and OAuth flow against the emulator', () => {
  it('authorizationUrl → redirect with code and state → exchangeCode → a token that calls the portal', async () => {
    const credentials = emu.createApp({ redirectUri: 'https://app.example.com/oauth/callback' })
    const app = new BitrixApp({ ...credentials, oauthServer: emu.url })
    const state = await createOAuthState({ secret: SECRET, binding: 'session-1', data: '/after-install' })
    const url = authorizationUrl({ domain: emu.url, bitrixApp: app, state })
    expect(url.startsWith(`${emu.url}/oauth/authorize/?client_id=${credentials.clientId}&state=`)).toBe(true)

    const location = await authorize(url)
    expect(location.startsWith('https://app.example.com/oauth/callback?code=')).toBe(true)
    const redirect = parseAuthorizationRedirect(location)
    expect(redirect.state).toBe(state)
    expect(redirect.memberId).toBe(emu.memberId)
    const verified = await verifyOAuthState(redirect.state, { secret: SECRET, binding: 'session-1' })
    expect(verified.data).toBe('/after-install')

    const token = await exchangeCode(redirect.code, {
      bitrixApp: app,
      domain: redirect.domain,
      serverDomain: redirect.serverDomain,
    })
    expect(token.oauthServer).toBe(emu.url)
    const info = await new Client(token, { limiter: false }).call('app.info')
    expect((info.result as { CODE: string }).CODE).toBe(credentials.clientId)
    // A code is single-use: the second exchange is the OAuth server's typed refusal.
    await expect(exchangeCode(redirect.code, { bitrixApp: app, serverDomain: redirect.serverDomain })).rejects.toThrow(
      BitrixOAuthInvalidGrant,
    )
  })

  it('a token exchanged at an explicit OAuth server keeps refreshing there, not at the app default', async () => {
    const credentials = emu.createApp({ redirectUri: 'https://app.example.com/cb' })
    const app = new BitrixApp({ clientId: credentials.clientId, clientSecret: credentials.clientSecret })
    expect(app.oauthServer).toBe('https://oauth.bitrix.info')
    const redirect = parseAuthorizationRedirect(await authorize(authorizationUrl({ domain: emu.url, bitrixApp: app })))
    const token = await exchangeCode(redirect.code, { bitrixApp: app, oauthServer: emu.url })
    expect(token.oauthServer).toBe(emu.url)
    expect(JSON.stringify(token)).not.toContain(credentials.clientSecret)
    const before = emu.getStats().oauthRefreshes
    emu.expireTokens()
    const client = new Client(token, { limiter: false })
    await client.call('app.info')
    expect(emu.getStats().oauthRefreshes - before).toBe(1)
  })

  it('a redirect naming another portal than the OAuth server issued the token for is refused', async () => {
    const credentials = emu.createApp({ redirectUri: 'https://app.example.com/cb' })
    const app = new BitrixApp({ ...credentials, oauthServer: emu.url })
    const redirect = parseAuthorizationRedirect(await authorize(authorizationUrl({ domain: emu.url, bitrixApp: app })))
    await expect(
      exchangeCode(redirect.code, {
        bitrixApp: app,
        domain: 'victim.bitrix24.com',
        serverDomain: redirect.serverDomain,
      }),
    ).rejects.toThrow(/issued the token for/)
  })
})

describe('the OAuth server of a code', () => {
  const app = new BitrixApp({ clientId: 'app.1', clientSecret: 'secret-value-1' })

  it('follows the regions of Bitrix OAuth servers and an explicit one', () => {
    expect(resolveOAuthServer({ bitrixApp: app })).toBe('https://oauth.bitrix.info')
    expect(resolveOAuthServer({ bitrixApp: app, serverDomain: 'oauth.bitrix24.tech' })).toBe(
      'https://oauth.bitrix24.tech',
    )
    expect(resolveOAuthServer({ bitrixApp: app, serverDomain: 'https://oauth.bitrix.info/rest/' })).toBe(
      'https://oauth.bitrix.info',
    )
    expect(
      resolveOAuthServer({ bitrixApp: app, serverDomain: 'evil.example', oauthServer: 'https://sso.corp.example/' }),
    ).toBe('https://sso.corp.example')
    expect(
      resolveOAuthServer({
        bitrixApp: app,
        serverDomain: 'portal.corp.example',
        trustOAuthServer: (h) => h === 'portal.corp.example',
      }),
    ).toBe('https://portal.corp.example')
  })

  it('never sends the client secret where a forged redirect points', async () => {
    const forged = parseAuthorizationRedirect('?code=abc&domain=x.bitrix24.com&server_domain=evil.example')
    await expect(exchangeCode(forged.code, { bitrixApp: app, serverDomain: forged.serverDomain })).rejects.toThrow(
      BitrixValidationError,
    )
    await expect(
      exchangeCode('abc', { bitrixApp: app, serverDomain: 'oauth.bitrix.info@evil.example' }),
    ).rejects.toThrow(BitrixValidationError)
  })

  it('a redirect without code or domain is a typed rejection', () => {
    expect(() => parseAuthorizationRedirect('https://app.example.com/cb?state=x&domain=a.bitrix24.com')).toThrow(
      BitrixIncomingRejected,
    )
    expect(() => parseAuthorizationRedirect(new URLSearchParams({ code: 'c' }))).toThrow(/no "domain"/)
    expect(() => authorizationUrl({ domain: 'a.bitrix24.com' })).toThrow(BitrixValidationError)
    expect(() => authorizationUrl({ domain: 'http://evil.example', clientId: 'x' })).toThrow(BitrixValidationError)
  })
})

describe('OAuth state', () => {
  const rejection = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(BitrixIncomingRejected)
    return (error as BitrixIncomingRejected).reason
  }

  it('is accepted once signed by the secret for the same session, and refused otherwise', async () => {
    const now = 1_800_000_000_000
    const state = await createOAuthState({ secret: SECRET, binding: 'sid', ttlSeconds: 60, now })
    await expect(verifyOAuthState(state, { secret: SECRET, binding: 'sid', now: now + 59_000 })).resolves.toMatchObject(
      {
        expiresAt: now + 60_000,
      },
    )
    expect(await rejection(verifyOAuthState(state, { secret: SECRET, binding: 'sid', now: now + 60_000 }))).toBe(
      'state-expired',
    )
    expect(await rejection(verifyOAuthState(state, { secret: SECRET, binding: 'other', now }))).toBe('state-invalid')
    expect(await rejection(verifyOAuthState(state, { secret: `${SECRET}x`, binding: 'sid', now }))).toBe(
      'state-invalid',
    )
    // A payload with a later expiry and the old signature: refused.
    const [payload, signature] = state.split('.')
    const decoded = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>
    const extended = btoa(JSON.stringify({ ...decoded, e: now + 1e9 })).replace(/=+$/, '')
    expect(await rejection(verifyOAuthState(`${extended}.${signature}`, { secret: SECRET, binding: 'sid', now }))).toBe(
      'state-invalid',
    )
    for (const junk of [undefined, '', 'abc', '.', 'a.b', `${payload}.`, `${payload}.${'A'.repeat(43)}`]) {
      expect(await rejection(verifyOAuthState(junk, { secret: SECRET, binding: 'sid', now }))).toBe('state-invalid')
    }
  })

  it('every state is different and a short secret is refused', async () => {
    const states = await Promise.all(Array.from({ length: 20 }, () => createOAuthState({ secret: SECRET })))
    expect(new Set(states).size).toBe(20)
    await expect(createOAuthState({ secret: 'short' })).rejects.toThrow(BitrixValidationError)
  })
})
