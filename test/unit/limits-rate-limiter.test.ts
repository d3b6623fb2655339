import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BitrixQueueTimeout } from '../../src/errors/index.js'
import { MemoryStore, RateLimiter, type WaitInfo } from '../../src/limits/index.js'
import type { BitrixTime } from '../../src/requests/response.js'

const T0 = 1_700_000_000_000

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(T0)
})
afterEach(() => {
  vi.useRealTimers()
})

/** Starts `count` acquires at once; `times[i]` is when the i-th was let through, ms after the start. */
function acquireMany(limiter: RateLimiter, count: number, methods: readonly string[] = ['crm.deal.get']) {
  const start = Date.now()
  const times: number[] = []
  const order: number[] = []
  const all = Promise.all(
    Array.from({ length: count }, (_, i) =>
      limiter.acquire(methods).then(() => {
        times[i] = Date.now() - start
        order.push(i)
      }),
    ),
  )
  return { times, order, all }
}

/** Tells the limiter a method was answered before (cheaply), so its calls go without a first probe. */
function seen(limiter: RateLimiter, ...methods: string[]): RateLimiter {
  const start = Date.now() / 1000
  limiter.record([], { subTimes: methods.map((method) => ({ method, time: time(start, 0.01, 0) })) })
  return limiter
}

/** A `time` block as the portal sends it, at portal time `start`. */
function time(start: number, processing: number, operating?: number, operatingResetAt?: number): BitrixTime {
  return {
    start,
    finish: start + processing,
    duration: processing,
    processing,
    dateStart: '',
    dateFinish: '',
    ...(operating === undefined ? {} : { operating }),
    ...(operatingResetAt === undefined ? {} : { operatingResetAt }),
  }
}

