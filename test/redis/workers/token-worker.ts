/**
 * One worker process of an app: loads the portal's token from Redis, says `ready`, waits for `go` on stdin, makes
 * one call and prints how it ended, as one JSON line each. `ROLE=victim` hangs right after its refresh reached
 * the OAuth server (before the store saved it), so the test can SIGKILL it there.
 */
import { createInterface } from 'node:readline'
import { Redis } from 'ioredis'
import { BitrixOAuthError } from '../../../src/errors/index.js'
import { BitrixApp, Client, StoredBitrixToken } from '../../../src/index.js'
import { RedisInstallationStore, RedisRefreshLock } from '../../../src/redis/index.js'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}
const say = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`)

const redis = new Redis(Number(env('REDIS_PORT')), '127.0.0.1', { maxRetriesPerRequest: 2 })
const prefix = env('REDIS_PREFIX')
const token = await StoredBitrixToken.load({
  memberId: env('MEMBER_ID'),
  store: new RedisInstallationStore({ client: redis, prefix }),
  lock: new RedisRefreshLock({ client: redis, prefix, leaseMs: Number(env('LEASE_MS')), waitMs: 20_000 }),
  bitrixApp: new BitrixApp({
    clientId: env('CLIENT_ID'),
    clientSecret: env('CLIENT_SECRET'),
    oauthServer: env('EMU_URL'),
  }),
})
if (process.env.ROLE === 'victim') {
  token.on('oauthTokenRenewed', () => {
    say({ rotated: true })
    return new Promise<void>(() => {})
  })
}
const client = new Client(token, { limiter: false, defaultMaxRetries: 0 })
say({ ready: true })
const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  if (line.trim() === 'go') break
}
try {
  const response = await client.crm.deal.get({ id: 1 })
  say({ ok: true, id: response.result.ID })
} catch (error) {
  const oauth = error instanceof BitrixOAuthError ? error : undefined
  say({
    ok: false,
    name: (error as Error).name,
    code: oauth?.error,
    rotationLost: (error as { rotationLost?: boolean }).rotationLost,
  })
}
lines.close()
redis.disconnect()
