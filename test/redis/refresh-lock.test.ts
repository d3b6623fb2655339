import { describe, expect, it } from 'vitest'
import { BitrixRefreshLockTimeout } from '../../src/errors/index.js'
import { RedisRefreshLock } from '../../src/redis/index.js'
import { redisMissing, useRedis } from './redis-server.js'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.skipIf(redisMissing !== undefined)('RedisRefreshLock', () => {
  const redis = useRedis()

  it('runs one holder at a time, and a live holder keeps its lock past the lease', async () => {
    const lock = new RedisRefreshLock({ client: redis.client, prefix: 'one', leaseMs: 300, pollMs: 10 })
    const events: string[] = []
    const holder = (name: string, ms: number) =>
      lock.withLock('refresh:m1', async ({ waited }) => {
        events.push(`${name} in${waited ? ' (waited)' : ''}`)
        await pause(ms)
        events.push(`${name} out`)
      })
    // The first holds for several leases; its heartbeat keeps the second out until it is done.
    const first = holder('first', 1_200)
    await pause(20)
    await Promise.all([first, holder('second', 1)])
    expect(events).toEqual(['first in', 'first out', 'second in (waited)', 'second out'])
    expect(await redis.client.exists('one:lock:refresh%3am1')).toBe(0)
  })

  it('takes over the lock of a holder that died once its lease ends', async () => {
    // A dead holder: a lock nobody extends or releases.
    await redis.client.set('dead:lock:refresh%3am2', 'gone-process', 'PX', 300)
    const lock = new RedisRefreshLock({
      client: redis.client,
      prefix: 'dead',
      leaseMs: 5_000,
      pollMs: 10,
      waitMs: 10_000,
    })
    const hold = await lock.withLock('refresh:m2', async (held) => held)
    expect(hold).toEqual({ waited: true })
  })

  it('gives up after waitMs with a typed error naming the lock, and releases its own lock on a failure', async () => {
    const lock = new RedisRefreshLock({ client: redis.client, prefix: 'wait', leaseMs: 5_000, pollMs: 10, waitMs: 100 })
    let release = () => {}
    const held = lock.withLock('refresh:m3', () => new Promise<void>((resolve) => (release = resolve)))
    await pause(20)
    const error = await lock.withLock('refresh:m3', async () => 'never').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(BitrixRefreshLockTimeout)
    expect((error as BitrixRefreshLockTimeout).lock).toBe('refresh:m3')
    release()
    await held
    await expect(lock.withLock('refresh:m3', () => Promise.reject(new Error('task failed')))).rejects.toThrow(
      'task failed',
    )
    expect(await lock.withLock('refresh:m3', async ({ waited }) => waited)).toBe(false)
  })

  it('refuses options that would make it hang or spin', () => {
    expect(() => new RedisRefreshLock({ client: redis.client, leaseMs: 0 })).toThrow(/leaseMs/)
    expect(() => new RedisRefreshLock({ client: redis.client, waitMs: Number.POSITIVE_INFINITY })).toThrow(/waitMs/)
    expect(() => new RedisRefreshLock({ client: {} as never })).toThrow(/eval and evalsha/)
  })
})