describe('RateLimiter: the bucket', () => {
  it('lets the burst through at once (less a little headroom), then one per drain interval', async () => {
    const limiter = seen(new RateLimiter({ plan: { burst: 5, drainPerSecond: 1 } }), 'crm.deal.get', 'x')
    const { times, all } = acquireMany(limiter, 7)
    await vi.advanceTimersByTimeAsync(10_000)
    await all
    expect(times).toEqual([0, 0, 0, 0, 1000, 2000, 3000])
  })

  it('serves concurrent acquirers first come, first served, and never over the bucket', async () => {
    const limiter = seen(new RateLimiter({ plan: 'standard' }), 'crm.deal.get', 'x')
    const { times, order, all } = acquireMany(limiter, 120)
    await vi.advanceTimersByTimeAsync(60_000)
    await all
    expect(order).toEqual([...order].sort((a, b) => a - b))
    // Replay the send times through the portal's bucket: no request may find it full.
    let level = 0
    let last = 0
    for (const at of [...times].sort((a, b) => a - b)) {
      level = Math.max(0, level - ((at - last) / 1000) * 2)
      last = at
      expect(level + 1).toBeLessThanOrEqual(50)
      level += 1
    }
    // And close to the ceiling: 48 at once, then 2 per second.
    expect(Math.max(...times)).toBe(36_000)
  })

  it('divides waits by timeScale', async () => {
    const limiter = seen(new RateLimiter({ plan: { burst: 2, drainPerSecond: 1 }, timeScale: 20 }), 'crm.deal.get', 'x')
    const { times, all } = acquireMany(limiter, 4)
    await vi.advanceTimersByTimeAsync(1000)
    await all
    expect(times).toEqual([0, 50, 100, 150])
  })

  it('shares one bucket between limiters on the same store and key', async () => {
    const store = new MemoryStore()
    const a = seen(
      new RateLimiter({ plan: { burst: 3, drainPerSecond: 1 }, store, key: 'portal' }),
      'crm.deal.get',
      'x',
    )
    const b = seen(
      new RateLimiter({ plan: { burst: 3, drainPerSecond: 1 }, store, key: 'portal' }),
      'crm.deal.get',
      'x',
    )
    const other = seen(
      new RateLimiter({ plan: { burst: 3, drainPerSecond: 1 }, store, key: 'elsewhere' }),
      'crm.deal.get',
      'x',
    )
    await a.acquire(['x'])
    await a.acquire(['x'])
    const { times, all } = acquireMany(b, 1)
    await other.acquire(['x'])
    await vi.advanceTimersByTimeAsync(2000)
    await all
    expect(times).toEqual([1000])
  })

  it('after a 503 paces at the drain rate and reports it as backoff', async () => {
    const waits: WaitInfo[] = []
    const limiter = seen(
      new RateLimiter({ plan: { burst: 10, drainPerSecond: 2 }, onWait: (w) => waits.push(w) }),
      'crm.deal.get',
      'x',
    )
    await limiter.acquire(['crm.deal.get'])
    limiter.record(['crm.deal.get'], { refused: 'QUERY_LIMIT_EXCEEDED' })
    const { times, all } = acquireMany(limiter, 3)
    await vi.advanceTimersByTimeAsync(5000)
    await all
    expect(times).toEqual([500, 1000, 1500])
    expect(waits.map((w) => w.reason)).toEqual(['backoff', 'backoff', 'backoff'])
    expect(waits[0]).toEqual({ reason: 'backoff', method: 'crm.deal.get', waitMs: 500 })
  })

  it('moves calls already queued back a slot for each refusal', async () => {
    const limiter = seen(new RateLimiter({ plan: { burst: 3, drainPerSecond: 1 } }), 'crm.deal.get', 'x')
    const { times, all } = acquireMany(limiter, 4)
    await vi.advanceTimersByTimeAsync(500)
    limiter.record(['crm.deal.get'], { refused: 'QUERY_LIMIT_EXCEEDED' })
    await vi.advanceTimersByTimeAsync(5000)
    await all
    expect(times).toEqual([0, 0, 2000, 3000])
  })

  it('switches plans', () => {
    const limiter = new RateLimiter()
    expect(limiter.plan).toEqual({ burst: 50, drainPerSecond: 2 })
    limiter.setPlan('enterprise')
    expect(limiter.plan).toEqual({ burst: 250, drainPerSecond: 5 })
    expect(() => new RateLimiter({ timeScale: 0 })).toThrow(RangeError)
    expect(() => new RateLimiter({ operatingThreshold: 2 })).toThrow(RangeError)
  })
})

describe('RateLimiter: abort', () => {
  it('rejects with the signal reason at once when already aborted', async () => {
    const limiter = new RateLimiter()
    const reason = new Error('stop')
    await expect(limiter.acquire(['x'], AbortSignal.abort(reason))).rejects.toBe(reason)
  })

  it('rejects while waiting and gives the slot back', async () => {
    const limiter = seen(new RateLimiter({ plan: { burst: 2, drainPerSecond: 1 } }), 'x', 'crm.deal.get')
    await limiter.acquire(['x'])
    const controller = new AbortController()
    const waiting = limiter.acquire(['x'], controller.signal)
    const rejected = expect(waiting).rejects.toBe('cancelled')
    await vi.advanceTimersByTimeAsync(100)
    controller.abort('cancelled')
    await rejected
    // The abandoned slot (1000 ms) goes to the next caller.
    const { times, all } = acquireMany(limiter, 1)
    await vi.advanceTimersByTimeAsync(2000)
    await all
    expect(times).toEqual([900])
  })
})

