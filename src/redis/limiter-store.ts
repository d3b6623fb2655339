/**
 * A `LimiterStore` in Redis: the request bucket and the operating-time snapshots shared by every process on every
 * host that talks to one portal. Each bucket step is one Lua script (atomic on the server) applying the same
 * arithmetic as `leaky-bucket.ts`; the time it uses is Redis's own `TIME`, one clock for every host.
 */
import type { BucketSpec } from '../limits/leaky-bucket.js'
import type { OperatingSnapshot } from '../limits/operating.js'
import type { LimiterStore } from '../limits/store.js'
import {
  GET_SCRIPT,
  keyPart,
  RedisScript,
  type RedisScriptClient,
  replyString,
  requireScriptClient,
  SET_SCRIPT,
} from './client.js'

/** What `RedisLimiterStore` takes: a Redis client, and how keys and time are chosen. */
export interface RedisLimiterStoreOptions {
  /** An ioredis client, or any object with its `eval` / `evalsha`. */
  client: RedisScriptClient
  /** Prefix of every key; default `'b24tssdk'`. */
  prefix?: string
  /**
   * The public address these requests leave from. The portal counts its bucket per source address, so workers
   * behind different egress addresses have a bucket each. Default `'shared'`: every worker shares one bucket,
   * which is right behind one NAT and only cautious otherwise.
   */
  egress?: string
  /**
   * Whose clock the bucket runs on: `'redis'` (default, `TIME` on the Redis server: one clock for every host) or
   * `'caller'` (the `now` the limiter passes; for one host, or to replay a sequence in tests).
   */
  clock?: 'redis' | 'caller'
}

/**
 * One bucket step. KEYS[1]: the bucket hash `{ level, at }`. ARGV: step (`take` | `giveBack` | `fill`), now in ms
 * (empty: Redis `TIME`), burst, drain per second. Returns the wait in ms as a string (`inf`: never), doubles
 * written with 17 digits so the state round-trips exactly.
 */
const BUCKET_SCRIPT = new RedisScript(`
local now = tonumber(ARGV[2])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local burst = tonumber(ARGV[3])
local rate = tonumber(ARGV[4])
local full = burst * 1000 / rate
local level = tonumber(redis.call('HGET', KEYS[1], 'level'))
local at = tonumber(redis.call('HGET', KEYS[1], 'at'))
if level == nil or at == nil then
  level = 0
  at = now
elseif now <= at then
  if at - now > full then at = now end
else
  level = math.max(0, level - (now - at) * rate / 1000)
  at = now
end
local wait = '0'
local step = ARGV[1]
if step == 'take' then
  local excess = level + 1 - burst
  if excess > 0 then
    if rate > 0 then wait = string.format('%.17g', excess * 1000 / rate) else wait = 'inf' end
  end
  level = level + 1
elseif step == 'giveBack' then
  level = math.max(0, level - 1)
else
  level = math.max(level + 1, burst)
end
redis.call('HSET', KEYS[1], 'level', string.format('%.17g', level), 'at', string.format('%.17g', at))
if rate > 0 then
  redis.call('PEXPIRE', KEYS[1], math.ceil(level * 1000 / rate) + 60000)
end
return wait
`)

/** Limiter state in Redis, shared by every process that talks to the same portals. */
export class RedisLimiterStore implements LimiterStore {
  readonly #client: RedisScriptClient
  readonly #prefix: string
  readonly #egress: string
  readonly #callerClock: boolean

  constructor(options: RedisLimiterStoreOptions) {
    this.#client = requireScriptClient(options?.client, 'RedisLimiterStore')
    this.#prefix = keyPart(options.prefix ?? 'b24tssdk')
    this.#egress = keyPart(options.egress ?? 'shared')
    this.#callerClock = options.clock === 'caller'
  }

  /** The Redis key of a limiter's bucket: it names the portal (in `key`) and the egress address. */
  bucketKey(key: string): string {
    return `${this.#prefix}:bucket:${this.#egress}:${keyPart(key)}`
  }

  /** The Redis key of an operating-time snapshot (per portal, application and method, all in `key`). */
  operatingKey(key: string): string {
    return `${this.#prefix}:operating:${keyPart(key)}`
  }

  async take(key: string, now: number, bucket: BucketSpec): Promise<number> {
    const reply = replyString(await this.#step('take', key, now, bucket))
    return reply === 'inf' ? Number.POSITIVE_INFINITY : Number(reply)
  }

  async giveBack(key: string, now: number, bucket: BucketSpec): Promise<void> {
    await this.#step('giveBack', key, now, bucket)
  }

  async fill(key: string, now: number, bucket: BucketSpec): Promise<void> {
    await this.#step('fill', key, now, bucket)
  }

  async getOperating(key: string): Promise<OperatingSnapshot | undefined> {
    const text = replyString(await GET_SCRIPT.run(this.#client, [this.operatingKey(key)], []))
    if (text === undefined) return undefined
    try {
      return JSON.parse(text) as OperatingSnapshot
    } catch {
      // Someone else's value under our key: as good as none; the next report replaces it.
      return undefined
    }
  }

  async setOperating(key: string, snapshot: OperatingSnapshot, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs))
    await SET_SCRIPT.run(this.#client, [this.operatingKey(key)], [JSON.stringify(snapshot), ttl])
  }

  #step(step: 'take' | 'giveBack' | 'fill', key: string, now: number, bucket: BucketSpec): Promise<unknown> {
    const time = this.#callerClock ? String(now) : ''
    return BUCKET_SCRIPT.run(
      this.#client,
      [this.bucketKey(key)],
      [step, time, String(bucket.burst), String(bucket.drainPerSecond)],
    )
  }
}
