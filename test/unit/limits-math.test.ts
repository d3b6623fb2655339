import { describe, expect, it } from 'vitest'
import {
  bucketOf,
  detectPlan,
  drain,
  MemoryStore,
  msUntilFree,
  reserve,
  ServerClock,
  saturate,
  unreserve,
} from '../../src/limits/index.js'

const spec = { burst: 5, drainPerSecond: 2 }

describe('leaky bucket math', () => {
  it('drains continuously and never below zero', () => {
    expect(drain({ level: 4, at: 1000 }, spec, 1500)).toEqual({ level: 3, at: 1500 })
    expect(drain({ level: 1, at: 1000 }, spec, 9000)).toEqual({ level: 0, at: 9000 })
    expect(drain(undefined, spec, 7)).toEqual({ level: 0, at: 7 })
    // A clock behind the state (another host) does not refill the bucket.
    expect(drain({ level: 4, at: 1000 }, spec, 900)).toEqual({ level: 4, at: 1000 })
  })

  it('counts a state stamped further ahead than a full drain (2.5 s here) from now: a wrong clock cannot stall it', () => {
    const skewed = { level: 9, at: 1_000_000_000 }
    expect(drain(skewed, spec, 0)).toEqual({ level: 9, at: 0 })
    // The queue it holds drains at the usual rate from then on.
    expect(drain(drain(skewed, spec, 0), spec, 2000)).toEqual({ level: 5, at: 2000 })
    expect(reserve(skewed, spec, 0).waitMs).toBe(2500)
    expect(drain({ level: 9, at: 2500 }, spec, 0)).toEqual({ level: 9, at: 2500 })
  })

  it('tells the time until a slot is free', () => {
    expect(msUntilFree(3.9, spec)).toBe(0)
    expect(msUntilFree(4, spec)).toBe(0)
    expect(msUntilFree(5, spec)).toBe(500)
    expect(msUntilFree(7, spec)).toBe(1500)
    expect(msUntilFree(5, { burst: 5, drainPerSecond: 0 })).toBe(Number.POSITIVE_INFINITY)
  })

  it('reserves slots in a queue: the burst at once, then one per drain interval', () => {
    let state = drain(undefined, spec, 0)
    const waits: number[] = []
    for (let i = 0; i < 8; i++) {
      const next = reserve(state, spec, 0)
      state = next.state
      waits.push(next.waitMs)
    }
    expect(waits).toEqual([0, 0, 0, 0, 0, 500, 1000, 1500])
    expect(state.level).toBe(8)
  })

  it('gives back an unused slot and saturates after a refusal', () => {
    expect(unreserve({ level: 6, at: 0 }, spec, 0).level).toBe(5)
    expect(unreserve({ level: 0.2, at: 0 }, spec, 0).level).toBe(0)
    expect(saturate({ level: 1, at: 0 }, spec, 0).level).toBe(5)
    expect(saturate({ level: 4.5, at: 0 }, spec, 0).level).toBe(5.5)
    expect(saturate({ level: 9, at: 0 }, spec, 0).level).toBe(10)
    expect(reserve(saturate(undefined, spec, 0), spec, 0).waitMs).toBe(500)
  })
})

describe('plans', () => {
  it('detects enterprise from app.info licenses, standard otherwise', () => {
    expect(detectPlan({ LICENSE: 'en_ent250', LICENSE_TYPE: 'ent250', LICENSE_FAMILY: 'ent' })).toBe('enterprise')
    expect(detectPlan({ LICENSE: 'ru_ent1000' })).toBe('enterprise')
    expect(detectPlan({ LICENSE_FAMILY: 'ENT' })).toBe('enterprise')
    expect(detectPlan({ LICENSE: 'en_std', LICENSE_FAMILY: 'std' })).toBe('standard')
    expect(detectPlan({ LICENSE: 'en_project' })).toBe('standard')
    expect(detectPlan({ LICENSE: 'en_entrepreneur' })).toBe('standard')
    expect(detectPlan(null)).toBe('standard')
    expect(detectPlan('ent')).toBe('standard')
  })

  it('maps plans to buckets and rejects impossible ones', () => {
    expect(bucketOf('standard')).toEqual({ burst: 50, drainPerSecond: 2 })
    expect(bucketOf('enterprise')).toEqual({ burst: 250, drainPerSecond: 5 })
    expect(bucketOf({ burst: 10, drainPerSecond: 1 })).toEqual({ burst: 10, drainPerSecond: 1 })
    expect(() => bucketOf({ burst: 0, drainPerSecond: 1 })).toThrow(RangeError)
    expect(() => bucketOf({ burst: 5, drainPerSecond: 0 })).toThrow(RangeError)
    expect(() => bucketOf('gold' as never)).toThrow(RangeError)
  })
})

describe('MemoryStore', () => {
  it('keeps one bucket per key', () => {
    const store = new MemoryStore()
    const one = { burst: 1, drainPerSecond: 1 }
    expect(store.take('a', 0, one)).toBe(0)
    expect(store.take('a', 0, one)).toBe(1000)
    expect(store.take('b', 0, one)).toBe(0)
    store.giveBack('a', 0, one)
    expect(store.take('a', 0, one)).toBe(1000)
    store.fill('b', 0, { burst: 3, drainPerSecond: 1 })
    expect(store.take('b', 0, { burst: 3, drainPerSecond: 1 })).toBe(1000)
  })

  it('keeps operating snapshots until their ttl', () => {
    const store = new MemoryStore()
    const snapshot = { operating: 5, reportedAt: 100, cost: 1 }
    store.setOperating('m', snapshot, 60_000)
    expect(store.getOperating('m')).toEqual(snapshot)
    store.setOperating('gone', snapshot, -1)
    expect(store.getOperating('gone')).toBeUndefined()
    expect(store.getOperating('never')).toBeUndefined()
  })
})

describe('ServerClock', () => {
  it('keeps the largest offset seen and runs timeScale times faster', () => {
    const clock = new ServerClock(10, 1_000_000)
    expect(clock.now(1_000_000)).toBe(1000)
    clock.observe(5000, 1_000_000)
    clock.observe(4000, 1_000_000)
    expect(clock.now(1_000_000)).toBe(5000)
    expect(clock.now(1_001_000)).toBe(5010)
    expect(clock.toMs(10)).toBe(1000)
    clock.observe(0)
    expect(clock.now(1_000_000)).toBe(5000)
  })
})