describe('RateLimiter: operating time', () => {
  const server = T0 / 1000

  it('waits for the reset once a method reaches the threshold, and tells why', async () => {
    const waits: WaitInfo[] = []
    const limiter = new RateLimiter({ operatingLimit: 10, onWait: (w) => waits.push(w) })
    await limiter.acquire(['crm.deal.list'])
    limiter.record(['crm.deal.list'], { time: time(server, 2, 8.5, server + 300) })
    const { times, all } = acquireMany(limiter, 1, ['crm.deal.list'])
    await vi.advanceTimersByTimeAsync(301_000)
    await all
    expect(times[0]).toBeGreaterThanOrEqual(300_000)
    expect(times[0]).toBeLessThan(301_000)
    expect(waits).toEqual([{ reason: 'operating', method: 'crm.deal.list', waitMs: 300_000 }])
    // Other methods are not held up.
    await limiter.acquire(['crm.deal.get'])
  })

  it('trusts the portal clock from time.start, scaled by timeScale', async () => {
    const limiter = new RateLimiter({ operatingLimit: 10, timeScale: 100 })
    const portalNow = server + 50_000
    limiter.record(['m'], { time: time(portalNow, 1, 9.5, portalNow + 600) })
    const { times, all } = acquireMany(limiter, 1, ['m'])
    await vi.advanceTimersByTimeAsync(7000)
    await all
    expect(times[0]).toBe(6000)
  })

  it('counts calls in flight: the next one waits for the answer', async () => {
    const limiter = new RateLimiter({ operatingLimit: 10 })
    limiter.record(['m'], { time: time(server, 3, 4, server + 600) })
    await limiter.acquire(['m'])
    const { times, all } = acquireMany(limiter, 1, ['m'])
    await vi.advanceTimersByTimeAsync(1000)
    expect(times).toEqual([])
    limiter.record(['m'], { time: time(server + 1, 1, 5, server + 600) })
    await vi.advanceTimersByTimeAsync(0)
    await all
    expect(times).toEqual([1000])
  })

  it('charges each sub-call of a batch to its own method', async () => {
    const limiter = new RateLimiter({ operatingLimit: 10 })
    const methods = ['a.list', 'a.list', 'b.get']
    await limiter.acquire(methods)
    limiter.record(methods, {
      time: time(server, 0),
      subTimes: [
        { method: 'a.list', time: time(server, 4, 4, server + 600) },
        { method: 'a.list', time: time(server, 5, 9, server + 600) },
        { method: 'b.get', time: time(server, 0.01, 0) },
      ],
    })
    const blocked = acquireMany(limiter, 1, ['A.LIST'])
    await limiter.acquire(['b.get'])
    await vi.advanceTimersByTimeAsync(1000)
    expect(blocked.times).toEqual([])
  })

  it('blocks batch sub-methods the portal refused, and settles calls whatever the outcome', async () => {
    const limiter = new RateLimiter({ operatingLimit: 10 })
    limiter.record(['m'], { time: time(server, 2, 4, server + 600) })
    await limiter.acquire(['m', 'm', 'other'])
    limiter.record(['m', 'm', 'other'], { blocked: ['Other'] })
    // Nothing in flight any more: 4 + 2 + 2 <= 9 (it would be 4 + 4 + 2 otherwise).
    const settled = acquireMany(limiter, 2, ['m'])
    await vi.advanceTimersByTimeAsync(0)
    expect(settled.times).toEqual([0, 0])
    const { times, all } = acquireMany(limiter, 1, ['other'])
    await vi.advanceTimersByTimeAsync(61_000)
    await all
    expect(times).toEqual([60_000])
  })

  it('sends one call of a method never seen, and the rest once it tells what a call costs', async () => {
    const waits: WaitInfo[] = []
    const limiter = new RateLimiter({ onWait: (w) => waits.push(w) })
    const { times, all } = acquireMany(limiter, 3, ['new.method'])
    await vi.advanceTimersByTimeAsync(200)
    expect(times).toEqual([0])
    limiter.record(['new.method'], { time: time(server, 0.2) })
    await vi.advanceTimersByTimeAsync(0)
    await all
    expect(times).toEqual([0, 200, 200])
    expect(waits.map((w) => w.reason)).toEqual(['operating', 'operating'])
  })

  it('after a 429 blocks the method until the reset, as backoff', async () => {
    const waits: WaitInfo[] = []
    const limiter = new RateLimiter({ onWait: (w) => waits.push(w) })
    limiter.record(['m'], { time: time(server, 1, 100, server + 120) })
    limiter.record(['m'], { refused: 'OPERATION_TIME_LIMIT' })
    const { times, all } = acquireMany(limiter, 1, ['m'])
    await vi.advanceTimersByTimeAsync(121_000)
    await all
    expect(times[0]).toBe(120_000)
    expect(waits[0]).toEqual({ reason: 'backoff', method: 'm', waitMs: 120_000 })
  })

  it('rejects an operating wait on abort', async () => {
    const limiter = new RateLimiter({ operatingLimit: 10 })
    limiter.record(['m'], { time: time(server, 1, 9.5, server + 600) })
    const waiting = limiter.acquire(['m'], AbortSignal.timeout(50))
    const rejected = expect(waiting).rejects.toMatchObject({ name: 'TimeoutError' })
    await vi.advanceTimersByTimeAsync(100)
    await rejected
  })
})

