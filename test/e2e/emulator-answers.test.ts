/**
 * No silent canned answers: an unimplemented catalogued method fails loudly by default; docs examples are
 * opt-in, check the documented parameters first and are marked; `emu.on` programs answers and `emu.received`
 * records what was sent.
 */
import { describe, expect, it } from 'vitest'
import { CANNED_HEADER, RestError, withPaging } from '../../src/emulator/index.js'
import { BitrixAPIError } from '../../src/errors/index.js'
import { BitrixWebhook, Client } from '../../src/index.js'
import { oauthApp, postForm, postJson, request, start } from './emulator-helpers.js'

describe('unimplemented methods', () => {
  it('answer 400 EMULATOR_NOT_IMPLEMENTED by default, naming the method and both ways forward', async () => {
    const emu = await start()
    const res = await request(`${emu.webhookUrl}crm.activity.configurable.get?id=1`)
    expect(res.status).toBe(400)
    expect(res.json.error).toBe('EMULATOR_NOT_IMPLEMENTED')
    expect(res.json.error_description).toContain('crm.activity.configurable.get')
    expect(res.json.error_description).toContain("emu.on('crm.activity.configurable.get'")
    expect(res.json.error_description).toContain('docExamples: true')
    expect(res.headers.get(CANNED_HEADER)).toBeNull()
    expect(emu.stats.canned).toBe(0)
  })

  it('are not retried by the SDK, reads included', async () => {
    const emu = await start()
    const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), { limiter: false, defaultMaxRetries: 3 })
    const before = emu.stats.httpRequests
    const error = await client.call('crm.activity.configurable.get', { id: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(BitrixAPIError)
    expect((error as BitrixAPIError).error).toBe('EMULATOR_NOT_IMPLEMENTED')
    expect(emu.stats.httpRequests - before).toBe(1)
  })

  it('keep 404 ERROR_METHOD_NOT_FOUND for names the catalogue does not know', async () => {
    const emu = await start()
    const res = await request(`${emu.webhookUrl}no.such.method`)
    expect(res.status).toBe(404)
    expect(res.json.error).toBe('ERROR_METHOD_NOT_FOUND')
  })

  it('fail inside a batch as a per-command error, the others still answering', async () => {
    const emu = await start()
    const res = await postJson(`${emu.webhookUrl}batch`, {
      cmd: { a: 'crm.activity.configurable.get?id=1', b: 'test.echo?x=1' },
    })
    expect(res.status).toBe(200)
    expect(res.json.result.result_error.a.error).toBe('EMULATOR_NOT_IMPLEMENTED')
    expect(res.json.result.result.b).toEqual({ x: '1' })
  })
})

