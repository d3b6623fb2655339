/**
 * Token refresh under load: 200 concurrent calls on an expired token, with the refresh succeeding, refused,
 * failing once in transit, or rotated with its answer lost. Refresh requests are counted on the OAuth server
 * side (the emulator's `oauthRefreshes` and its fault hit counters).
 */
import { describe, expect, it } from 'vitest'
import type { Emulator } from '../../src/emulator/index.js'
import {
  BitrixOAuthInvalidClient,
  BitrixOAuthInvalidGrant,
  BitrixOAuthReauthorizationRequired,
} from '../../src/errors/index.js'
import {
  BitrixApp,
  BitrixToken,
  Client,
  type OAuthTokenRenewedEvent,
  type ReauthorizationRequiredEvent,
} from '../../src/index.js'
import { usePortal } from '../e2e/sdk-fixtures.js'

const portal = usePortal({ seed: { deals: 60 }, plan: 'off' })
const CALLS = 200

interface Setup {
  token: BitrixToken
  client: Client
  renewed: OAuthTokenRenewedEvent[]
  reauthorizations: ReauthorizationRequiredEvent[]
}

function setup(emu: Emulator, secret?: string): Setup {
  const credentials = emu.createApp({ scopes: 'all' })
  const issued = emu.issueToken({ clientId: credentials.clientId })
  const app = new BitrixApp({
    clientId: credentials.clientId,
    clientSecret: secret ?? credentials.clientSecret,
    oauthServer: emu.url,
  })
  const token = new BitrixToken({
    domain: emu.url,
    authToken: issued.accessToken,
    refreshToken: issued.refreshToken,
    bitrixApp: app,
  })
  const client = new Client(token, {
    limiter: false,
    defaultInitialRetryDelay: 0.05,
    defaultRetryDelayIncrement: 0.05,
  })
  const renewed: OAuthTokenRenewedEvent[] = []
  const reauthorizations: ReauthorizationRequiredEvent[] = []
  token.on('oauthTokenRenewed', (event) => {
    renewed.push(event)
  })
  token.on('reauthorizationRequired', (event) => {
    reauthorizations.push(event)
  })
  return { token, client, renewed, reauthorizations }
}

/** 200 reads at once; each settles to its result's ID or its error. */
function concurrentReads(client: Client): Promise<unknown[]> {
  return Promise.all(
    Array.from({ length: CALLS }, (_, index) =>
      client.crm.deal.get({ id: (index % 50) + 1 }).then(
        (response) => response.result.ID,
        (error: unknown) => error,
      ),
    ),
  )
}

const expectedIds = Array.from({ length: CALLS }, (_, index) => String((index % 50) + 1))

describe('200 concurrent calls on an expired token', () => {
  it('make 1 refresh request when it succeeds', async () => {
    const emu = portal.emu()
    const { client, renewed } = setup(emu)
    emu.expireTokens()
    const before = emu.getStats().oauthRefreshes
    expect(await concurrentReads(client)).toEqual(expectedIds)
    expect(emu.getStats().oauthRefreshes - before).toBe(1)
    expect(renewed).toHaveLength(1)
  })

  it('make 1 refresh request when it is refused (invalid_grant), and say that re-authorization is required', async () => {
    const emu = portal.emu()
    const { token, client, reauthorizations } = setup(emu)
    // Another copy uses the refresh token first: ours is now spent.
    await new BitrixToken({
      domain: emu.url,
      authToken: token.authToken,
      refreshToken: token.refreshToken,
      bitrixApp: token.bitrixApp,
    }).refresh()
    emu.expireTokens()
    const before = emu.getStats().oauthRefreshes
    const outcomes = await concurrentReads(client)
    expect(outcomes.every((outcome) => outcome instanceof BitrixOAuthReauthorizationRequired)).toBe(true)
    expect(outcomes[0]).toBeInstanceOf(BitrixOAuthInvalidGrant)
    expect((outcomes[0] as BitrixOAuthReauthorizationRequired).rotationLost).toBe(false)
    expect(emu.getStats().oauthRefreshes - before).toBe(1)
    expect(reauthorizations).toHaveLength(1)
    expect(reauthorizations[0].rotationLost).toBe(false)
    // A later call shares the refusal too: no new refresh request while the refresh token is the same.
    await expect(client.crm.deal.get({ id: 1 })).rejects.toBeInstanceOf(BitrixOAuthReauthorizationRequired)
    expect(emu.getStats().oauthRefreshes - before).toBe(1)
    // Re-authorized: new tokens stored on the token, calls and refreshes work again.
    const issued = emu.issueToken({ clientId: token.bitrixApp.clientId })
    token.authToken = issued.accessToken
    token.refreshToken = issued.refreshToken
    emu.expireTokens()
    expect((await client.crm.deal.get({ id: 2 })).result.ID).toBe('2')
    expect(emu.getStats().oauthRefreshes - before).toBe(2)
  })

  it('make 1 refresh request when the app is refused (invalid_client)', async () => {
    const emu = portal.emu()
    const { client, reauthorizations } = setup(emu, 'not-the-app-secret')
    emu.expireTokens()
    const before = emu.getStats().oauthRefreshes
    const outcomes = await concurrentReads(client)
    expect(outcomes.every((outcome) => outcome instanceof BitrixOAuthInvalidClient)).toBe(true)
    expect(emu.getStats().oauthRefreshes - before).toBe(1)
    // Calls made after the refusal share it as well (the same app credentials and refresh token).
    const later = await concurrentReads(client)
    expect(later.every((outcome) => outcome instanceof BitrixOAuthInvalidClient)).toBe(true)
    expect(emu.getStats().oauthRefreshes - before).toBe(1)
    expect(reauthorizations).toHaveLength(0)
  })
})