describe('RateLimiter: bounds', () => {
  const server = T0 / 1000

  it('waits at most the 10-minute window whatever reset time the portal reports', async () => {
    const waits: WaitInfo[] = []
    const limiter = new RateLimiter({ onWait: (w) => waits.push(w) })
    limiter.record(['crm.deal.get'], { time: time(server, 1, 1000, server + 1e6) })
    const { times, all } = acquireMany(limiter, 1)
    await vi.advanceTimersByTimeAsync(602_000)
    await all
    expect(waits).toEqual([{ reason: 'operating', method: 'crm.deal.get', waitMs: 600_000 }])
    // The window counts from the report (its call finished 1 s after it started).
    expect(times[0]).toBe(601_000)
  })

  it('maxWaitMs: a wait known to overrun the bound fails at once with what it waited for, nothing reserved', async () => {
    const limiter = new RateLimiter()
    limiter.record(['crm.deal.list'], { time: time(server, 1, 470, server + 300) })
    const error = await limiter
      .acquire(['crm.deal.list'], undefined, { maxWaitMs: 5000, method: 'crm.deal.list' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BitrixQueueTimeout)
    expect(error).toMatchObject({
      method: 'crm.deal.list',
      sent: false,
      reason: 'operating',
      waitingFor: 'crm.deal.list',
      neededMs: 300_000,
      maxQueueWaitMs: 5000,
    })
    expect((error as Error).message).toContain('operating-time budget of crm.deal.list')
    // No call of the method was counted as in flight: another one with no bound waits only for the reset.
    const { times, all } = acquireMany(limiter, 1, ['crm.deal.list'])
    await vi.advanceTimersByTimeAsync(300_000)
    await all
    expect(times[0]).toBe(300_000)
  })

  it('maxWaitMs on the bucket: the queue behind the failed call moves up a slot', async () => {
    const limiter = seen(new RateLimiter({ plan: { burst: 5, drainPerSecond: 1 } }), 'crm.deal.get')
    const first = acquireMany(limiter, 4)
    await first.all
    const error = await limiter.acquire(['crm.deal.get'], undefined, { maxWaitMs: 500 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'BitrixQueueTimeout', reason: 'bucket', waitingFor: 'crm.deal.get' })
    expect((error as BitrixQueueTimeout).message).toMatch(/rate limit/)
    const next = acquireMany(limiter, 1)
    await vi.advanceTimersByTimeAsync(1000)
    await next.all
    expect(next.times).toEqual([1000])
  })

  it('maxWaitMs while calls in flight must report: waits what is left of the bound, then fails', async () => {
    const limiter = new RateLimiter()
    await limiter.acquire(['new.method'])
    const waiting = limiter.acquire(['new.method'], undefined, { maxWaitMs: 2000, waitedMs: 1000, method: 'batch' })
    const rejected = expect(waiting).rejects.toMatchObject({
      name: 'BitrixQueueTimeout',
      method: 'batch',
      reason: 'operating',
      waitedMs: 3000,
      maxQueueWaitMs: 3000,
      neededMs: undefined,
    })
    await vi.advanceTimersByTimeAsync(2000)
    await rejected
  })
})