describe('docs-example mode (opt-in)', () => {
  it('answers the documented example, marked by a header and counted as canned', async () => {
    const emu = await start({ docExamples: true })
    const res = await request(`${emu.webhookUrl}crm.activity.configurable.get?id=999`)
    expect(res.status).toBe(200)
    expect(res.json.result.activity.id).toBe(8903) // the page's example, whatever was asked
    expect(res.headers.get(CANNED_HEADER)).toBe('1')
    const stats = emu.stats
    expect(stats.canned).toBe(1)
    expect(stats.answers.example).toBe(1)
  })

  it('does not mark answers from portal state', async () => {
    const emu = await start({ docExamples: true })
    const res = await request(`${emu.webhookUrl}crm.deal.get?id=1`)
    expect(res.status).toBe(200)
    expect(res.headers.get(CANNED_HEADER)).toBeNull()
    expect(emu.stats.canned).toBe(0)
    expect(emu.stats.answers.state).toBe(1)
  })

  it('checks the documented required parameters first', async () => {
    const emu = await start({ docExamples: true })
    const res = await request(`${emu.webhookUrl}crm.activity.configurable.get`)
    expect(res.status).toBe(400)
    expect(res.json).toEqual({
      error: 'ERROR_ARGUMENT',
      error_description: "Required parameter 'id' is missing",
      argument: 'id',
    })
    const nested = await postJson(`${emu.webhookUrl}crm.calllist.items.get`, { FILTER: {} })
    expect(nested.json.argument).toBe('LIST_ID')
    expect(emu.stats.canned).toBe(0)
  })

  it('checks the documented types of the parameters given', async () => {
    const emu = await start({ docExamples: true })
    const res = await request(`${emu.webhookUrl}crm.activity.configurable.get?id=abc`)
    expect(res.status).toBe(400)
    expect(res.json.error).toBe('ERROR_ARGUMENT')
    expect(res.json.error_description).toBe("Invalid value of parameter 'id': integer expected")
    const fields = await postForm(`${emu.webhookUrl}biconnector.source.add`, 'fields=plain')
    expect(fields.json.argument).toBe('fields')
    const ok = await postForm(
      `${emu.webhookUrl}biconnector.source.add`,
      'fields[title]=x&fields[connectorId]=1&fields[settings][host]=db',
    )
    expect(ok.status).toBe(200)
  })

  it('counts the canned sub-commands of a batch in the header', async () => {
    const emu = await start({ docExamples: true })
    const res = await postJson(`${emu.webhookUrl}batch`, {
      cmd: { a: 'crm.activity.configurable.get?id=1', b: 'crm.deal.get?id=1', c: 'biconnector.source.list' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get(CANNED_HEADER)).toBe('2')
    expect(emu.stats.canned).toBe(2)
  })
})

describe('emu.on', () => {
  it('answers a fixed result, a fresh copy each time', async () => {
    const emu = await start()
    emu.on('crm.activity.configurable.get', { ID: '7', SUBJECT: 'Call' })
    const first = await request(`${emu.webhookUrl}crm.activity.configurable.get?id=7`)
    expect(first.status).toBe(200)
    expect(first.json.result).toEqual({ ID: '7', SUBJECT: 'Call' })
    expect(first.headers.get(CANNED_HEADER)).toBeNull()
    expect(emu.stats.answers.handler).toBe(1)
  })

  it('runs a handler with the decoded parameters and the caller; RestError answers an error', async () => {
    const emu = await start()
    emu.on('CRM.Activity.Configurable.Get', (params, call) => {
      if (params.id === '404') throw new RestError('NOT_FOUND', 'Activity not found', 400)
      return { ID: params.id, by: call.userId, auth: call.authType }
    })
    const found = await request(`${emu.webhookUrl}crm.activity.configurable.get?id=5`)
    expect(found.json.result).toEqual({ ID: '5', by: 1, auth: 'webhook' })
    const missing = await request(`${emu.webhookUrl}crm.activity.configurable.get?id=404`)
    expect(missing.status).toBe(400)
    expect(missing.json).toEqual({ error: 'NOT_FOUND', error_description: 'Activity not found' })
  })

  it('lifts total and next with withPaging; an async handler works too', async () => {
    const emu = await start()
    emu.on('crm.activity.list', async (params) =>
      withPaging([{ ID: String(params.start ?? 0) }], { total: 120, next: 50 }),
    )
    const res = await request(`${emu.webhookUrl}crm.activity.list?start=0`)
    expect(res.json.result).toEqual([{ ID: '0' }])
    expect(res.json.total).toBe(120)
    expect(res.json.next).toBe(50)
  })

  it('wins over the portal state until removed', async () => {
    const emu = await start()
    const handle = emu.on('crm.deal.get', { ID: 'programmed' })
    expect((await request(`${emu.webhookUrl}crm.deal.get?id=1`)).json.result.ID).toBe('programmed')
    expect(handle.calls).toBe(1)
    handle.remove()
    expect((await request(`${emu.webhookUrl}crm.deal.get?id=1`)).json.result.ID).toBe('1')
    emu.on('crm.deal.get', { ID: 'again' })
    emu.off('crm.deal.get')
    expect((await request(`${emu.webhookUrl}crm.deal.get?id=1`)).json.result.ID).toBe('1')
  })

  it('keeps the scope of the method it stands in for', async () => {
    const emu = await start()
    emu.on('crm.activity.configurable.get', { ID: '1' })
    const hook = emu.createWebhook({ scopes: ['user'] })
    const res = await request(`${hook.url}crm.activity.configurable.get?id=1`)
    expect(res.json.error).toBe('insufficient_scope')
  })
})

describe('emu.received', () => {
  it('records each call with its parameters as PHP decoded them and the auth type, without credentials', async () => {
    const emu = await start()
    emu.on('crm.activity.list', [])
    await postForm(`${emu.webhookUrl}crm.activity.list`, 'filter[>ID]=5&select[]=ID&select[]=SUBJECT')
    const { token } = oauthApp(emu)
    await postJson(`${emu.url}/rest/batch`, {
      auth: token.accessToken,
      cmd: { one: 'crm.activity.list?filter[OWNER_ID]=3', two: 'test.echo?x=1' },
    })
    const received = emu.received
    expect(received.map((call) => [call.method, call.authType, call.inBatch, call.answeredBy])).toEqual([
      ['crm.activity.list', 'webhook', false, 'handler'],
      ['batch', 'oauth', false, 'state'],
      ['crm.activity.list', 'oauth', true, 'handler'],
      ['test.echo', 'oauth', true, 'handler'],
    ])
    expect(received[0].params).toEqual({ filter: { '>ID': '5' }, select: ['ID', 'SUBJECT'] })
    expect(received[2].params).toEqual({ filter: { OWNER_ID: '3' } })
    expect(JSON.stringify(received)).not.toContain(token.accessToken)
    emu.clearReceived()
    expect(emu.received).toEqual([])
  })

  it('records refused calls with the error and no answer source', async () => {
    const emu = await start()
    await request(`${emu.webhookUrl}crm.activity.configurable.get?id=1`)
    expect(emu.received).toEqual([
      {
        method: 'crm.activity.configurable.get',
        params: { id: '1' },
        authType: 'webhook',
        userId: 1,
        inBatch: false,
        answeredBy: undefined,
        error: 'EMULATOR_NOT_IMPLEMENTED',
      },
    ])
  })

  it('removes credentials written into batch command strings', async () => {
    const emu = await start()
    const { token } = oauthApp(emu)
    await postJson(`${emu.url}/rest/batch`, {
      auth: token.accessToken,
      cmd: { a: `test.echo?auth=${token.accessToken}&x=1`, b: `test.echo?x=2&access_token=${token.accessToken}` },
    })
    const received = emu.received
    expect(received[0].params).toEqual({ cmd: { a: 'test.echo?x=1', b: 'test.echo?x=2' } })
    expect(JSON.stringify(received)).not.toContain(token.accessToken)
    expect(() => emu.on('batch', {})).toThrow(TypeError)
  })

  it('keeps only the newest receivedLimit calls', async () => {
    const emu = await start({ receivedLimit: 2 })
    for (const x of ['1', '2', '3']) await request(`${emu.webhookUrl}test.echo?x=${x}`)
    expect(emu.received.map((call) => call.params.x)).toEqual(['2', '3'])
  })
})
