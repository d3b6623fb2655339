/**
 * `client.v3` on the wire: documented REST 3.0 names go to `/rest/api/`, lists page with `pagination` at the
 * method's documented cap, `tail` cursors move and are guarded, the batch is a JSON list with `$ref` references,
 * and the `where` builder refuses what the portal would. Served by a tiny node:http portal on 127.0.0.1.
 */
import { describe, expect, it } from 'vitest'
import { BitrixListError, BitrixValidationError } from '../../src/errors/index.js'
import { BitrixApp, BitrixToken, Client, ref, where } from '../../src/index.js'
import { type Handler, useV3Server, v3Result } from './rest-v3-server.js'

const portal = useV3Server()
const clientFor = (handler: Handler) => portal.client(handler)

const body = (index: number) => JSON.parse(portal.current().seen[index].body)

describe('client.v3 methods', () => {
  it('sends documented names to /rest/api/, REST 2 twins included, with REST 3.0 parameter checks', async () => {
    const { client, server } = await clientFor(() => v3Result({ item: { id: 5, title: 't' } }))
    const task = await client.v3.tasks.task.get({ id: 5, select: ['title', 'responsible.name'] })
    expect(task.result.item.title).toBe('t')
    await client.v3.rest.scope.list()
    await client.v3.call('rest.documentation.openapi')
    expect(server.seen.map((request) => request.path)).toEqual([
      '/rest/api/1/key/tasks.task.get',
      '/rest/api/1/key/rest.scope.list',
      '/rest/api/1/key/rest.documentation.openapi',
    ])
    expect(body(0)).toEqual({ id: 5, select: ['title', 'responsible.name'] })
    // REST 3.0 tasks.task.get requires `id` (REST 2's takes `taskId`): checked before sending.
    await expect(client.v3.call('tasks.task.get', {}).call()).rejects.toBeInstanceOf(BitrixValidationError)
    expect(server.seen).toHaveLength(3)
  })
})

describe('lists', () => {
  it('asList() pages with pagination at the documented cap and stops on a short page', async () => {
    const rows = Array.from({ length: 1500 }, (_, index) => ({ id: index + 1 }))
    const { client, server } = await clientFor((request) => {
      const { pagination } = JSON.parse(request.body) as { pagination: { limit: number; offset: number } }
      return v3Result({ items: rows.slice(pagination.offset, pagination.offset + pagination.limit) })
    })
    const all = await client.v3.tasks.task.list({ select: ['id'], filter: [['id', '>', 0]] }).asList()
    expect(all.map((task) => task.id)).toEqual(rows.map((row) => row.id))
    expect(server.seen.map((_, index) => body(index).pagination)).toEqual([
      { limit: 1000, offset: 0 },
      { limit: 1000, offset: 1000 },
    ])
    expect(body(1).filter).toEqual([['id', '>', 0]])
  })

  it('a list that ignores pagination fails instead of looping; maxPages bounds the read', async () => {
    const page = Array.from({ length: 50 }, (_, index) => ({ id: index + 1 }))
    const { client } = await clientFor(() => v3Result({ items: page }))
    await expect(client.v3.main.eventlog.list({}).asList()).rejects.toMatchObject({
      name: 'BitrixListError',
      reason: 'repeat',
    })
    await expect(client.v3.main.eventlog.list({}).asList({ maxPages: 1 })).rejects.toMatchObject({ reason: 'maxPages' })
  })

  it('a tail moves its cursor past the last row, and fails when the cursor stalls', async () => {
    const log = Array.from({ length: 120 }, (_, index) => ({ id: 10 + index }))
    let stall = false
    const { client, server } = await clientFor((request) => {
      const { cursor } = JSON.parse(request.body) as { cursor: { value: number; limit: number } }
      const after = stall ? 0 : cursor.value
      return v3Result({ items: log.filter((row) => row.id > after).slice(0, cursor.limit) })
    })
    const read: number[] = []
    for await (const entry of client.v3.main.eventlog.tail({ select: ['id'], cursor: { value: 5 } }).asListFast())
      read.push(Number(entry.id))
    expect(read).toEqual(log.map((row) => row.id))
    expect(server.seen.map((_, index) => body(index).cursor)).toEqual([
      { field: 'id', order: 'ASC', value: 5, limit: 50 },
      { field: 'id', order: 'ASC', value: 59, limit: 50 },
      { field: 'id', order: 'ASC', value: 109, limit: 50 },
    ])
    stall = true
    const failure = client.v3.main.eventlog.tail({ cursor: { value: 60 } }).asList()
    await expect(failure).rejects.toBeInstanceOf(BitrixListError)
    await expect(failure).rejects.toMatchObject({ reason: 'cursor' })
  })
})

