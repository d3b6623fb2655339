/**
 * Writes retried after a lost answer: a keyed REST 3.0 write is re-sent with the same key only once the portal's
 * cut has ended the first attempt, and is applied once; a REST 2 write, or a REST 3.0 write sent without a key (a
 * browser whose portal refuses the header), is not re-sent. The test portal applies writes itself, keeps an
 * idempotency store like the docs describe, and notes whether a repeat arrived while the first attempt still ran.
 */
import { describe, expect, it } from 'vitest'
import { BitrixRequestError } from '../../src/errors/index.js'
import { type Answer, type SeenRequest, useV3Server } from '../e2e/rest-v3-server.js'

const test = useV3Server()

/** A portal whose first answer is lost: the write runs for `runMs`, is applied, then the connection drops. */
function lossyPortal(runMs: number) {
  const applied: string[] = []
  const stored = new Map<string, Answer>()
  let running = 0
  let overlapped = 0
  const handle = async (request: SeenRequest, index: number): Promise<Answer> => {
    const key = request.headers['idempotency-key']
    if (typeof key === 'string' && stored.has(key)) {
      const answer = stored.get(key) as Exclude<Answer, 'reset'>
      return { ...answer, headers: { ...answer.headers, 'idempotent-replayed': 'true' } }
    }
    if (running > 0) overlapped++
    running++
    await new Promise((resolve) => setTimeout(resolve, index === 0 ? runMs : 0))
    running--
    applied.push(request.body)
    const answer: Answer = {
      headers: typeof key === 'string' ? { 'idempotency-key': key } : {},
      json: { result: { item: { id: applied.length } } },
    }
    if (typeof key === 'string') stored.set(key, answer)
    return index === 0 ? 'reset' : answer
  }
  return {
    handle,
    applied,
    get overlapped() {
      return overlapped
    },
  }
}

const RETRY = { defaultInitialRetryDelay: 0.01, defaultRetryDelayIncrement: 0.01, limiter: false as const }

describe('writes after a lost answer', () => {
  it('a REST 3.0 write is re-sent with the same key after the cut, applied once, and the answer is the replay', async () => {
    const portal = lossyPortal(300)
    const { client, server } = await test.client(portal.handle, {
      ...RETRY,
      defaultTimeout: [1, 0.1],
      portalTimeLimit: 0.6,
      validateArguments: false,
    })
    const response = await client.call('tasks.task.add', { fields: { title: 'once' } }, { apiVersion: 3 })
    expect(server.seen).toHaveLength(2)
    const [first, second] = server.seen
    expect(second.headers['idempotency-key']).toBe(first.headers['idempotency-key'])
    expect(second.body).toBe(first.body)
    expect(portal.applied).toHaveLength(1)
    expect(portal.overlapped).toBe(0)
    expect(response.replayed).toBe(true)
    expect(response.result).toEqual({ item: { id: 1 } })
  })

  it('a REST 2 write is not re-sent after a connection reset', async () => {
    const portal = lossyPortal(0)
    const { client, server } = await test.client(portal.handle, { ...RETRY, validateArguments: false })
    const error = await client.call('tasks.task.add', { fields: { TITLE: 'twice?' } }).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(BitrixRequestError)
    expect((error as BitrixRequestError).sent).toBe(true)
    expect(server.seen).toHaveLength(1)
    expect(server.seen[0].headers['idempotency-key']).toBeUndefined()
  })

  it('without keys (a browser whose portal refuses the header) a REST 3.0 write is not re-sent', async () => {
    const portal = lossyPortal(0)
    const { client, server } = await test.client(portal.handle, {
      ...RETRY,
      idempotencyKeys: false,
      validateArguments: false,
    })
    const failed = client.call('tasks.task.add', { fields: { title: 'x' } }, { apiVersion: 3 }).call()
    await expect(failed).rejects.toMatchObject({ sent: true })
    expect(server.seen).toHaveLength(1)
    expect(server.seen[0].headers['idempotency-key']).toBeUndefined()
  })
})
