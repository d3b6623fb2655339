/**
 * The reference SDK's README, example by example, against the emulator over real HTTP.
 */
import { describe, expect, it } from 'vitest'
import {
  BitrixAPIError,
  BitrixAPIInsufficientScope,
  BitrixAPIMethodNotFound,
  BitrixAPIWrongAuthType,
  BitrixValidationError,
} from '../../src/errors/index.js'
import {
  BitrixAppLocal,
  BitrixRequest,
  BitrixResponse,
  BitrixTokenLocal,
  BitrixWebhook,
  Client,
  Config,
  ref,
} from '../../src/index.js'
import { countRequests, limitsOf, oauthToken, usePortal, webhookClient } from './sdk-fixtures.js'

const portal = usePortal({ seed: { deals: 1_000, users: 8, departments: 4 }, plan: 'off' })

describe('calling a method with a webhook', () => {
  it('builds the webhook from domain + authToken and from a URL alike', async () => {
    const emu = portal.emu()
    const key = emu.webhookUrl.split('/').at(-2)!
    const byParts = new Client(new BitrixWebhook({ domain: emu.url, authToken: `1/${key}` }), limitsOf(emu))
    const byUrl = webhookClient(emu)
    const [a, b] = await Promise.all([byParts.crm.deal.fields(), byUrl.crm.deal.fields()])
    expect(Object.keys(a.result as object)).toContain('TITLE')
    expect(b.result).toEqual(a.result)
  })

  it('crm.deal.get returns the deal with .result and .time', async () => {
    const response = await webhookClient(portal.emu()).crm.deal.get({ id: 2 })
    expect(response).toBeInstanceOf(BitrixResponse)
    expect(response.result.ID).toBe('2')
    expect(typeof response.result.TITLE).toBe('string')
    expect(response.time.duration).toBeGreaterThanOrEqual(0)
    expect(response.time.finish).toBeGreaterThanOrEqual(response.time.start)
    expect(response.time.dateStart).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/)
  })
})

describe('deferred requests', () => {
  it('sends nothing until awaited, once however often awaited, and again on .call()', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const { value: holder, requests: none } = await countRequests(emu, async () => ({
      request: client.crm.deal.get({ id: 3 }),
    }))
    const { request } = holder
    expect(request).toBeInstanceOf(BitrixRequest)
    expect(none).toBe(0)
    const { value: pair, requests: one } = await countRequests(emu, async () => [await request, await request])
    expect(one).toBe(1)
    expect(pair[0]).toBe(pair[1])
    const { value: again, requests: second } = await countRequests(emu, () => request.call())
    expect(second).toBe(1)
    expect(again).not.toBe(pair[0])
    expect(again.result).toEqual(pair[0].result)
  })
})

describe('deal CRUD', () => {
  it('adds, reads, updates and deletes a deal', async () => {
    const client = webhookClient(portal.emu())
    const added = await client.crm.deal.add({
      fields: { TITLE: 'README deal', OPPORTUNITY: 1234.5, CURRENCY_ID: 'USD' },
    })
    const id = Number(added.result)
    expect(Number.isInteger(id)).toBe(true)
    const read = await client.crm.deal.get({ id })
    expect(read.result.TITLE).toBe('README deal')
    expect(Number(read.result.OPPORTUNITY)).toBe(1234.5)
    expect((await client.crm.deal.update({ id, fields: { TITLE: 'renamed' } })).result).toBe(true)
    expect((await client.crm.deal.get({ id })).result.TITLE).toBe('renamed')
    expect((await client.crm.deal.delete({ id })).result).toBe(true)
    await expect(client.crm.deal.get({ id }).call()).rejects.toBeInstanceOf(BitrixAPIError)
  })
})

