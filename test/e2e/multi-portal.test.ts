/**
 * A multi-portal emulator: named portals on one address, told apart by the Host header, each with its own data,
 * tokens, buckets and counters, one OAuth server for all; and the Node transport's `resolve` option that reaches
 * them by name (TLS included). Each portal has its own event bindings and deliveries (ONAPPINSTALL from its own
 * authorize page), its own REST 3.0 idempotency store and its own files.
 */
import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { EMULATOR_TLS_CERT, type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/index.js'
import { BitrixValidationError } from '../../src/errors/index.js'
import { BitrixWebhook, Client } from '../../src/index.js'
import { startReceiver } from '../app/event-receiver.js'

const running: Emulator[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()))
})

async function start(options: EmulatorOptions): Promise<Emulator> {
  const emu = await startEmulator({ realDelays: false, randomSeed: 15, ...options })
  running.push(emu)
  return emu
}

interface Answer {
  status: number
  body: Record<string, unknown>
  location: string | undefined
}

/** One plain-HTTP request to the emulator's address with the Host header of `host`. */
function send(
  emu: Emulator,
  host: string,
  path: string,
  form?: Record<string, string>,
  json?: { body: unknown; headers?: Record<string, string> },
): Promise<Answer> {
  const { port } = new URL(emu.url)
  const body = json ? JSON.stringify(json.body) : form ? new URLSearchParams(form).toString() : undefined
  const type = json ? 'application/json' : 'application/x-www-form-urlencoded'
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          host: `${host.replace(/:\d+$/, '')}:${port}`,
          ...(body === undefined ? {} : { 'content-type': type }),
          ...json?.headers,
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => {
          const location = res.headers.location
          resolve({ status: res.statusCode ?? 0, body: text === '' ? {} : JSON.parse(text), location })
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** The path of a REST call with the portal's admin webhook (the path part of `webhookUrl`). */
function webhookPath(webhookUrl: string, method: string): string {
  return `${new URL(webhookUrl).pathname}${method}`
}

describe('multi-portal emulator', () => {
  it('keeps each portal its own data, member_id and counters; unknown hosts reach the default portal', async () => {
    const emu = await start({ portals: 2 })
    expect(emu.portals).toEqual(['p0001.bitrix24.test', 'p0002.bitrix24.test'])
    const [a, b] = emu.portals.map((host) => emu.portal(host))
    expect(new Set([emu.memberId, a.memberId, b.memberId]).size).toBe(3)
    expect(a.domain).toBe(`p0001.bitrix24.test:${new URL(emu.url).port}`)

    const added = await send(emu, a.domain, webhookPath(a.webhookUrl, 'crm.deal.add'), { 'fields[TITLE]': 'only on A' })
    expect(added.status).toBe(200)
    const id = String(added.body.result)
    const onA = await send(emu, a.domain, webhookPath(a.webhookUrl, 'crm.deal.get'), { id })
    expect((onA.body.result as Record<string, unknown>).TITLE).toBe('only on A')
    // The same id on B is B's own seeded deal (or none), never A's.
    const onB = await send(emu, b.domain, webhookPath(b.webhookUrl, 'crm.deal.get'), { id })
    expect((onB.body.result as Record<string, unknown> | undefined)?.TITLE).not.toBe('only on A')
    // A's webhook means nothing on B.
    const crossed = await send(emu, b.domain, webhookPath(a.webhookUrl, 'crm.deal.get'), { id })
    expect(crossed.status).toBe(401)
    expect(crossed.body.error).toBe('INVALID_CREDENTIALS')
    // Any other host name is the default portal, as a single-portal emulator answers every host.
    const other = await send(emu, 'unknown.example', webhookPath(emu.webhookUrl, 'crm.deal.get'), { id: '1' })
    expect(other.status).toBe(200)

    expect(a.stats.calls['crm.deal.add']).toBe(1)
    expect(a.stats.calls['crm.deal.get']).toBe(1)
    expect(b.stats.calls['crm.deal.add']).toBeUndefined()
    expect(b.stats.httpRequests).toBe(2)
    expect(emu.stats.calls['crm.deal.get']).toBe(1)
    expect(emu.stats.calls['crm.deal.add']).toBeUndefined()
  })

  it('accepts a token only on the portal that issued it, through one shared OAuth server', async () => {
    const emu = await start({ portals: 2 })
    const app = emu.createApp({ redirectUri: 'https://app.example/install' })
    const [a, b] = emu.portals.map((host) => emu.portal(host))
    const tokenA = a.issueToken({ clientId: app.clientId })
    expect(tokenA.memberId).toBe(a.memberId)
    expect(tokenA.clientEndpoint).toBe(`${a.url}/rest/`)
    expect(tokenA.serverEndpoint).toBe(`${emu.url}/rest/`)
    // Each portal installs the app with its own application token.
    expect(tokenA.applicationToken).not.toBe(b.issueToken({ clientId: app.clientId }).applicationToken)

    const onA = await send(emu, a.domain, '/rest/profile', { auth: tokenA.accessToken })
    expect(onA.status).toBe(200)
    const onB = await send(emu, b.domain, '/rest/profile', { auth: tokenA.accessToken })
    expect(onB.status).toBe(401)
    expect(onB.body.error).toBe('invalid_token')

    // The install flow on B: its own authorize page, the code exchanged at the shared OAuth server.
    const authorize = await send(emu, b.domain, `/oauth/authorize/?client_id=${app.clientId}&state=s1`)
    expect(authorize.status).toBe(302)
    const redirect = new URL(authorize.location ?? '')
    expect(redirect.searchParams.get('member_id')).toBe(b.memberId)
    expect(redirect.searchParams.get('domain')).toBe(b.domain)
    const grant = await send(emu, '127.0.0.1', '/oauth/token/', {
      grant_type: 'authorization_code',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      code: redirect.searchParams.get('code') ?? '',
    })
    expect(grant.status).toBe(200)
    expect(grant.body.member_id).toBe(b.memberId)
    expect(grant.body.client_endpoint).toBe(`${b.url}/rest/`)
    expect((await send(emu, b.domain, '/rest/profile', { auth: String(grant.body.access_token) })).status).toBe(200)
    expect((await send(emu, a.domain, '/rest/profile', { auth: String(grant.body.access_token) })).status).toBe(401)

    // Refreshing at the shared server rotates B's token and is counted on B.
    b.expireTokens()
    const expired = await send(emu, b.domain, '/rest/profile', { auth: String(grant.body.access_token) })
    expect(expired.body.error).toBe('expired_token')
    expect((await send(emu, a.domain, '/rest/profile', { auth: tokenA.accessToken })).status).toBe(200)
    const refreshed = await send(emu, '127.0.0.1', '/oauth/token/', {
      grant_type: 'refresh_token',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      refresh_token: String(grant.body.refresh_token),
    })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.member_id).toBe(b.memberId)
    expect(b.stats.oauthRefreshes).toBe(1)
    expect(a.stats.oauthRefreshes).toBe(0)
  })

  it('gives each portal its own events: ONAPPINSTALL from its authorize page, its bindings, its auth in every POST', async () => {
    const receiver = await startReceiver()
    try {
      const emu = await start({ portals: 2 })
      const app = emu.createApp({ redirectUri: 'https://app.example/back', installUrl: `${receiver.url}/install` })
      const [a, b] = emu.portals.map((host) => emu.portal(host))
      type Posted = { event: string; auth: Record<string, string> }
      const posted = (path: string) => receiver.posts.filter((p) => p.path === path).map((p) => p.body as Posted)

      // The authorize page of B installs the app on B: ONAPPINSTALL with B's domain, member_id and app token.
      expect((await send(emu, b.domain, `/oauth/authorize/?client_id=${app.clientId}`)).status).toBe(302)
      await b.events.idle()
      const [install] = posted('/install')
      expect(install.event).toBe('ONAPPINSTALL')
      expect(install.auth).toMatchObject({
        domain: b.domain,
        member_id: b.memberId,
        client_endpoint: `${b.url}/rest/`,
        server_endpoint: `${emu.url}/rest/`,
        application_token: b.issueToken({ clientId: app.clientId }).applicationToken,
      })
      // Installed once: a second authorize sends nothing more.
      await send(emu, b.domain, `/oauth/authorize/?client_id=${app.clientId}`)
      await b.events.idle()
      expect(posted('/install')).toHaveLength(1)

      // Installed on A by hand, bound there; a deal on A reaches the handler with A's auth, a deal on B does not.
      const tokenA = a.installApp(app.clientId)
      await a.events.idle()
      expect(posted('/install')[1].auth.member_id).toBe(a.memberId)
      const bind = await send(emu, a.domain, '/rest/event.bind', {
        auth: tokenA.accessToken,
        event: 'ONCRMDEALADD',
        handler: `${receiver.url}/deal`,
      })
      expect(bind.body.result).toBe(true)
      await send(emu, a.domain, webhookPath(a.webhookUrl, 'crm.deal.add'), { 'fields[TITLE]': 'on A' })
      await send(emu, b.domain, webhookPath(b.webhookUrl, 'crm.deal.add'), { 'fields[TITLE]': 'on B' })
      await Promise.all([a.events.idle(), b.events.idle(), emu.events.idle()])
      const deals = posted('/deal')
      expect(deals).toHaveLength(1)
      expect(deals[0].auth).toMatchObject({
        domain: a.domain,
        member_id: a.memberId,
        application_token: tokenA.applicationToken,
      })
      expect(a.stats.events.delivered).toBe(2)
      expect(b.events.deliveries.map((delivery) => delivery.event)).toEqual(['ONAPPINSTALL'])
      expect(b.stats.events.delivered).toBe(1)
      expect(emu.events.deliveries).toEqual([])
      expect(emu.stats.events.queued).toBe(0)

      // Uninstalled from A: its bindings there are gone, B keeps the app.
      a.uninstallApp(app.clientId)
      await send(emu, a.domain, webhookPath(a.webhookUrl, 'crm.deal.add'), { 'fields[TITLE]': 'after' })
      await a.events.idle()
      expect(posted('/deal')).toHaveLength(1)
    } finally {
      await receiver.close()
    }
  })

  it('gives each portal its own REST 3.0 idempotency store', async () => {
    const emu = await start({ portals: 2, seed: { tasks: 2 } })
    const [a, b] = emu.portals.map((host) => emu.portal(host))
    const v3 = (portal: typeof a) => `${new URL(portal.webhookUrl).pathname.replace('/rest/', '/rest/api/')}`
    const add = { fields: { title: 'Once', creatorId: 1, responsibleId: 1 } }
    const key = { 'Idempotency-Key': 'same-key-on-two-portals' }
    const first = await send(emu, a.domain, `${v3(a)}tasks.task.add`, undefined, { body: add, headers: key })
    expect(first.status).toBe(200)
    const replay = await send(emu, a.domain, `${v3(a)}tasks.task.add`, undefined, { body: add, headers: key })
    expect(replay.body).toEqual(first.body)
    // The same key on B is B's own first call.
    const onB = await send(emu, b.domain, `${v3(b)}tasks.task.add`, undefined, { body: add, headers: key })
    expect(onB.status).toBe(200)
    expect(a.stats.idempotency).toMatchObject({ replayed: 1 })
    expect(b.stats.idempotency).toMatchObject({ replayed: 0 })
    expect(b.stats.idempotency.applied[`tasks.task.add ${key['Idempotency-Key']}`]).toBe(1)
  })

  it('gives each portal its own files', async () => {
    const emu = await start({ portals: 2, https: true })
    const [a, b] = emu.portals.map((host) => emu.portal(host))
    // A file uploaded to A's Drive is not on B.
    const client = (portal: typeof a) =>
      new Client(BitrixWebhook.fromUrl(portal.webhookUrl), {
        tls: { ca: EMULATOR_TLS_CERT },
        resolve: { [portal.domain.split(':')[0]]: '127.0.0.1' },
        limiter: false,
      })
    const [clientA, clientB] = [client(a), client(b)]
    const root = Number((await clientA.disk.storage.getlist({})).result[0].ROOT_OBJECT_ID)
    const file = await clientA.disk.folder.uploadfile({
      id: root,
      data: { NAME: 'only-on-a.txt' } as never,
      fileContent: ['only-on-a.txt', Buffer.from('hello').toString('base64')],
    })
    const fileId = Number(file.result.ID)
    expect((await clientA.disk.file.get({ id: fileId })).result.NAME).toBe('only-on-a.txt')
    await expect(clientB.disk.file.get({ id: fileId })).rejects.toThrow(/ERROR_NOT_FOUND/)
  })

  it('gives each portal its own leaky bucket per source address', async () => {
    const emu = await start({ portals: 2, bucket: { burst: 3, drainPerSecond: 0 } })
    const [a, b] = emu.portals.map((host) => emu.portal(host))
    const statuses: number[] = []
    for (let n = 0; n < 4; n += 1) {
      statuses.push((await send(emu, a.domain, webhookPath(a.webhookUrl, 'server.time'))).status)
    }
    expect(statuses).toEqual([200, 200, 200, 503])
    expect((await send(emu, b.domain, webhookPath(b.webhookUrl, 'server.time'))).status).toBe(200)
    expect(a.stats.responses503).toBe(1)
    expect(b.stats.responses503).toBe(0)
    a.resetLimits()
    expect((await send(emu, a.domain, webhookPath(a.webhookUrl, 'server.time'))).status).toBe(200)
  })

  it('builds a portal only when it is first touched', async () => {
    const emu = await start({ portals: 500 })
    expect(emu.portals).toHaveLength(500)
    expect(emu.activePortals).toBe(1)
    const handle = emu.portal('P0250.Bitrix24.Test')
    expect(emu.activePortals).toBe(1)
    await send(emu, 'p0250.bitrix24.test', webhookPath(handle.webhookUrl, 'server.time'))
    expect(emu.activePortals).toBe(2)
    expect(handle.stats.httpRequests).toBe(1)
    const added = emu.createPortal({ host: 'shop.bitrix24.test' })
    expect(emu.portals.at(-1)).toBe('shop.bitrix24.test')
    expect(emu.activePortals).toBe(2)
    expect(added.domain).toBe(`shop.bitrix24.test:${new URL(emu.url).port}`)
    expect(() => emu.portal('p9999.bitrix24.test')).toThrow(RangeError)
    expect(() => emu.createPortal({ host: 'shop.bitrix24.test' })).toThrow(/already exists/)
    expect(() => emu.createPortal({ host: 'not a host' })).toThrow(RangeError)
  })
})

describe('Node transport resolve option', () => {
  it('reaches a named portal over HTTPS by its name: SNI and the certificate check use the host name', async () => {
    const emu = await start({ portals: 2, https: true })
    const a = emu.portal('p0001.bitrix24.test')
    expect(a.webhookUrl.startsWith('https://p0001.bitrix24.test:')).toBe(true)
    const client = new Client(BitrixWebhook.fromUrl(a.webhookUrl), {
      tls: { ca: EMULATOR_TLS_CERT },
      resolve: (hostname) => (hostname.endsWith('.bitrix24.test') ? '127.0.0.1' : undefined),
      limiter: false,
    })
    const id = (await client.crm.deal.add({ fields: { TITLE: 'by name' } })).result
    expect((await client.crm.deal.get({ id })).result.TITLE).toBe('by name')
    expect(a.stats.calls['crm.deal.add']).toBe(1)
    expect(emu.stats.calls['crm.deal.add']).toBeUndefined()

    const mapped = new Client(BitrixWebhook.fromUrl(emu.portal('p0002.bitrix24.test').webhookUrl), {
      tls: { ca: EMULATOR_TLS_CERT },
      resolve: { 'p0002.bitrix24.test': '127.0.0.1' },
      limiter: false,
    })
    expect(typeof (await mapped.server.time()).result).toBe('string')
    expect(emu.portal('p0002.bitrix24.test').stats.calls['server.time']).toBe(1)
  })

  it('refuses a resolve entry that is not an IP address, naming the host', () => {
    const webhook = BitrixWebhook.fromUrl('https://p0001.bitrix24.test/rest/1/key/')
    expect(() => new Client(webhook, { resolve: { 'p0001.bitrix24.test': 'localhost' } })).toThrow(
      BitrixValidationError,
    )
    expect(() => new Client(webhook, { resolve: { 'p0001.bitrix24.test': 'localhost' } })).toThrow(/p0001/)
  })
})
