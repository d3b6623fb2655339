/**
 * A `RefreshLock` in Redis: `SET NX PX` with a lease the holder keeps extending while it runs. A holder that
 * dies (even by `SIGKILL`) stops extending it, so the lock frees itself within one lease; nobody waits forever.
 */
import { randomUUID } from 'node:crypto'
import { BitrixRefreshLockTimeout } from '../errors/index.js'
import type { LockHold, RefreshLock } from '../stores/lock.js'
import { keyPart, RedisScript, type RedisScriptClient, replyString, requireScriptClient } from './client.js'

/** What `RedisRefreshLock` takes: a Redis client, key prefix, lease and wait bounds. */
export interface RedisRefreshLockOptions {
  /** An ioredis client, or any object with its `eval` / `evalsha`. */
  client: RedisScriptClient
  /** Prefix of every key; default `'b24tssdk'`. */
  prefix?: string
  /** How long the lock outlives a holder that stopped extending it (died), ms; default 10 000. */
  leaseMs?: number
  /** How long a process waits for the lock before `BitrixRefreshLockTimeout`, ms; default 60 000. */
  waitMs?: number
  /** How often a waiting process tries again, ms; default 50 (with up to as much jitter). */
  pollMs?: number
}

const ACQUIRE = new RedisScript("return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])")
const EXTEND = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`)
const RELEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

/** One refresh at a time across processes and hosts, with a lease a dead holder cannot keep. */
export class RedisRefreshLock implements RefreshLock {
  readonly #client: RedisScriptClient
  readonly #prefix: string
  readonly #leaseMs: number
  readonly #waitMs: number
  readonly #pollMs: number

  constructor(options: RedisRefreshLockOptions) {
    this.#client = requireScriptClient(options?.client, 'RedisRefreshLock')
    this.#prefix = keyPart(options.prefix ?? 'b24tssdk')
    this.#leaseMs = positive(options.leaseMs ?? 10_000, 'leaseMs')
    this.#waitMs = positive(options.waitMs ?? 60_000, 'waitMs')
    this.#pollMs = positive(options.pollMs ?? 50, 'pollMs')
  }

  async withLock<T>(name: string, task: (hold: LockHold) => Promise<T>): Promise<T> {
    const key = `${this.#prefix}:lock:${keyPart(name)}`
    const owner = randomUUID()
    const started = Date.now()
    let waited = false
    while (replyString(await ACQUIRE.run(this.#client, [key], [owner, this.#leaseMs])) !== 'OK') {
      waited = true
      const waitedMs = Date.now() - started
      if (waitedMs >= this.#waitMs) throw new BitrixRefreshLockTimeout({ lock: name, waitedMs })
      await sleep(Math.min(this.#pollMs * (1 + Math.random()), this.#waitMs - waitedMs))
    }
    const heartbeat = setInterval(
      () => {
        EXTEND.run(this.#client, [key], [owner, this.#leaseMs]).catch(() => {})
      },
      Math.max(1, Math.floor(this.#leaseMs / 3)),
    )
    heartbeat.unref?.()
    try {
      return await task({ waited })
    } finally {
      clearInterval(heartbeat)
      await RELEASE.run(this.#client, [key], [owner]).catch(() => {})
    }
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number of ms`)
  return Math.ceil(value)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, ms)))
}
