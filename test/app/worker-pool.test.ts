/**
 * `PortalWorkPool`: portals take turns, a hot portal cannot take every slot, a paused portal waits while the others
 * go on, queues are bounded, and an aborted pool settles everything. Asserted by counts and order, not timing.
 */
import { setImmediate as tick } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { BitrixValidationError } from '../../src/errors/index.js'
import { PortalWorkPool } from '../../src/index.js'

/** A promise and the function that settles it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {}
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

/** Lets queued microtasks and callbacks run (a bounded number of turns, no clock involved). */
async function settle(turns = 5): Promise<void> {
  for (let n = 0; n < turns; n += 1) await tick()
}

const COLD = ['cold-1', 'cold-2', 'cold-3', 'cold-4', 'cold-5']

describe('PortalWorkPool', () => {
  it('gives every portal a turn: 50 queued items of a hot portal do not hold back the cold ones', async () => {
    const pool = new PortalWorkPool({ concurrency: 1, perPortal: 1 })
    const order: string[] = []
    const work = (portal: string) => pool.run(portal, async () => void order.push(portal))
    const all = [
      ...Array.from({ length: 50 }, () => work('hot')),
      ...COLD.flatMap((portal) => [work(portal), work(portal), work(portal)]),
    ]
    await Promise.all(all)
    expect(order).toHaveLength(65)
    // Round robin: each round gives the hot portal one item and each cold portal one.
    const lastCold = Math.max(...COLD.map((portal) => order.lastIndexOf(portal)))
    expect(lastCold).toBeLessThan(3 * (COLD.length + 1))
    expect(order.slice(0, 6)).toEqual(['hot', ...COLD])
    expect(pool.stats('hot')).toMatchObject({ started: 50, done: 50, queued: 0, running: 0 })
  })

  it('caps a portal at perPortal running items, so the other portals keep the free slots', async () => {
    const pool = new PortalWorkPool({ concurrency: 4, perPortal: 2 })
    const release = gate()
    const hot = Array.from({ length: 20 }, () => pool.run('hot', () => release.promise))
    const cold = COLD.map((portal) => pool.run(portal, async () => portal))
    expect(await Promise.all(cold)).toEqual(COLD)
    expect(pool.stats('hot')).toMatchObject({ running: 2, started: 2, queued: 18 })
    release.open()
    await Promise.all(hot)
    expect(pool.stats('hot')).toMatchObject({ running: 0, done: 20 })
  })

  it('holds a paused portal back while the others go on, until it is resumed', async () => {
    const pool = new PortalWorkPool({ concurrency: 2, perPortal: 1 })
    pool.pause('spent', 3_600_000)
    const spent = Array.from({ length: 3 }, () => pool.run('spent', async () => 'spent'))
    const others = COLD.map((portal) => pool.run(portal, async () => portal))
    expect(await Promise.all(others)).toEqual(COLD)
    expect(pool.stats('spent')).toMatchObject({ started: 0, queued: 3, pauses: 1 })
    pool.resume('spent')
    expect(await Promise.all(spent)).toEqual(['spent', 'spent', 'spent'])
    await pool.idle()
  })

  it('bounds each queue: a producer adding past queueLimit waits for room', async () => {
    const pool = new PortalWorkPool({ concurrency: 1, perPortal: 1, queueLimit: 2 })
    const release = gate()
    await pool.add('a', () => release.promise)
    await pool.add('a', async () => {})
    await pool.add('a', async () => {})
    let added = false
    const fourth = pool
      .add('a', async () => {})
      .then(() => {
        added = true
      })
    await settle()
    expect(added).toBe(false)
    expect(pool.stats('a')).toMatchObject({ running: 1, queued: 2 })
    // Another portal's queue has room of its own.
    await pool.add('b', async () => {})
    release.open()
    await fourth
    expect(added).toBe(true)
    await pool.idle()
    expect(pool.stats('a').done).toBe(4)
    expect(pool.stats('b').done).toBe(1)
  })

  it('reports failures of added items to onError and of run items to the caller', async () => {
    const failures: string[] = []
    const pool = new PortalWorkPool({
      onError: (error, portal) => failures.push(`${portal}:${(error as Error).message}`),
    })
    await pool.add('a', async () => {
      throw new Error('boom')
    })
    await expect(
      pool.run('b', async () => {
        throw new Error('bang')
      }),
    ).rejects.toThrow('bang')
    await pool.idle()
    expect(failures).toEqual(['a:boom'])
    expect(pool.stats('a').failed).toBe(1)
  })

  it('on abort rejects queued items with the reason, aborts running ones and refuses new ones', async () => {
    const controller = new AbortController()
    const pool = new PortalWorkPool({ concurrency: 1, signal: controller.signal })
    let seen: AbortSignal | undefined
    const running = pool.run('a', (signal) => {
      seen = signal
      return new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('stopped')))
    })
    const queued = pool.run('a', async () => 'never')
    await settle()
    controller.abort(new Error('shutting down'))
    await expect(queued).rejects.toThrow('shutting down')
    expect(await running).toBe('stopped')
    expect(seen?.aborted).toBe(true)
    await expect(pool.run('b', async () => 'late')).rejects.toThrow('shutting down')
    await pool.idle()
  })

  it('after an abort, idle waits for the items still running', async () => {
    const controller = new AbortController()
    const pool = new PortalWorkPool({ signal: controller.signal })
    const release = gate()
    const running = pool.run('a', () => release.promise)
    await settle()
    controller.abort(new Error('stop'))
    let idle = false
    const waiting = pool.idle().then(() => {
      idle = true
    })
    await settle()
    expect(idle).toBe(false)
    release.open()
    await running
    await waiting
    expect(idle).toBe(true)
  })

  it('refuses bad options and portal keys with a typed error naming the option', () => {
    expect(() => new PortalWorkPool({ concurrency: 0 })).toThrow(BitrixValidationError)
    expect(() => new PortalWorkPool({ perPortal: 1.5 })).toThrow(/perPortal/)
    expect(() => new PortalWorkPool().pause('', 10)).toThrow(/member_id/)
  })
})
