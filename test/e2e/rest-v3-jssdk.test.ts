/**
 * Acceptance of REST 3.0 through a client written by others: the official JS SDK's `actions.v3` (call, batch,
 * callList, fetchList, callTail) runs against the emulator unchanged, with a webhook (B24Hook) and with an OAuth
 * app (B24OAuth, whose batch body is the command array spread into an object next to `auth`, and whose expired
 * token is renewed and the call kept on v3).
 */
import https from 'node:https'
import { B24Hook, BatchRefV3, FilterV3 } from '@bitrix24/b24jssdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_TLS_CERT, type Emulator, startEmulator } from '../../src/emulator/index.js'
import { jsSdkOAuth } from './jssdk-helpers.js'

// biome-ignore lint/suspicious/noExplicitAny: answers are inspected freely
type Json = any

let emu: Emulator
let hook: B24Hook

beforeAll(async () => {
  https.globalAgent.options.ca = EMULATOR_TLS_CERT
  emu = await startEmulator({ https: true, realDelays: false, seed: { tasks: 23, users: 4 } })
  hook = B24Hook.fromWebhookUrl(emu.webhookUrl)
})

afterAll(async () => {
  await emu.close()
})

describe('the official JS SDK actions.v3 against the emulator', () => {
  it('calls a v3 method and gets item, relations and the time block', async () => {
    const response = await hook.actions.v3.call.make<Json>({
      method: 'tasks.task.get',
      params: { id: 5, select: ['id', 'title', 'responsible.name', 'responsible.email'] },
    })
    expect(response.isSuccess).toBe(true)
    const data = response.getData() as Json
    expect(data.result.item.id).toBe(5)
    expect(Object.keys(data.result.item.responsible)).toEqual(['name', 'email'])
    expect(data.time.operating).toBeGreaterThanOrEqual(0)
  })

  it('keeps the validation entries of a v3 error', async () => {
    const response = await hook.actions.v3.call.make({ method: 'tasks.task.get', params: {} })
    expect(response.isSuccess).toBe(false)
    const error = [...response.getErrors()][0] as Json
    expect(error.code).toBe('BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION')
    expect(error.validation).toEqual([{ field: 'id', message: 'Required field `id` is not specified' }])
  })

  it('runs a batch in order, with a server-side reference', async () => {
    const response = await hook.actions.v3.batch.make({
      calls: [
        { method: 'tasks.task.get', params: { id: 7, select: ['id', 'title'] }, as: 'seven' },
        { method: 'tasks.task.get', params: { id: BatchRefV3.ref('seven.item.id'), select: ['id'] } },
        { method: 'tasks.task.list', params: { filter: [FilterV3.in('id', [1, 2])] } },
      ],
      options: { isHaltOnError: true },
    })
    expect(response.isSuccess).toBe(true)
    const results = response.getData() as Json[]
    expect(results[0].item.id).toBe(7)
    expect(results[1].item).toEqual({ id: 7 })
    expect(results[2].items).toEqual([{ id: 1 }, { id: 2 }])
  })

  it('reports a failing batch command as the batch error', async () => {
    const response = await hook.actions.v3.batch.make({
      calls: [
        { method: 'tasks.task.get', params: { id: 1 } },
        { method: 'tasks.task.get', params: { id: 424242 } },
      ],
      options: { isHaltOnError: true },
    })
    expect(response.isSuccess).toBe(false)
    expect(response.getErrorMessages().join(' ')).toContain('424242')
  })

  it('lists every task with callList and fetchList (keyset over id, pages of 5)', async () => {
    const all = await hook.actions.v3.callList.make<Json>({
      method: 'tasks.task.list',
      params: { select: ['id', 'title'] },
      idKey: 'id',
      customKeyForResult: 'items',
      limit: 5,
    })
    expect(all.isSuccess).toBe(true)
    const ids = (all.getData() as Json[]).map((task) => task.id)
    expect(ids).toEqual(Array.from({ length: 23 }, (_, i) => i + 1))

    const pages: number[][] = []
    for await (const page of hook.actions.v3.fetchList.make<Json>({
      method: 'tasks.task.list',
      params: { select: ['id'], filter: [FilterV3.gt('id', 10)] },
      idKey: 'id',
      customKeyForResult: 'items',
      limit: 5,
    })) {
      pages.push(page.map((task: Json) => task.id))
    }
    expect(pages).toEqual([
      [11, 12, 13, 14, 15],
      [16, 17, 18, 19, 20],
      [21, 22, 23],
    ])
  })

  it('follows the event log with callTail', async () => {
    const tail = await hook.actions.v3.callTail.make<Json>({
      method: 'main.eventlog.tail',
      params: { select: ['id', 'auditTypeId'] },
      initialValue: 10,
      limit: 4,
    })
    expect(tail.isSuccess).toBe(true)
    const ids = (tail.getData() as Json[]).map((entry) => entry.id)
    // 4 seeded users × 6 entries each
    expect(ids).toEqual(Array.from({ length: 14 }, (_, i) => i + 11))
  })

  it('works for an OAuth app: auth in the body, batch as an object, a renewed token stays on v3', async () => {
    const app = emu.createApp()
    const oauth = jsSdkOAuth(emu, app)
    const got = await oauth.actions.v3.call.make<Json>({ method: 'tasks.task.get', params: { id: 3, select: ['id'] } })
    expect((got.getData() as Json).result.item).toEqual({ id: 3 })

    const batch = await oauth.actions.v3.batch.make({
      calls: {
        first: { method: 'tasks.task.get', params: { id: 1, select: ['id'] } },
        second: { method: 'tasks.task.get', params: { id: 2, select: ['id'] } },
      },
      options: { isHaltOnError: true },
    })
    expect(batch.isSuccess).toBe(true)
    expect(batch.getData()).toEqual({ first: { item: { id: 1 } }, second: { item: { id: 2 } } })

    const refreshes = emu.getStats().oauthRefreshes
    emu.expireTokens()
    const renewed = await oauth.actions.v3.call.make<Json>({
      method: 'tasks.task.get',
      params: { id: 4, select: ['id'] },
    })
    expect((renewed.getData() as Json).result.item).toEqual({ id: 4 })
    expect(emu.getStats().oauthRefreshes).toBe(refreshes + 1)
    const last = emu.received.at(-1)
    expect(last?.method).toBe('tasks.task.get')
    expect(last?.params).toEqual({ id: 4, select: ['id'] })
  })
})
