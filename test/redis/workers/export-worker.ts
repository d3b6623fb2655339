/**
 * One export worker: lists deal pages from the portal as fast as its limiter lets it, with its limits kept in
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
let rows = 0
for (let page = 0; page < pages; page++) {
  const response = await client.crm.deal.list({ select: ['ID'], order: { ID: 'ASC' }, start: page * 50 })
  rows += response.result.length
}
process.stdout.write(`${JSON.stringify({ done: true, rows })}\n`)
redis?.disconnect()
