/**
 * Issue 11's acceptance, end to end over real HTTP, once per installation store: the emulator installs an app
 * (OAuth authorize → ONAPPINSTALL to the app's install URL), the app (createAppHandler behind node:http) stores
 * the installation, binds ONCRMDEALADD with its stored token, a user adds a deal, the portal posts the event, the
 * app verifies it (application_token) and, its stored access token having expired, refreshes it and reads the
 * deal. Memory always; SQLite when better-sqlite3 loads; Redis when redis-server is on PATH (else skipped, saying
 * why).
 */
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator } from '../../src/emulator/index.js'
import type { BitrixIncomingRejected } from '../../src/errors/index.js'
import {
  BitrixApp,
  BitrixWebhook,
  Client,
  createAppHandler,
  type InstallationStore,
  MemoryInstallationStore,
  SqliteInstallationStore,
  StoredBitrixToken,
  toNodeListener,
} from '../../src/index.js'
import { RedisInstallationStore } from '../../src/redis/index.js'
import { type RedisInstance, redisMissing, startRedis } from '../redis/redis-server.js'
import { listen, post } from './portal-calls.js'

const Database = await import('better-sqlite3').then(
  (module) => module.default,
  (error: unknown) => {
    console.warn(`[test/app] better-sqlite3 does not load (${String(error)}): the SQLite end-to-end case is skipped`)
    return undefined
  },
)

let redis: RedisInstance | undefined
let redisClient: Redis | undefined
beforeAll(async () => {
  if (redisMissing === undefined) {
    redis = await startRedis()
    redisClient = redis.client()
  }
})
afterAll(async () => {
  await redis?.stop()
})

const stores: Array<[string, () => InstallationStore, string | undefined]> = [
  ['memory', () => new MemoryInstallationStore(), undefined],
  [
    'SQLite',
    () => new SqliteInstallationStore(new (Database as typeof import('better-sqlite3'))(':memory:')),
    Database === undefined ? 'better-sqlite3 is not installed' : undefined,
  ],
  ['Redis', () => new RedisInstallationStore({ client: redisClient as Redis, prefix: 'e2e' }), redisMissing],
]

describe.each(stores)('install → event → refresh → read, with the %s store', (_name, makeStore, skipReason) => {
  it.skipIf(skipReason !== undefined)('works end to end, and each side saw what it should', async () => {
    const emu = await startEmulator({ plan: 'off', realDelays: false, seed: { deals: 3 } })
    const store = makeStore()
    const seen = {
      installs: [] as string[],
      deals: [] as Array<{ id: string; title: string }>,
      rejected: [] as string[],
    }
    let bitrixApp: BitrixApp | undefined
    const clientFor = async (memberId: string) =>
      new Client(await StoredBitrixToken.load({ memberId, store, bitrixApp: bitrixApp as BitrixApp }), {
        limiter: false,
      })

    const app = await listen(
      toNodeListener(
        createAppHandler({
          findInstallation: async (memberId) => {
            const found = await store.get(memberId)
            return found?.applicationToken
              ? { applicationToken: found.applicationToken, domain: found.domain }
              : undefined
          },
          onInstall: async (installation) => {
            seen.installs.push(installation.memberId)
            await store.save({
              memberId: installation.memberId,
              domain: installation.domain,
              scopes: installation.scope,
              applicationToken: installation.applicationToken,
              accessToken: installation.accessToken,
              refreshToken: installation.refreshToken,
              expires: installation.expires,
            })
          },
          events: {
            // The app reads the deal with its stored token (expired by then: it refreshes first).
            ONCRMDEALADD: async (event) => {
              const id = event.data.FIELDS?.ID ?? ''
              const deal = await (await clientFor(event.auth.memberId)).crm.deal.get({ id: Number(id) })
              seen.deals.push({ id, title: String(deal.result.TITLE) })
            },
          },
          onRejected: (error: BitrixIncomingRejected) => {
            seen.rejected.push(error.reason)
          },
        }),
      ),
    )
    try {
      const registered = emu.createApp({ redirectUri: `${app.url}/oauth`, installUrl: `${app.url}/install` })
      bitrixApp = new BitrixApp({
        clientId: registered.clientId,
        clientSecret: registered.clientSecret,
        oauthServer: emu.url,
      })

      // Install: the user approves the app on the portal; the portal posts ONAPPINSTALL.
      const authorize = await fetch(`${emu.url}/oauth/authorize/?client_id=${registered.clientId}&state=e2e`, {
        redirect: 'manual',
      })
      expect(authorize.status).toBe(302)
      await emu.events.idle()
      expect(seen.installs).toEqual([emu.memberId])
      const stored = await store.get(emu.memberId)
      expect(stored).toMatchObject({
        memberId: emu.memberId,
        domain: emu.domain,
        applicationToken: registered.applicationToken,
      })

      // The app binds ONCRMDEALADD with the stored token.
      const bound = await (await clientFor(emu.memberId)).event.bind({
        event: 'ONCRMDEALADD',
        handler: `${app.url}/events`,
      })
      expect(bound.result).toBe(true)

      // A forged event (another application token) is refused and changes nothing.
      const forged = await post(
        `${app.url}/events`,
        `event=ONCRMDEALADD&data[FIELDS][ID]=1&auth[member_id]=${emu.memberId}&auth[domain]=${emu.domain}&auth[application_token]=forged`,
      )
      expect(forged.status).toBeGreaterThanOrEqual(400)

      // The stored access token expires; a user adds a deal; the portal posts the event.
      emu.expireTokens()
      const refreshesBefore = emu.stats.oauthRefreshes
      const title = `E2E deal ${_name}`
      const added = await new Client(BitrixWebhook.fromUrl(emu.webhookUrl), { limiter: false }).crm.deal.add({
        fields: { TITLE: title },
      })
      await emu.events.idle()

      // The app saw: one install, the verified event, the deal it read after one refresh; one forgery refused.
      expect(seen.deals).toEqual([{ id: String(added.result), title }])
      expect(seen.rejected).toHaveLength(1)
      expect(emu.stats.oauthRefreshes - refreshesBefore).toBe(1)
      const renewed = await store.get(emu.memberId)
      expect(renewed?.accessToken).not.toBe(stored?.accessToken)
      expect(renewed?.refreshToken).not.toBe(stored?.refreshToken)
      // The portal saw: two events delivered to the app, its bind and its read of the deal as an OAuth app (the
      // read with the expired token failed at the auth stage, before any method ran, so it is not a received call).
      expect(emu.events.deliveries.map((d) => [d.event, d.outcome])).toEqual([
        ['ONAPPINSTALL', 'delivered'],
        ['ONCRMDEALADD', 'delivered'],
      ])
      const appCalls = emu.received.filter((call) => call.authType === 'oauth').map((call) => call.method)
      expect(appCalls).toEqual(['event.bind', 'crm.deal.get'])
      expect(emu.received.find((call) => call.method === 'crm.deal.get')).toMatchObject({
        params: { id: Number(added.result) },
        error: undefined,
      })
      expect(emu.stats.statuses['401']).toBe(1)
    } finally {
      await app.close()
      await emu.close()
    }
  })
})
