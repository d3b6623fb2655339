/**
 * Portal moves (3xx) take the credentials only where a user would accept: a hostile portal on loopback answers
 * 302 to other hosts; every request the client makes is recorded by a transport wrapped around the real one.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixPortalMoveRefused } from '../../src/errors/index.js'
import { createDefaultTransport, type Transport } from '../../src/http/transport.js'
import {
  BitrixApp,
  BitrixToken,
  BitrixWebhook,
  Client,
  type ClientOptions,
  type PortalDomainChangedEvent,
} from '../../src/index.js'

interface Hostile {
  url: string
  received: Array<{ url: string; body: string }>
  location: string
}

let hostile: Hostile
let hostileServer: http.Server
let emu: Emulator

beforeAll(async () => {
  const state: Hostile = { url: '', received: [], location: '' }
  hostileServer = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString()
    })
    req.on('end', () => {
      state.received.push({ url: req.url ?? '', body })
      res.writeHead(302, { Location: state.location, 'Content-Length': '0' })
      res.end()
    })
  })
  await new Promise<void>((resolve) => hostileServer.listen(0, '127.0.0.1', resolve))
  state.url = `http://127.0.0.1:${(hostileServer.address() as AddressInfo).port}`
  hostile = state
  emu = await startEmulator({ randomSeed: 1, plan: 'off' })
})

afterAll(async () => {
  hostileServer.closeAllConnections()
  await new Promise<void>((resolve) => hostileServer.close(() => resolve()))
  await emu.close()
})

/** The real transport, recording every URL; `routes` maps a non-loopback origin to a loopback one. */
function recording(routes: Record<string, string> = {}): { transport: Transport; sent: string[] } {
  const real = createDefaultTransport()
  const sent: string[] = []
  const transport: Transport = (request) => {
    sent.push(request.url)
    const origin = new URL(request.url).origin
    const target = routes[origin]
    return real(target === undefined ? request : { ...request, url: target + request.url.slice(origin.length) })
  }
  return { transport, sent }
}

/** A token of a new app on the emulator; the app's OAuth server is `oauthServer` (default oauth.bitrix.info). */
function emulatorToken(init: { oauthServer?: string; expires?: number }): BitrixToken {
  const credentials = emu.createApp({ scopes: 'all' })
  const issued = emu.issueToken({ clientId: credentials.clientId })
  return new BitrixToken({
    domain: emu.url,
    authToken: issued.accessToken,
    refreshToken: issued.refreshToken,
    expires: init.expires,
    bitrixApp: new BitrixApp({ ...credentials, oauthServer: init.oauthServer }),
  })
}

function options(transport: Transport, extra: ClientOptions = {}): ClientOptions {
  return { transport, limiter: false, validateArguments: false, defaultInitialRetryDelay: 0.01, ...extra }
}

