import { describe, expect, it } from 'vitest'
import { type BucketSpec, type LimiterStore, MemoryStore, RateLimiter, type WaitInfo } from '../../src/limits/index.js'
import { RedisLimiterStore } from '../../src/redis/index.js'
import { redisMissing, useRedis } from './redis-server.js'

const spec: BucketSpec = { burst: 5, drainPerSecond: 2 }

type Step = ['take' | 'giveBack' | 'fill', number] | ['get' | 'set', string]

/** A sequence touching every branch of the bucket math: burst, queue, drain, give back, fill, a clock step back. */
const steps: Step[] = [
  ...Array.from({ length: 7 }, (_, i): Step => ['take', 1_000 + i]),
  ['giveBack', 1_010],
  ['take', 1_500],
  ['fill', 2_000],
  ['take', 2_001],
  ['take', 9_000],
  ['take', 8_500],
  ['take', -50_000],
  ['giveBack', 60_000],
  ['take', 60_000.25],
  ['set', 'crm.item.list'],
  ['get', 'crm.item.list'],
  ['get', 'user.get'],
]

/** Runs the sequence; the answers are what a limiter sees. */
async function run(store: LimiterStore, key: string): Promise<unknown[]> {
  const answers: unknown[] = []
  for (const [step, arg] of steps) {
    if (step === 'take') answers.push(await store.take(key, arg as number, spec))
    else if (step === 'giveBack') answers.push(await store.giveBack(key, arg as number, spec))
    else if (step === 'fill') answers.push(await store.fill(key, arg as number, spec))
    else if (step === 'set')
      answers.push(
        await store.setOperating(
          `${key}:${arg}`,
          { operating: 12.5, reportedAt: 1000, resetAt: 1600, cost: 0.25 },
          60_000,
        ),
      )
    else answers.push(await store.getOperating(`${key}:${arg}`))
  }
  return answers
}

describe.skipIf(redisMissing !== undefined)('RedisLimiterStore', () => {
  const redis = useRedis()

  it('answers as MemoryStore does, step for step (caller clock)', async () => {
    const memory = await run(new MemoryStore(), 'portal.example')
    const shared = await run(
      new RedisLimiterStore({ client: redis.client, clock: 'caller', prefix: 'contract' }),
      'portal.example',
    )
    expect(shared).toEqual(memory)
    // The contract itself: a burst of 5 goes at once, the 6th and 7th queue behind it at the drain rate.
    expect(memory.slice(0, 5)).toEqual([0, 0, 0, 0, 0])
    expect(memory[5]).toBeGreaterThan(0)
    expect(memory[6]).toBeGreaterThan(memory[5] as number)
    expect(memory.at(-2)).toEqual({ operating: 12.5, reportedAt: 1000, resetAt: 1600, cost: 0.25 })
    expect(memory.at(-1)).toBeUndefined()
  })

  it('forgets an operating snapshot after its ttl, as MemoryStore does', async () => {
    const stores = [new MemoryStore(), new RedisLimiterStore({ client: redis.client, prefix: 'ttl' })]
    for (const store of stores) await store.setOperating('p:m', { operating: 1, reportedAt: 1, cost: 1 }, 5)
    await new Promise((resolve) => setTimeout(resolve, 50))
    for (const store of stores) expect(await store.getOperating('p:m')).toBeUndefined()
  })

  it('keys the bucket by portal and egress address, operating time by its own key', async () => {
    const a = new RedisLimiterStore({ client: redis.client, prefix: 'egress', egress: '203.0.113.7' })
    const b = new RedisLimiterStore({ client: redis.client, prefix: 'egress', egress: '198.51.100.2' })
    expect(a.bucketKey('portal:bucket')).toBe('egress:bucket:203.0.113.7:portal%3abucket')
    // Two egress addresses: two buckets. The same one: one bucket.
    for (let i = 0; i < spec.burst; i++) await a.take('portal:bucket', 0, spec)
    expect(await a.take('portal:bucket', 0, spec)).toBeGreaterThan(0)
    expect(await b.take('portal:bucket', 0, spec)).toBe(0)
    const sameEgress = new RedisLimiterStore({ client: redis.client, prefix: 'egress', egress: '203.0.113.7' })
    expect(await sameEgress.take('portal:bucket', 0, spec)).toBeGreaterThan(0)
    expect(a.operatingKey('portal:app:7:operating:crm.item.list')).toBe(
      'egress:operating:portal%3aapp%3a7%3aoperating%3acrm.item.list',
    )
  })

  it('makes two limiters on one portal share one bucket (Redis clock)', async () => {
    const store = new RedisLimiterStore({ client: redis.client, prefix: 'share' })
    const waits: WaitInfo[] = []
    const plan = { burst: 10, drainPerSecond: 2 }
    const first = new RateLimiter({ plan, store, key: 'portal.example' })
    const second = new RateLimiter({
      plan,
      store,
      key: 'portal.example',
      onWait: (info) => waits.push(info),
    })
    // The first takes the whole usable burst; the second, alone in its process, still has to wait its turn.
    // Each call is answered at once (`record`), as a client does after the response.
    const call = async (limiter: RateLimiter) => {
      await limiter.acquire(['user.get'])
      limiter.record(['user.get'], {})
    }
    for (let i = 0; i < 9; i++) await call(first)
    await call(second)
    expect(waits.map((info) => info.reason)).toEqual(['bucket'])
    // With a memory store each would have believed it had the whole bucket.
    const alone: WaitInfo[] = []
    const third = new RateLimiter({ plan, key: 'portal.example', onWait: (info) => alone.push(info) })
    await call(third)
    expect(alone).toEqual([])
  })

  it('keeps operating time per application when the limiter names its app', async () => {
    const store = new RedisLimiterStore({ client: redis.client, prefix: 'apps' })
    const time = { start: 1, finish: 2, duration: 1, processing: 1, dateStart: '', dateFinish: '', operating: 400 }
    const appA = new RateLimiter({ store, key: 'portal.example', app: 'app.a' })
    appA.record(['crm.item.list'], { time })
    // The write is not awaited by `record`; the next gate of the same method waits for it.
    await appA.acquire(['crm.item.list'])
    const keys = (await redis.client.keys('apps:operating:*')).sort()
    expect(keys).toEqual(['apps:operating:portal.example%3aapp%3aapp.a%3aoperating%3acrm.item.list'])
  })
})
