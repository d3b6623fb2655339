/**
 * One export worker: asks for all its deal pages at once, and its limiter paces them, with its limits kept in
 * Redis (`STORE=redis`, shared with the other workers) or in its own memory (`STORE=memory`). Says `ready`, starts
 * on `go` (so the workers start together), and prints one JSON line when done.
 */
import { createInterface } from 'node:readline'
import { Redis } from 'ioredis'
import { BitrixWebhook, Client, type LimiterStore, MemoryStore, RateLimiter } from '../../../src/index.js'
import { RedisLimiterStore } from '../../../src/redis/index.js'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

const redis = process.env.STORE === 'redis' ? new Redis(Number(env('REDIS_PORT')), '127.0.0.1') : undefined
const store: LimiterStore = redis
  ? new RedisLimiterStore({ client: redis, prefix: env('REDIS_PREFIX') })
  : new MemoryStore()
const webhook = BitrixWebhook.fromUrl(env('WEBHOOK_URL'))
const limiter = new RateLimiter({ plan: 'standard', store, key: webhook.domain, timeScale: Number(env('TIME_SCALE')) })
const client = new Client(webhook, { limiter, defaultMaxRetries: 20 })
const pages = Number(env('PAGES'))
process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  if (line.trim() === 'go') break
}
lines.close()
// Every page at once: the limiter alone decides when each request goes.
const answers = await Promise.all(
  Array.from({ length: pages }, (_, page) =>
    client.crm.deal.list({ select: ['ID'], order: { ID: 'ASC' }, start: page * 50 }),
  ),
)
const rows = answers.reduce((sum, response) => sum + response.result.length, 0)
process.stdout.write(`${JSON.stringify({ done: true, rows })}\n`)
redis?.disconnect()
