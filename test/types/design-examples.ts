/**
 * Type fixture, checked by `npm run typecheck`: the examples of the design contract compile, and wrong
 * parameter types or unknown entity fields do not (each `@ts-expect-error` must hold, or tsc fails).
 */

import { BitrixAPIError, BitrixRequestTimeout } from '../../src/errors/index.js'
import {
  BitrixApp,
  BitrixAppLocal,
  BitrixToken,
  BitrixTokenLocal,
  BitrixWebhook,
  Client,
  Config,
  type Deal,
  type Filter,
  ref,
  type Task,
  type User,
} from '../../src/index.js'
import { StreamLogger } from '../../src/log/index.js'

export async function designExamples(): Promise<void> {
  const token = new BitrixWebhook({ domain: 'example.bitrix24.com', authToken: '1/webhook_key' })
  BitrixWebhook.fromUrl('https://example.bitrix24.com/rest/1/webhook_key/')
  const app = new BitrixApp({ clientId: 'app_code', clientSecret: 'app_key' })
  new BitrixToken({ domain: 'example.bitrix24.com', authToken: '…', refreshToken: '…', bitrixApp: app })
  const localApp = new BitrixAppLocal({ domain: 'example.bitrix24.com', clientId: '…', clientSecret: '…' })
  new BitrixTokenLocal({ authToken: '…', refreshToken: '…', bitrixApp: localApp })

  const client = new Client(token)
  const request = client.crm.deal.get({ id: 2 })
  const response = await request
  const title: string | null | undefined = response.result.TITLE
  const times: number[] = [response.time.duration, response.time.start, response.time.finish, response.time.processing]
  const dates: string[] = [response.time.dateStart, response.time.dateFinish]
  const operating: number | undefined = response.time.operating ?? response.time.operatingResetAt
  const meta: Array<number | undefined> = [response.total, response.next]

  const page = await client.crm.deal.list({ filter: { '>OPPORTUNITY': 1000 }, select: ['ID', 'TITLE'] })
  const firstId: string | null | undefined = page.result[0]?.ID
  const all: Deal[] = await client.crm.deal.list({ select: ['ID'] }).asList()
  for await (const deal of client.crm.deal.list({}).asListFast()) {
    const dealTitle: string | null | undefined = deal.TITLE
    void dealTitle
  }

  const batch = await client.callBatch({ d1: client.crm.deal.get({ id: 1 }), d2: client.crm.deal.get({ id: 2 }) })
  const d1: Deal | undefined = batch.result.result.d1
  const d1Error: BitrixAPIError | undefined = batch.result.resultError.d1
  const many = await client.callBatches([client.crm.deal.get({ id: 1 }), client.user.current()])
  const me = client.user.current()
  await client.callBatch({ me, dep: client.department.get({ ID: ref(me).UF_DEPARTMENT }) })
  await client.call('any.method.name', { any: 'params' })
  const typed = await client.call('crm.deal.get', { id: 1 })
  const typedTitle: string | null | undefined = typed.result.TITLE

  client.tasks.task.list({})
  client.sonet_group.create({ NAME: 'x' })
  client.crm.deal.add({ fields: { TITLE: 'x', UF_CRM_1700000000: 'custom' } })
  client.crm.deal.list({ filter: { 0: { logic: 'OR', '>OPPORTUNITY': 10, '@STAGE_ID': ['WON'] }, '!%TITLE': 'x' } })
  client.profile()
  client.server.time()
  client.crm.deal.productrows.get({ id: 1 })

  new Config().configure({
    defaultTimeout: [5, 30],
    defaultMaxRetries: 3,
    logger: new StreamLogger({ level: 'debug' }),
  })
  try {
    await client.crm.deal.get({ id: 1 })
  } catch (error) {
    if (error instanceof BitrixAPIError) void error.errorDescription
    if (error instanceof BitrixRequestTimeout) void error.timeoutMs
  }
  void [title, times, dates, operating, meta, firstId, all, d1, d1Error, many, typedTitle]
}

export function wrongTypesFail(client: Client): void {
  // @ts-expect-error id is a number, not an object
  client.crm.deal.get({ id: { nope: true } })
  // @ts-expect-error crm.deal.get requires id
  client.crm.deal.get({})
  // @ts-expect-error select takes the entity's own field names
  client.crm.deal.list({ select: ['NOT_A_FIELD'] })
  // @ts-expect-error filter keys are operators on the entity's own fields
  const filter: Filter<Deal> = { '>NOT_A_FIELD': 1 }
  const deal: Deal = {}
  // @ts-expect-error Deal has no such field
  void deal.NOT_A_FIELD
  const user: User = {}
  // @ts-expect-error User has no such field
  void user.NOT_A_FIELD
  const task: Task = {}
  // @ts-expect-error tasks come back in camelCase
  void task.TITLE
  // @ts-expect-error no such method in the catalogue
  client.crm.deal.nope()
  void filter
}

/** Every method's parameters and result are importable by name; `client.call` carries the `call.*` namespace. */
export async function namedTypesAndCallNamespace(client: import('../../src/index.js').Client): Promise<void> {
  const params: import('../../src/index.js').CrmDealListParams = { select: ['ID', 'TITLE'], filter: { '>ID': 1 } }
  const rows: import('../../src/index.js').CrmDealListResult = (await client.crm.deal.list(params)).result
  rows.map((deal) => deal.TITLE)
  // @ts-expect-error an unknown field is not a Deal field
  const wrong: import('../../src/index.js').CrmDealListParams = { select: ['NOT_A_FIELD'] }
  void wrong
  await client.call.followup.list({
    filter: { startDate: { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' } },
  })
  await client.call('crm.deal.get', { id: 1 })
  // @ts-expect-error call.followup has no such method
  client.call.followup.nothing()
}
