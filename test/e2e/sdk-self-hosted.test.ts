import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixQueueTimeout, BitrixValidationError } from '../../src/errors/index.js'
import {
  BitrixApp,
  BitrixToken,
  BitrixWebhook,
  Client,
  RateLimiter,
  SELF_HOSTED_OPERATING_LIMIT,
  unlimited,
} from '../../src/index.js'
import { startProxy } from './proxy-fixture.js'

// A self-hosted portal: no request bucket, its operating-time limit enabled by the administrator (checked below)
// and every call charged 50 s of server time so the limit is reached in a few calls.
let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({
    plan: 'off',
    operatingLimit: 100_000,
    realDelays: false,
    costs: { base: 50 },
    randomSeed: 1,
    seed: { deals: 5 },
  })
})

afterAll(async () => {
  await emu.close()
})

describe('self-hosted portals over plain http', () => {
  it('are refused without the named opt-in, with the fix in the message', () => {
    const attempt = () => new BitrixWebhook({ domain: 'http://crm.intranet.test', authToken: '1/key' })
    expect(attempt).toThrow(BitrixValidationError)
    expect(attempt).toThrow(/allowPlainHttp: true/)
    const app = new BitrixApp({ clientId: 'local.1', clientSecret: 'secret' })
    expect(() => new BitrixToken({ domain: 'http://crm2.intranet.test', authToken: 't', bitrixApp: app })).toThrow(
      /allowPlainHttp/,
    )
  })

  it('are reached with allowPlainHttp: true, the call going to that host over http', async () => {
    const portalHost = 'crm.intranet.test'
    const proxy = await startProxy({ hosts: { [portalHost]: new URL(emu.url).host } })
    try {
      const key = new URL(emu.webhookUrl).pathname.split('/').slice(2, 4).join('/')
      const webhook = new BitrixWebhook({ domain: `http://${portalHost}`, authToken: key, allowPlainHttp: true })
      expect(webhook.restUrl()).toBe(`http://${portalHost}/rest/${key}/`)
      // The portal's name resolves nowhere here: a forward proxy maps it to the emulator, all on loopback.
      const client = new Client(webhook, { portal: 'self-hosted', proxy: proxy.url })
      expect((await client.crm.deal.get({ id: 1 })).result.ID).toBe('1')
      expect(proxy.seen.forwarded.map((request: { host?: string }) => request.host)).toEqual([portalHost])
      expect(proxy.seen.forwarded[0].url.startsWith(`http://${portalHost}/rest/`)).toBe(true)
    } finally {
      await proxy.close()
    }
  })

  it('an OAuth app of a self-hosted portal may use it as its own http OAuth server with the same opt-in', () => {
    expect(
      () => new BitrixApp({ clientId: 'local.1', clientSecret: 's', oauthServer: 'http://sso.intranet.test' }),
    ).toThrow(/allowPlainHttp/)
    const app = new BitrixApp({
      clientId: 'local.1',
      clientSecret: 's',
      oauthServer: 'http://sso.intranet.test',
      allowPlainHttp: true,
    })
    expect(app.oauthServer).toBe('http://sso.intranet.test')
  })
})

describe('limits of a self-hosted portal', () => {
  it('the default limiter keeps none: no bucket, no operating-time limit', async () => {
    const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), { portal: 'self-hosted' })
    expect(client.limiter).toBe(unlimited)
    // 12 calls of 50 s each: 600 s of server time in one window, past any cloud budget, and nothing is held back.
    for (let i = 0; i < 12; i++) await client.crm.deal.get({ id: 1 }, { maxQueueWait: 0.001 })
  })

  it('operatingLimit: true keeps the enabled default of 420 s and holds calls past it', async () => {
    const webhook = BitrixWebhook.fromUrl(emu.webhookUrl)
    const client = new Client(webhook, { portal: 'self-hosted', operatingLimit: true })
    expect(client.limiter).toBeInstanceOf(RateLimiter)
    expect((client.limiter as RateLimiter).operatingLimit).toBe(SELF_HOSTED_OPERATING_LIMIT)
    expect((client.limiter as RateLimiter).plan.burst).toBe(Number.MAX_SAFE_INTEGER)
    // crm.deal.list has used nothing yet in this window: the first call goes, its answer reports 50 s … until the
    // budget's 90 % (378 s) is in use, then the next call would have to wait.
    let held: unknown
    for (let i = 0; i < 12 && held === undefined; i++) {
      held = await client.crm.deal
        .list({ select: ['ID'] }, { maxQueueWait: 0.001 })
        .response.then(() => undefined)
        .catch((error: unknown) => error)
    }
    expect(held).toBeInstanceOf(BitrixQueueTimeout)
  })

  it('refuses settings that cannot be meant', () => {
    const webhook = BitrixWebhook.fromUrl(emu.webhookUrl)
    expect(() => new Client(webhook, { portal: 'box' as 'cloud' })).toThrow(/'cloud' or 'self-hosted'/)
    expect(() => new Client(webhook, { operatingLimit: -1 })).toThrow(BitrixValidationError)
    expect(() => new Client(webhook, { operatingLimit: 420, limiter: false })).toThrow(/your own limiter/)
  })
})

describe('custom REST methods of a self-hosted portal', () => {
  it('are callable by name and pass argument checks, since the catalogue does not know them', async () => {
    const custom = await startEmulator({
      plan: 'off',
      randomSeed: 1,
      methods: new Map([
        [
          'acme.invoice.get',
          { scope: 'acme', handler: (params) => ({ result: { id: Number(params.id), total: '12.50' } }) },
        ],
      ]),
    })
    try {
      const client = new Client(BitrixWebhook.fromUrl(custom.webhookUrl), { portal: 'self-hosted' })
      const answer = await client.call<{ id: number; total: string }>('acme.invoice.get', { id: 7 })
      expect(answer.result).toEqual({ id: 7, total: '12.50' })
    } finally {
      await custom.close()
    }
  })
})
