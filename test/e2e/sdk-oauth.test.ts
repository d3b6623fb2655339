import { describe, expect, it } from 'vitest'
import { BitrixOAuthInvalidGrant } from '../../src/errors/index.js'
import {
  AbstractBitrixApp,
  AbstractBitrixToken,
  BitrixApp,
  BitrixToken,
  Client,
  type OAuthTokenRenewedEvent,
  type PortalDomainChangedEvent,
} from '../../src/index.js'
import { limitsOf, oauthToken, usePortal, webhookClient } from './sdk-fixtures.js'

const portal = usePortal({ seed: { deals: 300 }, plan: 'off' })

describe('OAuth token renewal', () => {
  it('100 concurrent calls on an expired token cause exactly one refresh and one event', async () => {
    const emu = portal.emu()
    const { token } = oauthToken(emu)
    const client = new Client(token, limitsOf(emu))
    await client.profile()
    const events: OAuthTokenRenewedEvent[] = []
    token.on('oauthTokenRenewed', (event) => {
      events.push(event)
    })
    const oldToken = token.authToken
    emu.expireTokens()
    const before = emu.getStats().oauthRefreshes
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => client.crm.deal.get({ id: (i % 50) + 1 }).response),
    )
    expect(results.map((response) => response.result.ID)).toEqual(
      Array.from({ length: 100 }, (_, i) => String((i % 50) + 1)),
    )
    expect(emu.getStats().oauthRefreshes - before).toBe(1)
    expect(events).toHaveLength(1)
    expect(events[0].accessToken).toBe(token.authToken)
    expect(token.authToken).not.toBe(oldToken)
    expect(events[0].refreshToken).toBe(token.refreshToken)
    expect(JSON.stringify(events[0])).not.toContain(token.authToken)
  })

  it('refreshes before use when expires has passed, without a rejected call', async () => {
    const emu = portal.emu()
    const { token } = oauthToken(emu)
    token.expires = Math.floor(Date.now() / 1000) - 10
    const before = emu.getStats()
    await new Client(token, limitsOf(emu)).server.time()
    const after = emu.getStats()
    expect(after.oauthRefreshes - before.oauthRefreshes).toBe(1)
    expect((after.statuses['401'] ?? 0) - (before.statuses['401'] ?? 0)).toBe(0)
    expect(token.expires).toBeGreaterThan(Date.now() / 1000)
  })

  it('a used refresh token is rejected by the OAuth server with a typed error', async () => {
    const emu = portal.emu()
    const { token, app } = oauthToken(emu)
    const stale = new BitrixToken({
      domain: emu.url,
      authToken: token.authToken,
      refreshToken: token.refreshToken,
      bitrixApp: app,
    })
    await token.refresh()
    await expect(stale.refresh()).rejects.toBeInstanceOf(BitrixOAuthInvalidGrant)
  })

  it('fields of an abstract token live in the caller storage and are written back after a refresh', async () => {
    const emu = portal.emu()
    const credentials = emu.createApp({ scopes: 'all' })
    const issued = emu.issueToken({ clientId: credentials.clientId })
    const row: Record<string, string | number | undefined> = {
      domain: emu.url,
      access: issued.accessToken,
      refresh: issued.refreshToken,
      expires: issued.expires,
    }
    class StoredApp extends AbstractBitrixApp {
      readonly clientId = credentials.clientId
      readonly clientSecret = credentials.clientSecret
      override get oauthServer() {
        return emu.url
      }
    }
    class StoredToken extends AbstractBitrixToken {
      readonly bitrixApp = new StoredApp()
      get domain() {
        return String(row.domain)
      }
      set domain(value: string) {
        row.domain = value
      }
      get authToken() {
        return String(row.access)
      }
      set authToken(value: string) {
        row.access = value
      }
      get refreshToken() {
        return row.refresh as string | undefined
      }
      set refreshToken(value: string | undefined) {
        row.refresh = value
      }
      get expires() {
        return row.expires as number | undefined
      }
      set expires(value: number | undefined) {
        row.expires = value
      }
    }
    const client = new Client(new StoredToken(), limitsOf(emu))
    emu.expireTokens()
    expect((await client.crm.deal.get({ id: 1 })).result.ID).toBe('1')
    expect(row.access).not.toBe(issued.accessToken)
    expect(row.refresh).not.toBe(issued.refreshToken)
  })

  it('exchanges an authorization code for a token', async () => {
    const emu = portal.emu()
    const credentials = emu.createApp({ scopes: 'all', redirectUri: 'https://app.example.com/install' })
    const authorize = await fetch(`${emu.url}/oauth/authorize/?client_id=${credentials.clientId}&state=xyz`, {
      redirect: 'manual',
    })
    const location = new URL(authorize.headers.get('location')!)
    expect(location.searchParams.get('state')).toBe('xyz')
    const token = await BitrixToken.fromAuthorizationCode({
      bitrixApp: new BitrixApp({
        clientId: credentials.clientId,
        clientSecret: credentials.clientSecret,
        oauthServer: emu.url,
      }),
      code: location.searchParams.get('code')!,
    })
    expect((await new Client(token, limitsOf(emu)).profile()).result.ID).toBe('1')
  })
})

describe('portal domain change', () => {
  it('re-sends the request to the new host as a POST and raises the event once', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const events: PortalDomainChangedEvent[] = []
    client.on('portalDomainChanged', (event) => {
      events.push(event)
    })
    const oldDomain = client.credentials.domain
    const newUrl = await emu.changeDomain()
    const added = await client.crm.deal.add({ fields: { TITLE: 'after the move' } })
    expect((await client.crm.deal.get({ id: Number(added.result) })).result.TITLE).toBe('after the move')
    expect(events).toHaveLength(1)
    expect(events[0].oldDomain).toBe(oldDomain)
    expect(events[0].newDomain).toBe(new URL(newUrl).host)
    expect(client.credentials.domain).toBe(new URL(newUrl).host)
  })
})