describe('lists', () => {
  it('one page: at most 50 rows, with total and next', async () => {
    const page = await webhookClient(portal.emu()).crm.deal.list({ select: ['ID', 'TITLE'], filter: { '>ID': 10 } })
    expect(page.result).toHaveLength(50)
    expect(page.total).toBeGreaterThan(50)
    expect(page.next).toBe(50)
    expect(Object.keys(page.result[0]).sort()).toEqual(['ID', 'TITLE'])
  })

  it('asList returns every matching record; without an order it reads by ID keyset, 2,500 rows per request', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const filter = { '<=ID': 700 }
    const { value: deals, requests } = await countRequests(emu, () =>
      client.crm.deal.list({ select: ['ID'], filter }).asList(),
    )
    const ids = deals.map((deal) => Number(deal.ID))
    const expected = (await client.crm.deal.list({ select: ['ID'], filter }).response).total
    expect(ids).toHaveLength(expected!)
    expect(new Set(ids).size).toBe(ids.length)
    expect(requests).toBe(1)
  })

  it('asListFast streams every record once, in ID order', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const ids: number[] = []
    const { requests } = await countRequests(emu, async () => {
      for await (const deal of client.crm.deal.list({ select: ['ID'] }).asListFast()) ids.push(Number(deal.ID))
    })
    const total = (await client.crm.deal.list({ select: ['ID'] })).total!
    expect(ids).toHaveLength(total)
    expect(ids).toEqual([...ids].sort((a, b) => a - b))
    expect(new Set(ids).size).toBe(total)
    expect(requests).toBeLessThanOrEqual(Math.ceil(total / 2_500) + 1)
  })

  it('asListFast reads descending, stops at a limit and resumes after an ID', async () => {
    const client = webhookClient(portal.emu())
    const newest: number[] = []
    for await (const deal of client.crm.deal.list({ select: ['ID'] }).asListFast({ descending: true, limit: 120 })) {
      newest.push(Number(deal.ID))
    }
    expect(newest).toHaveLength(120)
    expect(newest).toEqual([...newest].sort((a, b) => b - a))
    const resumed: number[] = []
    for await (const deal of client.crm.deal.list({ select: ['ID'] }).asListFast({ after: 100, limit: 5 })) {
      resumed.push(Number(deal.ID))
    }
    expect(resumed[0]).toBeGreaterThan(100)
    expect(resumed).toHaveLength(5)
  })

  it('works for the other list shapes: crm.item.list (items/id), tasks.task.list (tasks), user.get, department.get', async () => {
    const client = webhookClient(portal.emu())
    const items = await client.crm.item.list({ entityTypeId: 2, select: ['id'] }).asList()
    const fast: unknown[] = []
    for await (const item of client.crm.item.list({ entityTypeId: 2, select: ['id'] }).asListFast()) fast.push(item)
    expect(fast).toHaveLength(items.length)
    const tasks = await client.tasks.task.list({ select: ['ID', 'TITLE'] }).asList()
    const tasksFast: unknown[] = []
    for await (const task of client.tasks.task.list({ select: ['ID', 'TITLE'] }).asListFast()) tasksFast.push(task)
    expect(tasksFast).toHaveLength(tasks.length)
    expect(tasks.length).toBeGreaterThan(0)
    const users = await client.user.get({}).asList()
    expect(users.length).toBe(8)
    const departments = await client.department.get({}).asList()
    expect(departments.length).toBe(4)
  })
})

describe('batches', () => {
  it('callBatch: named commands, a typed reference, per-command errors', async () => {
    const client = webhookClient(portal.emu())
    const me = client.user.current()
    const batch = await client.callBatch({
      me,
      department: client.department.get({ ID: ref(me).UF_DEPARTMENT[0] }),
      deal: client.crm.deal.get({ id: 5 }),
      missing: client.crm.deal.get({ id: 99_999_999 }),
    })
    expect(batch.result.result.me?.ID).toBe('1')
    const department = batch.result.result.department as Array<{ ID: string }>
    expect(department[0].ID).toBe(String((batch.result.result.me?.UF_DEPARTMENT as number[] | undefined)?.[0]))
    expect(batch.result.result.deal?.ID).toBe('5')
    expect(batch.result.resultError.missing).toBeInstanceOf(BitrixAPIError)
    expect(batch.result.result.missing).toBeUndefined()
    expect(batch.result.resultTime.deal?.duration).toBeGreaterThanOrEqual(0)
  })

  it('callBatch: positional commands come back by position; halt stops at the first error', async () => {
    const client = webhookClient(portal.emu())
    const positional = await client.callBatch([client.server.time(), client.crm.deal.get({ id: 1 })])
    expect(typeof positional.result.result[0]).toBe('string')
    expect(positional.result.result[1]?.ID).toBe('1')
    const halted = await client.callBatch(
      { a: client.crm.deal.get({ id: 99_999_999 }), b: client.crm.deal.get({ id: 1 }) },
      { halt: true },
    )
    expect(halted.result.resultError.a).toBeInstanceOf(BitrixAPIError)
    expect(halted.result.result.b).toBeUndefined()
  })

  it('callBatch refuses more than 50 commands before sending; callBatches takes any number', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const gets = Array.from({ length: 120 }, (_, i) => client.crm.deal.get({ id: i + 1 }))
    await expect(client.callBatch(gets)).rejects.toBeInstanceOf(BitrixValidationError)
    const { value: merged, requests } = await countRequests(emu, () => client.callBatches(gets))
    expect(requests).toBe(3)
    expect(merged.result).toHaveLength(120)
    expect(merged.result.map((deal) => deal?.ID)).toEqual(gets.map((_, i) => String(i + 1)))
  })

  it('encodes booleans and nested params the way the server parses them', async () => {
    const client = webhookClient(portal.emu())
    const created = await client.callBatch({
      add: client.crm.deal.add({
        fields: { TITLE: 'a & b = c', OPENED: 'Y', CONTACT_IDS: [1, 2] },
        params: { REGISTER_SONET_EVENT: 'N' },
      }),
    })
    const id = Number(created.result.result.add)
    const deal = await client.crm.deal.get({ id })
    expect(deal.result.TITLE).toBe('a & b = c')
    expect(deal.result.OPENED).toBe('Y')
  })
})