describe('a transient refresh failure is retried within the retry policy', () => {
  it('a 502 page from the OAuth server once: all 200 reads and a write succeed, the write applied once', async () => {
    const emu = portal.emu()
    const { client, renewed } = setup(emu)
    emu.expireTokens()
    const fault = emu.faults.inject({ method: 'oauth.token', kind: 'nonJson', times: 1 })
    const before = emu.getStats()
    const title = `written after a failed refresh ${Date.now()}`
    const [reads, added] = await Promise.all([
      concurrentReads(client),
      client.crm.deal.add({ fields: { TITLE: title } }),
    ])
    expect(reads).toEqual(expectedIds)
    expect(fault.hits).toBe(1)
    expect(emu.getStats().oauthRefreshes - before.oauthRefreshes).toBe(1)
    expect((emu.getStats().calls['crm.deal.add'] ?? 0) - (before.calls['crm.deal.add'] ?? 0)).toBe(1)
    expect((await client.crm.deal.get({ id: Number(added.result) })).result.TITLE).toBe(title)
    expect(renewed).toHaveLength(1)
  })

  it('a reset of the refresh request before use (token known to be expired): all 200 reads succeed', async () => {
    const emu = portal.emu()
    const { token, client } = setup(emu)
    emu.expireTokens()
    token.expires = Math.floor(Date.now() / 1000) - 10
    const fault = emu.faults.inject({ method: 'oauth.token', kind: 'reset', times: 1 })
    const before = emu.getStats().oauthRefreshes
    expect(await concurrentReads(client)).toEqual(expectedIds)
    expect(fault.hits).toBe(1)
    expect(emu.getStats().oauthRefreshes - before).toBe(1)
  })
})

describe('refresh-token rotation lost with a truncated answer', () => {
  it('ends in BitrixOAuthReauthorizationRequired (rotationLost) for all 200, one event, 2 refresh requests', async () => {
    const emu = portal.emu()
    const { client, reauthorizations } = setup(emu)
    emu.expireTokens()
    const fault = emu.faults.inject({ method: 'oauth.token', kind: 'truncated', times: 1 })
    const before = emu.getStats().oauthRefreshes
    const outcomes = await concurrentReads(client)
    expect(fault.hits).toBe(1)
    expect(outcomes.every((outcome) => outcome instanceof BitrixOAuthReauthorizationRequired)).toBe(true)
    const error = outcomes[0] as BitrixOAuthReauthorizationRequired
    expect(error.rotationLost).toBe(true)
    expect(error.message).toMatch(/authorize the app on the portal again/i)
    // The truncated one (the server rotated the token) and the retry with the old refresh token.
    expect(emu.getStats().oauthRefreshes - before).toBe(2)
    expect(reauthorizations).toHaveLength(1)
    expect(reauthorizations[0].rotationLost).toBe(true)
  })
})