describe('a 3xx to a host the user would not accept', () => {
  it('ends a write in BitrixPortalMoveRefused: nothing sent there, not re-sent, credentials unchanged', async () => {
    hostile.location = 'https://attacker.example/collect'
    hostile.received = []
    const webhook = new BitrixWebhook({ domain: hostile.url, authToken: '1/hostilekey1' })
    const { transport, sent } = recording()
    const client = new Client(webhook, options(transport))
    const moves: PortalDomainChangedEvent[] = []
    client.on('portalDomainChanged', (event) => {
      moves.push(event)
    })
    const error = await client.crm.deal.add({ fields: { TITLE: 'secret deal' } }).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(BitrixPortalMoveRefused)
    const refused = error as BitrixPortalMoveRefused
    expect(refused.from).toBe(hostile.url)
    expect(refused.to).toBe('https://attacker.example')
    expect(refused.reason).toBe('notAllowed')
    expect(refused.message).toContain('https://attacker.example')
    expect(refused.message).not.toContain('hostilekey1')
    expect(sent).toEqual([`${hostile.url}/rest/1/hostilekey1/crm.deal.add`])
    expect(hostile.received).toHaveLength(1)
    expect(webhook.domain).toBe(new URL(hostile.url).host)
    expect(webhook.restUrl()).toBe(`${hostile.url}/rest/1/hostilekey1/`)
    expect(moves).toHaveLength(0)
  })

  it('does not take an access token there, and a read is not retried into it either', async () => {
    hostile.location = 'https://attacker.example/collect'
    hostile.received = []
    const app = new BitrixApp({ clientId: 'app.x', clientSecret: 'hostile-secret', oauthServer: hostile.url })
    const token = new BitrixToken({ domain: hostile.url, authToken: 'hostile-access-1', bitrixApp: app })
    const { transport, sent } = recording()
    const error = await new Client(token, options(transport)).profile().then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(BitrixPortalMoveRefused)
    expect(sent.every((url) => url.startsWith(`${hostile.url}/`))).toBe(true)
    expect(hostile.received).toHaveLength(1)
    expect(token.domain).toBe(hostile.url)
  })

  it('refuses plain http to a non-loopback host', async () => {
    hostile.location = 'http://crm.example.com/rest/1/hostilekey1/profile'
    const { transport, sent } = recording()
    const webhook = new BitrixWebhook({ domain: hostile.url, authToken: '1/hostilekey1' })
    await expect(new Client(webhook, options(transport)).profile()).rejects.toMatchObject({
      name: 'BitrixPortalMoveRefused',
      reason: 'plainHttp',
      to: 'http://crm.example.com',
    })
    expect(sent).toHaveLength(1)
  })

  it('a Location that is not a URL gives a typed error, not a raw TypeError', async () => {
    hostile.location = 'http://[/rest/1/hostilekey1/profile'
    const { transport } = recording()
    const webhook = new BitrixWebhook({ domain: hostile.url, authToken: '1/hostilekey1' })
    const error = await new Client(webhook, options(transport)).profile().then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(BitrixPortalMoveRefused)
    expect((error as BitrixPortalMoveRefused).reason).toBe('invalidLocation')
    // The raw Location is named, with the webhook key it carries masked.
    expect((error as BitrixPortalMoveRefused).to).toMatch(/^http:\/\/\[\/rest\/1\/.+\/profile$/)
    expect((error as BitrixPortalMoveRefused).message).not.toContain('hostilekey1')
    expect(JSON.stringify(error)).not.toContain('hostilekey1')
  })
})

describe('a move the user accepts', () => {
  it('allowPortalMove(from, to) decides what the built-in rules refuse, and the call then succeeds there', async () => {
    const key = new URL(emu.webhookUrl).pathname.split('/')[3]
    hostile.location = `https://crm.partner.example/rest/1/${key}/profile`
    const { transport, sent } = recording({ 'https://crm.partner.example': emu.url })
    const asked: Array<[string, string]> = []
    const webhook = new BitrixWebhook({ domain: hostile.url, authToken: `1/${key}` })
    const client = new Client(
      webhook,
      options(transport, {
        allowPortalMove: (from, to) => {
          asked.push([from, to])
          return to === 'https://crm.partner.example'
        },
      }),
    )
    expect((await client.profile()).result.ID).toBe('1')
    expect(asked).toEqual([[hostile.url, 'https://crm.partner.example']])
    expect(webhook.domain).toBe('crm.partner.example')
    expect(sent).toEqual([`${hostile.url}/rest/1/${key}/profile`, `https://crm.partner.example/rest/1/${key}/profile`])
  })

  it('a self-hosted OAuth server (the portal itself) moves with the portal: the next refresh goes to the new address', async () => {
    const token = emulatorToken({ oauthServer: emu.url })
    const app = token.bitrixApp
    const moves: PortalDomainChangedEvent[] = []
    token.on('portalDomainChanged', (event) => {
      moves.push(event)
    })
    const client = new Client(token, { limiter: false })
    const newUrl = await emu.changeDomain()
    emu.expireTokens()
    const before = emu.getStats().oauthRefreshes
    expect((await client.profile()).result.ID).toBe('1')
    expect(emu.getStats().oauthRefreshes - before).toBe(1)
    expect(token.oauthServer).toBe(newUrl)
    expect(app.oauthServer).not.toBe(newUrl)
    expect(moves.map((event) => event.oauthServer)).toEqual([newUrl])
  })

  it('a refresh before use that meets the moved self-hosted OAuth server follows it like the portal', async () => {
    const token = emulatorToken({ oauthServer: emu.url, expires: Math.floor(Date.now() / 1000) - 60 })
    const newUrl = await emu.changeDomain()
    const before = emu.getStats().oauthRefreshes
    expect((await new Client(token, { limiter: false }).profile()).result.ID).toBe('1')
    expect(emu.getStats().oauthRefreshes - before).toBe(1)
    expect(token.domain).toBe(new URL(newUrl).host)
    expect(token.oauthServer).toBe(newUrl)
  })

  it('an OAuth server that is not the portal stays where it is', async () => {
    const token = emulatorToken({})
    await emu.changeDomain()
    expect((await new Client(token, { limiter: false }).profile()).result.ID).toBe('1')
    expect(token.domain).toBe(new URL(emu.url).host)
    expect(token.oauthServer).toBe('https://oauth.bitrix.info')
  })
})
