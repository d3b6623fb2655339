/**
 * REST 3.0 at `/rest/api/` over raw HTTP (api-reference/rest-v3.md): the envelope and every error shape, JSON-only
 * bodies with the query string ignored, select with relations, filters, pagination, the event log and its tail
 * cursor, idempotent writes (replay, 422, 24 h expiry on the emulator clock), the v3 batch with references, the
 * OpenAPI document, and the state v3 shares with v2.
 */
import { describe, expect, it } from 'vitest'
import type { Emulator } from '../../src/emulator/index.js'
import { type RawResponse, request, start } from './emulator-helpers.js'

const V3 = 'BITRIX_REST_V3_EXCEPTION_'

/** `/rest/1/SECRET/` → `/rest/api/1/SECRET/`. */
function v3Base(emu: Emulator): string {
  return emu.webhookUrl.replace('/rest/', '/rest/api/')
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return request(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

describe('REST 3.0 envelope, errors and JSON-only bodies', () => {
  it('answers { result: { item }, time } and reads a v2 task through v3 and back', async () => {
    const emu = await start({ seed: { tasks: 5, users: 3 } })
    const v2 = await post(`${emu.webhookUrl}tasks.task.add`, {
      fields: { TITLE: 'Written by v2', RESPONSIBLE_ID: 2, DEADLINE: '2026-03-01T10:00:00+02:00' },
    })
    const id = Number(v2.json.result.task.id)
    const read = await post(`${v3Base(emu)}tasks.task.get`, {
      id,
      select: ['id', 'title', 'responsible.name', 'deadline'],
    })
    expect(read.status).toBe(200)
    expect(Object.keys(read.json)).toEqual(['result', 'time'])
    expect(read.json.result.item).toEqual({
      id,
      title: 'Written by v2',
      responsible: { name: expect.any(String) },
      deadline: '2026-03-01T10:00:00+02:00',
    })
    expect(read.json.time.duration).toBeGreaterThanOrEqual(0)

    const added = await post(`${v3Base(emu)}tasks.task.add`, {
      fields: { title: 'Written by v3', creatorId: 1, responsibleId: 3, priority: 'high', needsControl: true },
    })
    expect(added.status).toBe(200)
    const v3Id = added.json.result.item.id
    expect(added.json.result.item).toMatchObject({ title: 'Written by v3', status: 'pending', priority: 'high' })
    const back = await post(`${emu.webhookUrl}tasks.task.get`, { taskId: v3Id })
    expect(back.json.result.task).toMatchObject({
      title: 'Written by v3',
      responsibleId: '3',
      priority: '2',
      taskControl: 'Y',
    })

    const updated = await post(`${v3Base(emu)}tasks.task.update`, { id: v3Id, fields: { status: 'completed' } })
    expect(updated.json.result).toEqual({ result: true })
    const v2After = await post(`${emu.webhookUrl}tasks.task.get`, { taskId: v3Id })
    expect(v2After.json.result.task.status).toBe('5')
    const deleted = await post(`${v3Base(emu)}tasks.task.delete`, { id: v3Id })
    expect(deleted.json.result).toEqual({ result: true })
    const gone = await post(`${v3Base(emu)}tasks.task.get`, { id: v3Id })
    expect(gone.status).toBe(400)
    expect(gone.json).toEqual({
      error: { code: `${V3}ENTITYNOTFOUNDEXCEPTION`, message: `Record with ID = \`${v3Id}\` not found` },
    })
  })

  it('gives validation errors with validation[] entries naming the field', async () => {
    const emu = await start({ seed: { tasks: 3, users: 2 } })
    const missing = await post(`${v3Base(emu)}tasks.task.get`, {})
    expect(missing.status).toBe(400)
    expect(missing.json.error).toEqual({
      code: `${V3}VALIDATION_REQUESTVALIDATIONEXCEPTION`,
      message: 'Error validating request object',
      validation: [{ field: 'id', message: 'Required field `id` is not specified' }],
    })
    const wrongType = await post(`${v3Base(emu)}tasks.task.get`, { id: '1' })
    expect(wrongType.json.error.validation).toEqual([
      { field: 'id', message: 'Field `id` requires data type `int` for this request' },
    ])
    const add = await post(`${v3Base(emu)}tasks.task.add`, { fields: { title: 'x', responsibleId: 99, deadline: 5 } })
    expect(add.status).toBe(400)
    expect(add.json.error.validation.map((v: { field: string }) => v.field).sort()).toEqual([
      'creatorId',
      'deadline',
      'responsibleId',
    ])
    const update = await post(`${v3Base(emu)}tasks.task.update`, { id: 1, fields: { creatorId: 2 } })
    expect(update.json.error.validation[0]).toEqual({
      field: 'creatorId',
      message:
        'In DTO `TaskDto`, the field `creatorId` requires the presence of the `Editable` attribute for such a request',
    })
    const denied = await post(`${v3Base(emu)}tasks.task.delete`, { id: 999 })
    expect(denied.status).toBe(403)
    expect(denied.json.error.code).toBe(`${V3}ACCESSDENIEDEXCEPTION`)
  })

  it('takes JSON only: a form body is INVALIDJSONEXCEPTION, the query string is ignored', async () => {
    const emu = await start({ seed: { tasks: 3 } })
    const form = await request(`${v3Base(emu)}tasks.task.get`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'id=1',
    })
    expect(form.status).toBe(400)
    expect(form.json.error.code).toBe(`${V3}INVALIDJSONEXCEPTION`)
    const broken = await post(`${v3Base(emu)}tasks.task.get`, '{"id":')
    expect(broken.json.error.code).toBe(`${V3}INVALIDJSONEXCEPTION`)
    // rest-v3.md: GET …/tasks.task.get?id=51 is a validation error, the id is not read from the query
    const query = await request(`${v3Base(emu)}tasks.task.get?id=1`)
    expect(query.status).toBe(400)
    expect(query.json.error.validation[0].field).toBe('id')
    const openapi = await request(`${v3Base(emu)}rest.documentation.openapi`)
    expect(openapi.status).toBe(200)
  })

  it('answers unknown methods 404 and a missing scope 403 INSUFFICIENTSCOPEEXCEPTION', async () => {
    const emu = await start()
    const unknown = await post(`${v3Base(emu)}crm.deal.list`, {})
    expect(unknown.status).toBe(404)
    expect(unknown.json.error.code).toBe(`${V3}METHODNOTFOUNDEXCEPTION`)
    const crmOnly = emu.createWebhook({ scopes: ['crm'] })
    const scoped = await post(`${crmOnly.url.replace('/rest/', '/rest/api/')}tasks.task.get`, { id: 1 })
    expect(scoped.status).toBe(403)
    expect(scoped.json.error.code).toBe(`${V3}INSUFFICIENTSCOPEEXCEPTION`)
    const wrongKey = await post(`${emu.url}/rest/api/1/wrong/tasks.task.get`, { id: 1 })
    expect(wrongKey.status).toBe(401)
    expect(wrongKey.json.error).toBe('INVALID_CREDENTIALS')
  })

  it('authenticates an OAuth app by `auth` in the JSON body', async () => {
    const emu = await start({ seed: { tasks: 3 } })
    const app = emu.createApp()
    const token = emu.issueToken({ clientId: app.clientId })
    const ok = await post(`${emu.url}/rest/api/tasks.task.get`, { id: 2, select: ['id'], auth: token.accessToken })
    expect(ok.json.result.item).toEqual({ id: 2 })
    expect(ok.headers.get('x-bitrix-rest-application')).toBe(app.clientId)
    const none = await post(`${emu.url}/rest/api/tasks.task.get`, { id: 2 })
    expect(none.status).toBe(401)
    emu.expireTokens()
    const expired = await post(`${emu.url}/rest/api/tasks.task.get`, { id: 2, auth: token.accessToken })
    expect(expired.status).toBe(401)
    expect(expired.json.error).toBe('expired_token')
  })
})

describe('REST 3.0 lists', () => {
  it('filters with operators and OR groups, orders, and pages with { page, limit, offset }', async () => {
    const emu = await start({ seed: { tasks: 30 } })
    const list = (body: unknown) => post(`${v3Base(emu)}tasks.task.list`, body)
    const ids = (r: RawResponse) => r.json.result.items.map((i: { id: number }) => i.id)
    expect(ids(await list({ filter: [['id', '>', 27]] }))).toEqual([28, 29, 30])
    expect(ids(await list({ filter: [['id', 'between', [3, 5]]], order: { id: 'DESC' } }))).toEqual([5, 4, 3])
    const or = await list({
      filter: [
        ['id', '<=', 10],
        {
          logic: 'or',
          conditions: [
            ['id', [1, 2]],
            ['id', 'in', [9]],
            ['id', '=', 30],
          ],
        },
      ],
    })
    expect(ids(or)).toEqual([1, 2, 9])
    expect(
      ids(
        await list({
          filter: [
            ['id', '!=', 1],
            ['id', '<', 4],
          ],
        }),
      ),
    ).toEqual([2, 3])
    expect(ids(await list({ pagination: { page: 2, limit: 10 } }))).toEqual(
      Array.from({ length: 10 }, (_, i) => 11 + i),
    )
    expect(ids(await list({ pagination: { offset: 28 } }))).toEqual([29, 30])
    const all = await list({ pagination: { limit: 5000 } })
    expect(ids(all)).toHaveLength(30)
    // only `id` is returned when there is no select
    expect(Object.keys(all.json.result.items[0])).toEqual(['id'])

    const operator = await list({ filter: [['id', 'like', 1]] })
    expect(operator.json.error.code).toBe(`${V3}UNKNOWNFILTEROPERATOREXCEPTION`)
    const unknownField = await list({ filter: [['nope', '=', 1]] })
    expect(unknownField.json.error.code).toBe(`${V3}UNKNOWNDTOPROPERTYEXCEPTION`)
    const notFilterable = await list({ filter: [['title', '=', 'x']] })
    expect(notFilterable.json.error.code).toBe(`${V3}VALIDATION_REQUESTVALIDATIONEXCEPTION`)
    expect(notFilterable.json.error.validation[0].field).toBe('title')
    const badValue = await list({ filter: [['id', '=', 'one']] })
    expect(badValue.json.error.validation[0].field).toBe('id')
    const page = await list({ pagination: { limit: 'abc' } })
    expect(page.json.error).toEqual({
      code: `${V3}INVALIDPAGINATIONEXCEPTION`,
      message: 'Unable to recognize the pagination parameter `{"limit":"abc"}`',
    })
    expect((await list({ pagination: { limit: 0 } })).json.error.code).toBe(`${V3}INVALIDPAGINATIONEXCEPTION`)
    expect((await list({ order: { id: 'UP' } })).json.error.code).toBe(`${V3}INVALIDORDEREXCEPTION`)
  })

  it('selects related objects by dot; an unknown own field is dropped, an unknown related field is an error', async () => {
    const emu = await start({ seed: { tasks: 3, users: 3 } })
    const got = await post(`${v3Base(emu)}tasks.task.get`, {
      id: 1,
      select: ['id', 'stageIdx', 'creator.id', 'creator.email'],
    })
    expect(Object.keys(got.json.result.item)).toEqual(['id', 'creator'])
    expect(Object.keys(got.json.result.item.creator)).toEqual(['id', 'email'])
    const bad = await post(`${v3Base(emu)}tasks.task.get`, { id: 1, select: ['responsible.stageId'] })
    expect(bad.status).toBe(400)
    expect(bad.json.error).toEqual({
      code: `${V3}UNKNOWNDTOPROPERTYEXCEPTION`,
      message: 'Unknown field `stageId` for entity `UserDto`',
    })
  })

  it('serves the event log to administrators: list with any-field filters, get, and the tail cursor', async () => {
    const emu = await start({ seed: { users: 4 } })
    const base = v3Base(emu)
    const all = await post(`${base}main.eventlog.list`, { pagination: { limit: 1000 } })
    const entries = all.json.result.items
    expect(entries.length).toBe(24)
    const auth = await post(`${base}main.eventlog.list`, {
      filter: [
        ['auditTypeId', '=', 'USER_AUTHORIZE'],
        ['timestampX', '>=', entries[10].timestampX],
      ],
      select: ['id', 'auditTypeId'],
    })
    const expected = entries
      .filter((e: { id: number; auditTypeId: string }) => e.auditTypeId === 'USER_AUTHORIZE' && e.id >= 11)
      .map((e: { id: number }) => ({ id: e.id, auditTypeId: 'USER_AUTHORIZE' }))
    expect(auth.json.result.items).toEqual(expected)
    const one = await post(`${base}main.eventlog.get`, { id: entries[3].id })
    expect(one.json.result.item).toEqual(entries[3])
    const missing = await post(`${base}main.eventlog.get`, { id: 999999 })
    expect(missing.json.error.message).toBe('Entry with ID = `999999` not found')

    const tail = await post(`${base}main.eventlog.tail`, { cursor: { field: 'id', value: 20, limit: 3 } })
    expect(tail.json.result.items.map((e: { id: number }) => e.id)).toEqual([21, 22, 23])
    const backwards = await post(`${base}main.eventlog.tail`, { cursor: { value: 3, order: 'DESC' } })
    expect(backwards.json.result.items.map((e: { id: number }) => e.id)).toEqual([2, 1])
    const conflict = await post(`${base}main.eventlog.tail`, { filter: [['id', '>', 1]] })
    expect(conflict.json.error.code).toBe(`${V3}INVALIDFILTEREXCEPTION`)

    const employee = emu.createWebhook({ userId: 2 })
    const denied = await post(`${employee.url.replace('/rest/', '/rest/api/')}main.eventlog.list`, {})
    expect(denied.status).toBe(403)
    expect(denied.json.error.code).toBe(`${V3}ACCESSDENIEDEXCEPTION`)
  })
})

describe('REST 3.0 idempotent writes', () => {
  const add = { fields: { title: 'Once', creatorId: 1, responsibleId: 1 } }

  it('replays a stored answer with Idempotent-Replayed, refuses another body with 422, forgets it after 24 h', async () => {
    const emu = await start({ seed: { tasks: 2 } })
    const url = `${v3Base(emu)}tasks.task.add`
    const key = { 'Idempotency-Key': '9f1c1a7e-5f1b-4a1e-9a2c-2f5f2b6c7d80' }
    const first = await post(url, add, key)
    expect(first.status).toBe(200)
    expect(first.headers.get('idempotency-key')).toBe(key['Idempotency-Key'])
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    // the same body with its keys in another order is the same call
    const again = await post(url, { fields: { responsibleId: 1, creatorId: 1, title: 'Once' } }, key)
    expect(again.status).toBe(200)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.json).toEqual(first.json)
    const ids = await post(`${v3Base(emu)}tasks.task.list`, { filter: [['id', '>', 2]] })
    expect(ids.json.result.items).toHaveLength(1)
    expect(emu.getStats().idempotency.applied[`tasks.task.add ${key['Idempotency-Key']}`]).toBe(1)

    const other = await post(url, { fields: { ...add.fields, title: 'Twice' } }, key)
    expect(other.status).toBe(422)
    expect(other.json.error.code).toBe(`${V3}IDEMPOTENCYKEYREUSEDEXCEPTION`)
    // the same key on another method is another call
    const update = await post(`${v3Base(emu)}tasks.task.update`, { id: 1, fields: { title: 'Renamed' } }, key)
    expect(update.status).toBe(200)
    expect(update.headers.get('idempotent-replayed')).toBeNull()

    emu.advanceTime(24 * 3600 + 1)
    const later = await post(url, add, key)
    expect(later.headers.get('idempotent-replayed')).toBeNull()
    expect(later.json.result.item.id).not.toBe(first.json.result.item.id)
    expect(emu.getStats().idempotency.applied[`tasks.task.add ${key['Idempotency-Key']}`]).toBe(2)
  })

  it('stores nothing for a failed call and refuses a malformed key', async () => {
    const emu = await start({ seed: { tasks: 2 } })
    const url = `${v3Base(emu)}tasks.task.update`
    const key = { 'Idempotency-Key': 'retry-me' }
    const failed = await post(url, { id: 77, fields: { title: 'x' } }, key)
    expect(failed.status).toBe(403)
    const retried = await post(url, { id: 77, fields: { title: 'x' } }, key)
    expect(retried.status).toBe(403)
    expect(retried.headers.get('idempotent-replayed')).toBeNull()
    const long = await post(url, { id: 1, fields: { title: 'x' } }, { 'Idempotency-Key': 'k'.repeat(256) })
    expect(long.status).toBe(400)
    expect(long.json.error.code).toBe(`${V3}INVALIDIDEMPOTENCYKEYEXCEPTION`)
    // reads ignore the header
    const read = await post(`${v3Base(emu)}tasks.task.get`, { id: 1 }, { 'Idempotency-Key': 'k'.repeat(256) })
    expect(read.status).toBe(200)
  })

  it('applies a write once when its answer was lost and the client repeats it with the same key', async () => {
    const emu = await start({ seed: { tasks: 2 } })
    const url = `${v3Base(emu)}tasks.task.add`
    const key = { 'Idempotency-Key': 'lost-answer' }
    emu.faults.inject({ method: 'tasks.task.add', kind: 'truncated', times: 1 })
    await expect(post(url, add, key)).rejects.toThrow()
    const retried = await post(url, add, key)
    expect(retried.status).toBe(200)
    expect(retried.headers.get('idempotent-replayed')).toBe('true')
    expect(emu.getStats().idempotency.applied['tasks.task.add lost-answer']).toBe(1)
    const list = await post(`${v3Base(emu)}tasks.task.list`, { filter: [['id', '>', 2]] })
    expect(list.json.result.items).toHaveLength(1)
  })
})

