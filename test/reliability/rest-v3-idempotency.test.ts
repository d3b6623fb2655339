/**
 * REST 3.0 idempotent writes under a lossy network: 120 `tasks.task.add` calls, each with its own
 * `Idempotency-Key`, through a fault rule that hits 40 % of the writes (seeded) with a connection reset before the
 * call runs, an answer cut half-way after it ran, or a 500 / 503 before it runs. A plain client repeats each
 * write with the same key and body until it gets an answer (at most 12 attempts). Every key must end up applied
 * exactly once on the emulator's side, the task table must hold exactly one task per key, and every answer a
 * client got must describe that one task — whether it was the first answer or a replay.
 */
import { describe, expect, it } from 'vitest'
import { start } from '../e2e/emulator-helpers.js'

const WRITES = 120
const MAX_ATTEMPTS = 12

interface Outcome {
  id: number
  attempts: number
  replayed: boolean
}

async function addOnce(url: string, key: string, title: string): Promise<Outcome> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let response: Response
    let text: string
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        body: JSON.stringify({ fields: { title, creatorId: 1, responsibleId: 1 } }),
      })
      text = await response.text()
    } catch {
      continue // reset or cut: the answer is lost, repeat with the same key
    }
    if (response.status >= 500) continue
    const body = JSON.parse(text)
    if (response.status !== 200) throw new Error(`${key}: ${response.status} ${text}`)
    return {
      id: body.result.item.id,
      attempts: attempt,
      replayed: response.headers.get('idempotent-replayed') === 'true',
    }
  }
  throw new Error(`${key}: no answer in ${MAX_ATTEMPTS} attempts`)
}

describe('REST 3.0 idempotent writes under injected faults', () => {
  it('applies every keyed write exactly once though answers are lost and writes repeated', async () => {
    const emu = await start({ plan: 'off', randomSeed: 11, seed: { tasks: 0 } })
    const fault = emu.faults.inject({
      method: 'tasks.task.add',
      kind: ['reset', 'truncated', 'http500', 'http503'],
      probability: 0.4,
    })
    const url = `${emu.webhookUrl.replace('/rest/', '/rest/api/')}tasks.task.add`
    const outcomes: Outcome[] = []
    // 8 clients at a time, each with its own keys
    for (let batch = 0; batch < WRITES; batch += 8) {
      const keys = Array.from({ length: 8 }, (_, i) => batch + i)
      outcomes.push(...(await Promise.all(keys.map((n) => addOnce(url, `write-${n}`, `Task ${n}`)))))
    }
    fault.remove()

    const stats = emu.getStats()
    expect(fault.hits).toBeGreaterThan(WRITES * 0.2)
    expect(Object.keys(stats.idempotency.applied)).toHaveLength(WRITES)
    expect(Object.values(stats.idempotency.applied).every((count) => count === 1)).toBe(true)
    // answers cut after the write ran came back as replays on a later attempt (a replay may be cut in turn)
    expect(outcomes.some((o) => o.replayed)).toBe(true)
    expect(stats.idempotency.replayed).toBeGreaterThanOrEqual(outcomes.filter((o) => o.replayed).length)

    const list = await fetch(url.replace('tasks.task.add', 'tasks.task.list'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ select: ['id', 'title'], pagination: { limit: 1000 } }),
    })
    const tasks: { id: number; title: string }[] = (await list.json()).result.items
    expect(tasks).toHaveLength(WRITES)
    expect(new Set(tasks.map((t) => t.title)).size).toBe(WRITES)
    const idByTitle = new Map(tasks.map((t) => [t.title, t.id]))
    outcomes.forEach((outcome, n) => {
      expect(outcome.id, `write-${n}`).toBe(idByTitle.get(`Task ${n}`))
    })
  })
})
