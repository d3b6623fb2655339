/**
 * Issue 11's acceptance for many workers on one portal, with real processes, a real redis-server and the
 * emulator: a shared rate limit, one refresh for twenty processes, one shared refusal, and a killed lock holder.
 */
import type { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { RedisInstallationStore } from '../../src/redis/index.js'
import { bundleWorker, type Message, startWorker, stopWorker, type Worker } from './child.js'
import { type RedisInstance, redisMissing, startRedis } from './redis-server.js'

const WAIT_MS = 60_000
/** Twenty processes start on a busy two-core machine too. */
const TEST_MS = 180_000

describe.skipIf(redisMissing !== undefined)('many workers, one portal, one Redis', () => {
  let redis: RedisInstance
  let client: Redis
  let emu: Emulator | undefined
  const workers: Worker[] = []
  let prefixes = 0
  let tokenWorker: string
  let exportWorker: string

  beforeAll(async () => {
    redis = await startRedis()
    client = redis.client()
    ;[tokenWorker, exportWorker] = await Promise.all([
      bundleWorker('./workers/token-worker.ts'),
      bundleWorker('./workers/export-worker.ts'),
    ])
  })
  afterEach(async () => {
    for (const worker of workers.splice(0)) stopWorker(worker)
    await emu?.close()
    emu = undefined
  })
  afterAll(async () => {
    await redis?.stop()
  })

  /** A portal with an installed app whose token is stored in Redis under a fresh prefix. */
  async function installed(refreshToken?: string) {
    emu = await startEmulator({ plan: 'off', realDelays: false, seed: { deals: 5 } })
    const app = emu.createApp({ scopes: 'all' })
    const issued = emu.issueToken({ clientId: app.clientId })
    const prefix = `install${++prefixes}`
    await new RedisInstallationStore({ client, prefix }).save({
      memberId: issued.memberId,
      domain: emu.url,
      scopes: issued.scope.split(','),
      applicationToken: issued.applicationToken,
      accessToken: issued.accessToken,
      refreshToken: refreshToken ?? issued.refreshToken,
      expires: issued.expires,
    })
    const env = {
      REDIS_PORT: String(redis.port),
      REDIS_PREFIX: prefix,
      EMU_URL: emu.url,
      CLIENT_ID: app.clientId,
      CLIENT_SECRET: app.clientSecret,
      MEMBER_ID: issued.memberId,
      LEASE_MS: '1500',
    }
    return { emu, env, prefix, memberId: issued.memberId, accessToken: issued.accessToken }
  }

  function spawnTokenWorkers(count: number, env: Record<string, string>): Worker[] {
    const started = Array.from({ length: count }, () => startWorker(tokenWorker, env))
    workers.push(...started)
    return started
  }

  const ended = (message: Message) => message.ok !== undefined

  /** Four export workers on one portal (standard plan): the portal's 503 answers while they ran. */
  async function fourExporters(store: 'redis' | 'memory'): Promise<{ refused: number; rows: number[] }> {
    const timeScale = 10
    emu = await startEmulator({ plan: 'standard', timeScale, realDelays: false, seed: { deals: 1000 } })
    const env = {
      STORE: store,
      REDIS_PORT: String(redis.port),
      REDIS_PREFIX: `export${++prefixes}`,
      WEBHOOK_URL: emu.webhookUrl,
      TIME_SCALE: String(timeScale),
      PAGES: '30',
    }
    const four = Array.from({ length: 4 }, () => startWorker(exportWorker, env))
    workers.push(...four)
    await Promise.all(four.map((worker) => worker.next((m) => m.ready === true, WAIT_MS)))
    for (const worker of four) worker.send('go')
    const done = await Promise.all(four.map((worker) => worker.next((m) => m.done === true, WAIT_MS * 2)))
    const refused = emu.getStats().responses503
    await emu.close()
    emu = undefined
    return { refused, rows: done.map((message) => message.rows as number) }
  }

  it(
    'four workers exporting from one portal: no QUERY_LIMIT_EXCEEDED through Redis, some with memory stores',
    async () => {
      const memory = await fourExporters('memory')
      const shared = await fourExporters('redis')
      console.log(
        `QUERY_LIMIT_EXCEEDED answers, 4 workers x 30 pages: memory stores ${memory.refused}, Redis ${shared.refused}`,
      )
      expect(shared.refused).toBe(0)
      expect(memory.refused).toBeGreaterThan(0)
      // Both exported everything: 1000 deals each, the limiter only changed when requests went.
      expect(memory.rows).toEqual([1000, 1000, 1000, 1000])
      expect(shared.rows).toEqual(memory.rows)
    },
    TEST_MS,
  )

  /** Twenty workers ready on a stored token, the portal expires it, all twenty call: their answers and refreshes. */
  async function twentyOnExpiredToken(refreshToken?: string) {
    const { emu, env, prefix, memberId, accessToken } = await installed(refreshToken)
    const twenty = spawnTokenWorkers(20, env)
    await Promise.all(twenty.map((worker) => worker.next((m) => m.ready === true, WAIT_MS)))
    emu.expireTokens()
    const before = emu.getStats().oauthRefreshes
    for (const worker of twenty) worker.send('go')
    const results = await Promise.all(twenty.map((worker) => worker.next(ended, WAIT_MS)))
    const stored = await new RedisInstallationStore({ client, prefix }).get(memberId)
    return { results, refreshes: emu.getStats().oauthRefreshes - before, stored, accessToken }
  }

  it(
    'twenty processes on an expired token: one refresh reaches the OAuth server, all twenty succeed',
    async () => {
      const { results, refreshes, stored, accessToken } = await twentyOnExpiredToken()
      expect(refreshes).toBe(1)
      expect(results).toEqual(Array.from({ length: 20 }, () => ({ ok: true, id: '1' })))
      expect(stored?.accessToken).not.toBe(accessToken)
      expect(stored?.refreshing).toBeUndefined()
    },
    TEST_MS,
  )

  it(
    'when that refresh fails: still one request, and all twenty get the same typed error',
    async () => {
      const { results, refreshes, stored } = await twentyOnExpiredToken('a-refresh-token-the-portal-revoked')
      expect(refreshes).toBe(1)
      const same = { ok: false, name: 'BitrixOAuthReauthorizationRequired', code: 'invalid_grant', rotationLost: false }
      expect(results).toEqual(Array.from({ length: 20 }, () => same))
      expect(stored?.refreshFailure?.error).toBe('invalid_grant')
    },
    TEST_MS,
  )

  it(
    'a lock holder killed after the rotation, before the save: the others get re-authorization, no hang',
    async () => {
      const { emu, env } = await installed()
      const [victim] = spawnTokenWorkers(1, { ...env, ROLE: 'victim' })
      const others = spawnTokenWorkers(19, env)
      await Promise.all([victim, ...others].map((worker) => worker.next((m) => m.ready === true, WAIT_MS)))
      emu.expireTokens()
      const before = emu.getStats().oauthRefreshes
      victim.send('go')
      // The OAuth server rotated the pair and the victim holds the lock, its new token not saved yet.
      await victim.next((m) => m.rotated === true, WAIT_MS)
      for (const worker of others) worker.send('go')
      const exited = new Promise((resolve) => victim.process.once('exit', (_code, signal) => resolve(signal)))
      victim.process.kill('SIGKILL')
      expect(await exited).toBe('SIGKILL')
      const results = await Promise.all(others.map((worker) => worker.next(ended, WAIT_MS)))
      const reauthorize = {
        ok: false,
        name: 'BitrixOAuthReauthorizationRequired',
        code: 'invalid_grant',
        rotationLost: true,
      }
      expect(results).toEqual(Array.from({ length: 19 }, () => reauthorize))
      // The victim's refresh and one more, by whoever took the lock over: the rest learnt the answer from the store.
      expect(emu.getStats().oauthRefreshes - before).toBe(2)
    },
    TEST_MS,
  )
})
