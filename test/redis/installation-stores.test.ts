/**
 * The installation stores (memory, Redis, SQLite) keep one record per member_id, and a `StoredBitrixToken` on
 * each loads before use, saves after a refresh and lets a second token object take the refreshed pair from the
 * store instead of refreshing again — over real HTTP against the emulator.
 */
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import {
  BitrixOAuthInvalidClient,
  BitrixOAuthReauthorizationRequired,
  BitrixValidationError,
} from '../../src/errors/index.js'
import {
  BitrixApp,
  Client,
  type Installation,
  type InstallationStore,
  MemoryInstallationStore,
  SqliteInstallationStore,
  StoredBitrixToken,
} from '../../src/index.js'
import { RedisInstallationStore } from '../../src/redis/index.js'
import { type RedisInstance, redisMissing, startRedis } from './redis-server.js'

/** better-sqlite3 is an optional peer with a native build: without it the SQLite cases are skipped, saying why. */
const Database = await import('better-sqlite3').then(
  (module) => module.default,
  (error: unknown) => {
    console.warn(`[test/redis] better-sqlite3 does not load (${String(error)}): SQLite store tests skipped`)
    return undefined
  },
)

const record: Installation = {
  memberId: 'a1b2c3',
  domain: 'example.bitrix24.com',
  scopes: ['crm', 'user'],
  applicationToken: 'app-token',
  accessToken: 'access-1',
  refreshToken: 'refresh-1',
  expires: 1_900_000_000,
}

let redis: RedisInstance | undefined
let client: Redis | undefined
let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({ plan: 'off', realDelays: false, seed: { deals: 3 } })
  if (redisMissing === undefined) {
    redis = await startRedis()
    client = redis.client()
  }
})
afterAll(async () => {
  await emu?.close()
  await redis?.stop()
})

let prefixes = 0

/** An app installed on the emulator, its installation saved in `store`. */
async function install(store: InstallationStore) {
  const app = emu.createApp({ scopes: 'all' })
  const issued = emu.issueToken({ clientId: app.clientId })
  await store.save({
    memberId: issued.memberId,
    domain: emu.url,
    scopes: ['crm'],
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken,
    expires: issued.expires,
  })
  return { app, issued }
}
const stores: Array<[string, () => InstallationStore, boolean]> = [
  ['memory', () => new MemoryInstallationStore(), true],
  [
    'SQLite',
    () => new SqliteInstallationStore(new (Database as typeof import('better-sqlite3'))(':memory:')),
    Database !== undefined,
  ],
  [
    'Redis',
    () => new RedisInstallationStore({ client: client as Redis, prefix: `s${++prefixes}` }),
    redisMissing === undefined,
  ],
]

describe.each(stores)('%s installation store', (_name, makeStore, available) => {
  const skip = !available

  it.skipIf(skip)('keeps one record per member_id: save, get, replace, delete', async () => {
    const store = makeStore()
    expect(await store.get(record.memberId)).toBeUndefined()
    await store.save(record)
    expect(await store.get(record.memberId)).toEqual(record)
    const renewed = { ...record, accessToken: 'access-2', refreshToken: 'refresh-2' }
    await store.save(renewed)
    await store.save({ ...record, memberId: 'other' })
    expect(await store.get(record.memberId)).toEqual(renewed)
    await store.delete(record.memberId)
    expect(await store.get(record.memberId)).toBeUndefined()
    expect((await store.get('other'))?.memberId).toBe('other')
  })

  it.skipIf(skip)('refuses a record without its key fields, naming the field', async () => {
    const store = makeStore()
    await expect(store.save({ ...record, memberId: '' })).rejects.toThrow(/memberId/)
    await expect(store.save({ ...record, scopes: undefined as unknown as string[] })).rejects.toThrow(/scopes/)
  })

  it.skipIf(skip)('backs a token: refreshed once, saved, and taken from the store by a second object', async () => {
    const store = makeStore()
    const { app, issued } = await install(store)
    const bitrixApp = new BitrixApp({ clientId: app.clientId, clientSecret: app.clientSecret, oauthServer: emu.url })
    const first = await StoredBitrixToken.load({ memberId: issued.memberId, store, bitrixApp })
    const second = await StoredBitrixToken.load({ memberId: issued.memberId, store, bitrixApp })
    emu.expireTokens()
    const before = emu.getStats().oauthRefreshes
    expect((await new Client(first, { limiter: false }).crm.deal.get({ id: 1 })).result.ID).toBe('1')
    const saved = await store.get(issued.memberId)
    expect(saved?.accessToken).toBe(first.authToken)
    expect(saved?.accessToken).not.toBe(issued.accessToken)
    // The second still holds the old pair: the portal rejects it, and it finds the new one in the store.
    expect((await new Client(second, { limiter: false }).crm.deal.get({ id: 2 })).result.ID).toBe('2')
    expect(second.authToken).toBe(first.authToken)
    expect(emu.getStats().oauthRefreshes - before).toBe(1)
    expect(JSON.stringify(first)).not.toContain(first.authToken)
  })
})

describe('StoredBitrixToken refusals', () => {
  it('shares invalid_grant with later callers, but asks again after a refusal that was its own (invalid_client)', async () => {
    const store = new MemoryInstallationStore()
    const { app, issued } = await install(store)
    const load = (clientSecret: string) =>
      StoredBitrixToken.load({
        memberId: issued.memberId,
        store,
        bitrixApp: new BitrixApp({ clientId: app.clientId, clientSecret, oauthServer: emu.url }),
      })
    const wrongSecret = await load('not-the-secret')
    await expect(wrongSecret.refresh()).rejects.toThrow(BitrixOAuthInvalidClient)
    expect((await store.get(issued.memberId))?.refreshFailure?.error).toBe('invalid_client')
    // A process deployed with the right secret is not held back by the other one's refusal.
    const rightSecret = await load(app.clientSecret)
    await rightSecret.refresh()
    const saved = await store.get(issued.memberId)
    expect(saved?.refreshFailure).toBeUndefined()
    expect(saved?.accessToken).toBe(rightSecret.authToken)
    // A refresh token the server refused stays refused for everyone, without another request.
    await store.save({ ...(saved as Installation), refreshToken: 'revoked-refresh-token' })
    const before = emu.getStats().oauthRefreshes
    await expect((await load(app.clientSecret)).refresh()).rejects.toThrow(BitrixOAuthReauthorizationRequired)
    await expect((await load(app.clientSecret)).refresh()).rejects.toThrow(BitrixOAuthReauthorizationRequired)
    expect(emu.getStats().oauthRefreshes - before).toBe(1)
  })
})

describe('StoredBitrixToken.load', () => {
  it('names what is missing: no installation for that member_id', async () => {
    const bitrixApp = new BitrixApp({ clientId: 'app', clientSecret: 'secret' })
    const store = new MemoryInstallationStore()
    const loading = StoredBitrixToken.load({ memberId: 'nobody', store, bitrixApp })
    await expect(loading).rejects.toThrow(BitrixValidationError)
    await expect(loading).rejects.toThrow(/member_id nobody/)
  })
})