describe('REST 3.0 batch and discovery', () => {
  it('runs a JSON array of { method, query } in order, with $ref and $refArray between commands', async () => {
    const emu = await start({ seed: { tasks: 10 } })
    const batch = await post(`${v3Base(emu)}batch`, [
      { method: 'tasks.task.get', query: { id: 4, select: ['id', 'title'] } },
      { method: 'tasks.task.list', as: 'firstThree', query: { filter: [['id', '<=', 3]] } },
      { method: 'tasks.task.get', query: { id: { $ref: '0.item.id' }, select: ['id'] } },
      { method: 'tasks.task.list', query: { filter: [['id', 'in', { $refArray: 'firstThree.id' }]], select: ['id'] } },
    ])
    expect(batch.status).toBe(200)
    expect(Object.keys(batch.json)).toEqual(['result', 'time'])
    expect(batch.json.result).toHaveLength(4)
    expect(batch.json.result[0].item.id).toBe(4)
    expect(batch.json.result[2].item).toEqual({ id: 4 })
    expect(batch.json.result[3].items).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }])
  })

  it('fails the whole batch with the first failing command; the v2 cmd form is INVALIDSELECTEXCEPTION', async () => {
    const emu = await start({ seed: { tasks: 3 } })
    const failed = await post(`${v3Base(emu)}batch`, [
      { method: 'tasks.task.get', query: { id: 1 } },
      { method: 'tasks.task.get', query: { id: 1000 } },
      { method: 'tasks.task.delete', query: { id: 2 } },
    ])
    expect(failed.status).toBe(400)
    expect(failed.json.error.code).toBe(`${V3}ENTITYNOTFOUNDEXCEPTION`)
    const still = await post(`${v3Base(emu)}tasks.task.get`, { id: 2 })
    expect(still.status).toBe(200)
    const v2Form = await post(`${v3Base(emu)}batch`, { cmd: { a: 'tasks.task.get?id=1' } })
    expect(v2Form.json.error.code).toBe(`${V3}INVALIDSELECTEXCEPTION`)
  })

  it('serves an OpenAPI document of exactly the v3 methods it answers, and rest.scope.list', async () => {
    const emu = await start()
    const doc = await post(`${v3Base(emu)}rest.documentation.openapi`, {})
    expect(doc.json.openapi).toBe('3.0.0')
    expect(doc.json.info.title).toBe('Bitrix24 REST V3 API')
    expect(doc.json.result).toBeUndefined()
    const alias = await post(`${v3Base(emu)}documentation`, {})
    expect(alias.json).toEqual(doc.json)
    expect(doc.json.paths['/tasks.task.get'].post.requestBody.content['application/json'].schema.required).toEqual([
      'id',
    ])
    expect(doc.json.components.schemas.TaskDto.properties.responsible.$ref).toBe('#/components/schemas/UserDto')
    const scopes = await post(`${v3Base(emu)}rest.scope.list`, {})
    const listed = scopes.json.result.items.map((i: { method: string }) => i.method)
    expect(listed).toEqual(Object.keys(doc.json.paths).map((p) => p.slice(1)))
    expect(scopes.json.result.items.find((i: { method: string }) => i.method === 'main.eventlog.tail').scope).toBe(
      'main',
    )
    // every documented path answers something other than 404
    for (const path of Object.keys(doc.json.paths)) {
      const answer = await post(`${v3Base(emu)}${path.slice(1)}`, {})
      expect(answer.status, path).not.toBe(404)
    }
  })

  it('describes the task fields: only id is filterable, relations are objects', async () => {
    const emu = await start()
    const list = await post(`${v3Base(emu)}tasks.task.field.list`, {
      select: ['name', 'type', 'filterable', 'sortable'],
    })
    const byName = new Map(list.json.result.items.map((f: { name: string }) => [f.name, f]))
    expect(byName.get('id')).toEqual({ name: 'id', type: 'int', filterable: true, sortable: true })
    expect(byName.get('title')).toEqual({ name: 'title', type: 'string', filterable: false, sortable: true })
    expect(byName.get('responsible')).toMatchObject({ type: 'object', filterable: false })
    const one = await post(`${v3Base(emu)}main.eventlog.field.get`, { name: 'timestampX' })
    expect(one.json.result.item).toMatchObject({ name: 'timestampX', type: 'datetime', filterable: true })
  })

  it("keeps the portal's preflight: a browser may not send Idempotency-Key", async () => {
    const emu = await start()
    const preflight = await request(`${v3Base(emu)}tasks.task.add`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Headers': 'idempotency-key, content-type' },
    })
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/,\s*/)
    expect(allowed).toContain('content-type')
    expect(allowed).not.toContain('idempotency-key')
  })

  it('counts v3 calls against the same leaky bucket as v2', async () => {
    const emu = await start({ plan: 'standard' })
    let refused: RawResponse | undefined
    for (let i = 0; i < 60 && refused === undefined; i++) {
      const url = i % 2 === 0 ? `${emu.webhookUrl}test.echo` : `${v3Base(emu)}tasks.task.get`
      const answer = await post(url, { id: 1 })
      if (answer.status === 503) refused = answer
    }
    expect(refused?.json.error).toBe('QUERY_LIMIT_EXCEEDED')
  })
})
