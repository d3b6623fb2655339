/**
 * Where a `RateLimiter` keeps the state that every client of one portal must share. Each method is one atomic
 * step, so a network store can implement it without locks:
 *
 * - Redis: keep a bucket as a hash `{ level, at }` and run `take` / `giveBack` / `fill` as one Lua script each
 *   (`EVALSHA`): read, apply the few lines of `leaky-bucket.ts` (`reserve`, `unreserve`, `saturate`), write, and
 *   return the wait. Pass the script `redis.call('TIME')` instead of `now` to give every host one clock. Operating
 *   snapshots are `GET` / `SET key json PX ttlMs`.
 * - Snapshots are last-writer-wins: each answer from the portal carries its own figure, so a lost write is
 *   corrected by the next one.
 *
 * Methods may return plain values (in memory) or promises (over a network).
 */
import { type BucketSpec, type BucketState, reserve, saturate, unreserve } from './leaky-bucket.js'
import type { OperatingSnapshot } from './operating.js'

/** A value, or a promise of it: `LimiterStore` methods may answer either way. */
export type Awaitable<T> = T | Promise<T>

/**
 * The state a `RateLimiter` shares between clients (and, with a network store, between processes): one leaky
 * bucket per portal and the last operating-time snapshot per method. `MemoryStore` is the in-process one.
 */
export interface LimiterStore {
  /** Reserves the next request slot of bucket `key` at `now` (ms); resolves to the ms to wait before sending. */
  take(key: string, now: number, bucket: BucketSpec): Awaitable<number>
  /** Returns a reserved slot that was not used (the caller gave up waiting). */
  giveBack(key: string, now: number, bucket: BucketSpec): Awaitable<void>
  /** The portal refused a request: count the bucket as full, so the next requests go at the drain rate. */
  fill(key: string, now: number, bucket: BucketSpec): Awaitable<void>
  /** The last snapshot stored under `key`, or `undefined` when there is none or its `ttlMs` has passed. */
  getOperating(key: string): Awaitable<OperatingSnapshot | undefined>
  /** Replaces the snapshot; it may be forgotten after `ttlMs`. */
  setOperating(key: string, snapshot: OperatingSnapshot, ttlMs: number): Awaitable<void>
}

/** State in this process: enough for one process, however many clients it runs. */
export class MemoryStore implements LimiterStore {
  readonly #buckets = new Map<string, BucketState>()
  readonly #snapshots = new Map<string, { snapshot: OperatingSnapshot; expiresAt: number }>()

  take(key: string, now: number, bucket: BucketSpec): number {
    const { state, waitMs } = reserve(this.#buckets.get(key), bucket, now)
    this.#buckets.set(key, state)
    return waitMs
  }

  giveBack(key: string, now: number, bucket: BucketSpec): void {
    this.#buckets.set(key, unreserve(this.#buckets.get(key), bucket, now))
  }

  fill(key: string, now: number, bucket: BucketSpec): void {
    this.#buckets.set(key, saturate(this.#buckets.get(key), bucket, now))
  }

  /** The snapshot stored under `key`, or `undefined` once its `ttlMs` has passed. */
  getOperating(key: string): OperatingSnapshot | undefined {
    const entry = this.#snapshots.get(key)
    if (entry && entry.expiresAt <= Date.now()) {
      this.#snapshots.delete(key)
      return undefined
    }
    return entry?.snapshot
  }

  setOperating(key: string, snapshot: OperatingSnapshot, ttlMs: number): void {
    this.#snapshots.set(key, { snapshot, expiresAt: Date.now() + ttlMs })
  }
}
