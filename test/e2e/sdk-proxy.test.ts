import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_TLS_CERT, type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixRequestError, BitrixValidationError } from '../../src/errors/index.js'
import { BitrixWebhook, Client } from '../../src/index.js'
import { startProxy } from './proxy-fixture.js'

let secure: Emulator
let plain: Emulator
const savedEnv = { ...process.env }

beforeAll(async () => {
  secure = await startEmulator({ https: true, plan: 'off', randomSeed: 1, seed: { deals: 5 } })
  plain = await startEmulator({ plan: 'off', randomSeed: 1, seed: { deals: 5 } })
})

afterAll(async () => {
  await secure.close()
  await plain.close()
})

afterEach(() => {
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) {
    if (savedEnv[name] === undefined) delete process.env[name]
    else process.env[name] = savedEnv[name]
  }
})

function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url)
  parsed.username = user
  parsed.password = password
  return parsed.toString()
}

describe('egress proxy of the Node transport', () => {
  it('tunnels https through CONNECT with the proxy credentials, TLS checked end to end, one tunnel kept alive', async () => {
    const proxy = await startProxy()
    try {
      const client = new Client(BitrixWebhook.fromUrl(secure.webhookUrl), {
        limiter: false,
        tls: { ca: EMULATOR_TLS_CERT },
        proxy: withCredentials(proxy.url, 'egress', 'proxy-pass-1'),
      })
      for (const id of [1, 2, 3]) expect((await client.crm.deal.get({ id })).result.ID).toBe(String(id))
      const target = new URL(secure.url)
      expect(proxy.seen.connects).toEqual([`${target.hostname}:${target.port}`])
      expect(proxy.seen.authorizations).toEqual([`Basic ${Buffer.from('egress:proxy-pass-1').toString('base64')}`])
      expect(proxy.seen.forwarded).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  it('the tunnel does not weaken TLS: without the portal certificate trusted the call fails', async () => {
    const proxy = await startProxy()
    try {
      const client = new Client(BitrixWebhook.fromUrl(secure.webhookUrl), {
        limiter: false,
        defaultMaxRetries: 0,
        proxy: proxy.url,
      })
      const error = await client.crm.deal.get({ id: 1 }).response.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(BitrixRequestError)
      expect(proxy.seen.connects).toHaveLength(1)
    } finally {
      await proxy.close()
    }
  })

  it('sends plain http to the proxy in absolute form with the portal as Host', async () => {
    const proxy = await startProxy()
    try {
      const client = new Client(BitrixWebhook.fromUrl(plain.webhookUrl), { limiter: false, proxy: proxy.url })
      expect((await client.crm.deal.get({ id: 2 })).result.ID).toBe('2')
      const target = new URL(plain.url)
      expect(proxy.seen.forwarded).toHaveLength(1)
      expect(proxy.seen.forwarded[0].url.startsWith(`${plain.webhookUrl}crm.deal.get`)).toBe(true)
      expect(proxy.seen.forwarded[0].host).toBe(target.host)
      expect(proxy.seen.connects).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  it("'env' follows HTTPS_PROXY and NO_PROXY; without 'env' the variables are never read", async () => {
    const proxy = await startProxy()
    try {
      process.env.HTTPS_PROXY = proxy.url
      const options = { limiter: false as const, tls: { ca: EMULATOR_TLS_CERT } }
      const unasked = new Client(BitrixWebhook.fromUrl(secure.webhookUrl), options)
      await unasked.crm.deal.get({ id: 1 })
      expect(proxy.seen.connects).toHaveLength(0)

      const viaEnv = new Client(BitrixWebhook.fromUrl(secure.webhookUrl), { ...options, proxy: 'env' })
      await viaEnv.crm.deal.get({ id: 1 })
      expect(proxy.seen.connects).toHaveLength(1)

      process.env.NO_PROXY = `example.com, 127.0.0.1:${new URL(secure.url).port}`
      const bypassed = new Client(BitrixWebhook.fromUrl(secure.webhookUrl), { ...options, proxy: 'env' })
      await bypassed.crm.deal.get({ id: 1 })
      expect(proxy.seen.connects).toHaveLength(1)
    } finally {
      await proxy.close()
    }
  })

  it('a refused tunnel is a typed error, nothing sent, and the proxy password is in no message', async () => {
    const proxy = await startProxy({ refuse: 407 })
    try {
      const client = new Client(BitrixWebhook.fromUrl(secure.webhookUrl), {
        limiter: false,
        defaultMaxRetries: 0,
        tls: { ca: EMULATOR_TLS_CERT },
        proxy: withCredentials(proxy.url, 'egress', 'proxy-pass-2'),
      })
      const error = await client.crm.deal.add({ fields: { TITLE: 'never sent' } }).response.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(BitrixRequestError)
      expect((error as BitrixRequestError).sent).toBe(false)
      const text = `${(error as Error).message} ${String((error as Error).cause)} ${JSON.stringify(error)}`
      expect(text).toContain('407')
      expect(text).not.toContain('proxy-pass-2')
      expect(proxy.seen.connects).toHaveLength(1)
    } finally {
      await proxy.close()
    }
  })

  it('refuses a proxy it cannot use where the client is made', () => {
    const webhook = BitrixWebhook.fromUrl(plain.webhookUrl)
    expect(() => new Client(webhook, { proxy: 'socks5://127.0.0.1:1080' })).toThrow(BitrixValidationError)
    expect(() => new Client(webhook, { proxy: 'not a url' })).toThrow(/proxy must be a URL/)
    expect(() => new Client(webhook, { proxy: 'http://127.0.0.1:3128', fetch: globalThis.fetch })).toThrow(
      /built-in Node transport/,
    )
  })
})
