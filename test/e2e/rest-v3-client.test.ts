/**
 * Acceptance of REST 3.0 in the SDK, against the emulator's `/rest/api/`: a write whose connection is reset (before
 * it ran, or with its answer cut after it ran) is retried with its `Idempotency-Key` and applied once on v3, and
 * not retried on v2; a validation error reaches the caller typed with its `validation` entries; and `client.v3`
 * reads, lists, tails, batches and discovers on the same state as v2.
 */
import { describe, expect, it } from 'vitest'
import { BitrixAPIV3ValidationError, BitrixRequestError } from '../../src/errors/index.js'
import type { TaskV3 } from '../../src/index.js'
import { BitrixApp, BitrixToken, BitrixWebhook, Client, ref, whereFor } from '../../src/index.js'
import { start } from './emulator-helpers.js'

const FAST = {
  limiter: false as const,
  defaultInitialRetryDelay: 0.01,
  defaultRetryDelayIncrement: 0.01,
  portalTimeLimit: 0.05,
}

describe('writes after a connection reset', () => {
  it.each(['reset', 'truncated'] as const)('v3: %s → retried with the same key, applied once', async (kind) => {
    const emu = await start({ plan: 'off', seed: { tasks: 0 } })
    const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), FAST)
    const fault = emu.faults.inject({ method: 'tasks.task.add', kind, times: 1 })
    const response = await client.v3.tasks.task.add({ fields: { title: 'Once', creatorId: 1, responsibleId: 1 } })
    expect(fault.hits).toBe(1)
    const applied = emu.getStats().idempotency.applied
    expect(Object.values(applied)).toEqual([1])
    expect(Object.keys(applied)[0]).toContain(response.idempotencyKey)
    expect(response.replayed).toBe(kind === 'truncated')
    const tasks = await client.v3.tasks.task.list({ select: ['id', 'title'] }).asList()
    expect(tasks).toEqual([{ id: response.result.item.id, title: 'Once' }])
  })

  it.each(['reset', 'truncated'] as const)('v2: %s → not retried, the caller decides', async (kind) => {
    const emu = await start({ plan: 'off', seed: { tasks: 0 } })
    const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), FAST)
    const fault = emu.faults.inject({ method: 'tasks.task.add', kind, times: 1 })
    const error = await client.tasks.task.add({ fields: { TITLE: 'Maybe', RESPONSIBLE_ID: 1 } }).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(BitrixRequestError)
    expect((error as BitrixRequestError).sent).toBe(true)
    expect(fault.hits).toBe(1)
    expect(emu.getStats().calls['tasks.task.add'] ?? 0).toBe(kind === 'truncated' ? 1 : 0)
    expect(emu.getStats().idempotency.applied).toEqual({})
  })
})

describe('client.v3 against the emulator', () => {
  it('a validation error arrives typed, with its validation entries', async () => {
    const emu = await start({ plan: 'off' })
    const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), { limiter: false, validateArguments: false })
    const error = await client.v3.call('tasks.task.get', {}).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(BitrixAPIV3ValidationError)
    const validation = (error as BitrixAPIV3ValidationError).validation
    expect(validation.length).toBeGreaterThan(0)
    expect(validation.some((entry) => entry.field === 'id')).toBe(true)
  })

  it('writes on v3 and reads on v2; filters, lists, batches and discovery', async () => {
    const emu = await start({ plan: 'off', seed: { tasks: 0 } })
    const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), { limiter: false })
    const added = client.v3.tasks.task.add({ fields: { title: 'First', creatorId: 1, responsibleId: 1 } })
    const batch = await client.v3.callBatch({
      added,
      read: client.v3.tasks.task.get({ id: ref(added).item.id, select: ['id', 'title', 'responsible.name'] }),
    })
    const id = batch.result.added.item.id as number
    expect(batch.result.read.item).toMatchObject({ id, title: 'First' })
    const v2 = await client.tasks.task.get({ taskId: id })
    expect(JSON.stringify(v2.result)).toContain('First')

    await client.v3.callBatches(
      Array.from({ length: 60 }, (_, n) =>
        client.v3.tasks.task.add({ fields: { title: `T${n}`, creatorId: 1, responsibleId: 1 } }),
      ),
    )
    const where = whereFor<TaskV3>()
    const some = await client.v3.tasks.task
      .list({ select: ['id'], filter: where('id', '>', id).and('id', '<=', id + 10), order: { id: 'ASC' } })
      .asList()
    expect(some.map((task) => task.id)).toEqual(Array.from({ length: 10 }, (_, n) => id + 1 + n))
    const all = await client.v3.tasks.task.list({ select: ['id'] }).asList()
    expect(all).toHaveLength(61)

    const log = await client.v3.main.eventlog.list({ select: ['id'] }).asList()
    const tail: number[] = []
    for await (const entry of client.v3.main.eventlog.tail({ select: ['id'] }).asListFast()) tail.push(Number(entry.id))
    expect(tail.length).toBe(log.length)
    expect(tail).toEqual([...tail].sort((a, b) => a - b))

    const openapi = await client.v3.rest.documentation.openapi()
    expect(Object.keys((openapi.result as { paths: object }).paths)).toContain('/tasks.task.get')
    const scopes = await client.v3.rest.scope.list()
    expect(JSON.stringify(scopes.result)).toContain('tasks.task.get')
  })

  it('an expired token on a v3 call is refreshed and the call repeated on /rest/api/', async () => {
    const emu = await start({ plan: 'off', seed: { tasks: 1 } })
    const app = emu.createApp({ scopes: 'all' })
    const issued = emu.issueToken({ clientId: app.clientId })
    const token = new BitrixToken({
      domain: emu.url,
      authToken: issued.accessToken,
      refreshToken: issued.refreshToken,
      bitrixApp: new BitrixApp({ clientId: app.clientId, clientSecret: app.clientSecret, oauthServer: emu.url }),
    })
    const client = new Client(token, { limiter: false })
    emu.faults.inject({ method: 'tasks.task.list', kind: 'expireTokens', times: 1 })
    const tasks = await client.v3.tasks.task.list({ select: ['id'] })
    expect(tasks.result.items.length).toBeGreaterThan(0)
    expect(emu.getStats().oauthRefreshes).toBe(1)
  })
})