describe('batch', () => {
  it('is a JSON list of { method, query, as } with $ref references, answered in order', async () => {
    const { client, server } = await clientFor(() => v3Result([{ item: { id: 42 } }, { item: { id: 42, title: 'x' } }]))
    const added = client.v3.tasks.task.add({ fields: { title: 'x', creatorId: 1, responsibleId: 1 } })
    const response = await client.v3.callBatch({
      added,
      read: client.v3.tasks.task.get({ id: ref(added).item.id, select: ['title'] }),
    })
    expect(server.seen[0].path).toBe('/rest/api/1/key/batch')
    expect(body(0)).toEqual([
      { method: 'tasks.task.add', query: { fields: { title: 'x', creatorId: 1, responsibleId: 1 } }, as: 'added' },
      { method: 'tasks.task.get', query: { id: { $ref: 'added.item.id' }, select: ['title'] }, as: 'read' },
    ])
    expect(server.seen[0].headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(response.result.read.item.title).toBe('x')
    expect(response.result.added.item.id).toBe(42)
  })

  it('callBatches chunks by 50 and keeps positions; an OAuth app sends { 0: …, auth } like the JS SDK', async () => {
    const server = await portal.start((request) => {
      if (request.path.endsWith('/batch')) {
        const commands = Object.entries(JSON.parse(request.body) as Record<string, { query: { id: number } }>)
        return v3Result(
          commands.filter(([key]) => key !== 'auth').map(([, command]) => ({ item: { id: command.query.id } })),
        )
      }
      return v3Result({})
    })
    const app = new BitrixApp({ clientId: 'app.1', clientSecret: 'secret-1', oauthServer: server.url })
    const token = new BitrixToken({ domain: server.url, authToken: 'token-1', refreshToken: 'r', bitrixApp: app })
    const client = new Client(token, { limiter: false })
    const requests = Array.from({ length: 70 }, (_, index) => client.v3.tasks.task.get({ id: index + 1 }))
    const results = await client.v3.callBatches(requests)
    expect(results.map((result) => result.item.id)).toEqual(requests.map((_, index) => index + 1))
    expect(server.seen.map((request) => request.path)).toEqual(['/rest/api/batch', '/rest/api/batch'])
    const first = JSON.parse(server.seen[0].body) as Record<string, unknown>
    expect(first.auth).toBe('token-1')
    expect(first[0]).toEqual({ method: 'tasks.task.get', query: { id: 1 }, as: 'c0' })
    expect(Object.keys(first)).toHaveLength(51)
  })
})

describe('where', () => {
  it('builds the documented filter shape', () => {
    const filter = where('status', '=', 'NEW').and(where('id', 'in', [1, 2]).or('id', 'in', [3, 4, 5]))
    expect(JSON.parse(JSON.stringify(filter))).toEqual([
      ['status', '=', 'NEW'],
      {
        logic: 'or',
        conditions: [
          ['id', 'in', [1, 2]],
          ['id', 'in', [3, 4, 5]],
        ],
      },
    ])
    expect(Array.isArray(filter)).toBe(true)
    expect(Object.isFrozen(filter)).toBe(true)
  })

  it.each([
    ['an unknown operator', () => where('id', 'like' as '=', 1)],
    ['an empty in', () => where('id', 'in', [])],
    ['a between without two bounds', () => where('id', 'between', [1] as unknown as [number, number])],
    ['an object value', () => where('id', '=', {} as unknown as number)],
    ['an empty field', () => where('', '=', 1)],
  ])('refuses %s', (_, build) => {
    expect(build).toThrow(BitrixValidationError)
  })
})