describe('errors', () => {
  it('unknown method, insufficient scope, webhook on an app-only method, not found', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    await expect(client.call('crm.no.such.method').response).rejects.toBeInstanceOf(BitrixAPIMethodNotFound)
    const crmOnly = new Client(BitrixWebhook.fromUrl(emu.createWebhook({ scopes: ['crm'] }).url), limitsOf(emu))
    await expect(crmOnly.user.current().response).rejects.toBeInstanceOf(BitrixAPIInsufficientScope)
    await expect(client.event.get().response).rejects.toBeInstanceOf(BitrixAPIWrongAuthType)
    const error = await client.crm.deal.get({ id: 123_456_789 }).response.catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(BitrixAPIError)
    expect((error as BitrixAPIError).status).toBe(400)
  })

  it('wrong webhook format, plain http to a public host and a wrongly typed parameter fail before any request', async () => {
    const emu = portal.emu()
    expect(() => new BitrixWebhook({ domain: 'example.bitrix24.com', authToken: 'not-a-token' })).toThrow(/userId\/key/)
    expect(() => new BitrixWebhook({ domain: 'http://example.bitrix24.com', authToken: '1/abc' })).toThrow(/https/)
    const client = webhookClient(emu)
    const { value: error, requests } = await countRequests(emu, () =>
      client.crm.deal.get({ id: 'abc' as unknown as number }).response.catch((caught: unknown) => caught),
    )
    expect(requests).toBe(0)
    expect(error).toBeInstanceOf(BitrixValidationError)
    expect((error as Error).message).toBe('crm.deal.get: parameter "id" must be integer, received string "abc"')
  })
})

describe('Config', () => {
  it('is one process-wide object; clients may override it', async () => {
    const config = new Config()
    expect(new Config()).toBe(config)
    config.configure({ defaultTimeout: [2, 20], defaultMaxRetries: 1 })
    expect(config.defaultTimeout).toEqual([2, 20])
    config.reset()
    expect(config.defaultMaxRetries).toBe(3)
    expect(() => config.configure({ defaultTimeout: -1 })).toThrow(/defaultTimeout.*> 0/)
    expect(() => config.configure({ defaultTimeout: [5] as unknown as [number, number] })).toThrow(/connect, read/)
    expect(() => config.configure({ defaultMaxRetries: 1.5 })).toThrow(BitrixValidationError)
    expect(() => webhookClient(portal.emu(), { defaultTimout: 5 } as never)).toThrow(/unknown setting "defaultTimout"/)
    const strict = webhookClient(portal.emu(), { validateArguments: false })
    const error = await strict.crm.deal
      .get({ id: 'abc' as unknown as number })
      .response.catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(BitrixAPIError)
  })
})

describe('local application', () => {
  it('BitrixAppLocal + BitrixTokenLocal call the portal of the app', async () => {
    const emu = portal.emu()
    const credentials = emu.createApp({ scopes: ['crm'] })
    const issued = emu.issueToken({ clientId: credentials.clientId })
    const app = new BitrixAppLocal({
      domain: emu.url,
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      oauthServer: emu.url,
    })
    const token = new BitrixTokenLocal({
      authToken: issued.accessToken,
      refreshToken: issued.refreshToken,
      bitrixApp: app,
    })
    const deal = await new Client(token, limitsOf(emu)).crm.deal.get({ id: 4 })
    expect(deal.result.ID).toBe('4')
  })

  it('an OAuth app can manage event handlers', async () => {
    const { token } = oauthToken(portal.emu())
    const client = new Client(token, limitsOf(portal.emu()))
    expect((await client.event.bind({ event: 'ONCRMDEALADD', handler: 'https://example.com/handler' })).result).toBe(
      true,
    )
    const handlers = (await client.event.get()).result as Array<{ event: string }>
    expect(handlers.map((handler) => handler.event)).toContain('ONCRMDEALADD')
  })
})
