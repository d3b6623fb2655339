/**
 * REST 3.0 at compile time: `client.v3` methods take their REST 3.0 parameters and return the unified result
 * shapes, filters are conditions on the entity's own fields, and the `where` builder produces nothing else.
 * Checked by `tsc --noEmit -p tsconfig.json`: each `@ts-expect-error` fails the check if the line below compiles.
 */
import type { MainEventlogV3, TasksTaskGetV3Result, TaskV3, V3Filter } from '../../src/index.js'
import { BitrixWebhook, Client, ref, where, whereFor } from '../../src/index.js'

export async function restV3Types(): Promise<void> {
  const client = new Client(BitrixWebhook.fromUrl('https://example.bitrix24.com/rest/1/abc/'))

  // Results: item, items, { result: boolean }.
  const got: TasksTaskGetV3Result = (await client.v3.tasks.task.get({ id: 1, select: ['title', 'responsible.name'] }))
    .result
  const title: string | null | undefined = got.item.title
  const items: TaskV3[] = (await client.v3.tasks.task.list({ pagination: { limit: 100 } })).result.items
  const deleted: boolean = (await client.v3.tasks.task.delete({ id: 1 })).result.result
  // @ts-expect-error REST 3.0 tasks.task.get answers { item }, not REST 2's { task }
  void (await client.v3.tasks.task.get({ id: 1 })).result.task
  // @ts-expect-error select names the entity's fields or a related object's (`responsible.name`)
  await client.v3.tasks.task.get({ id: 1, select: ['noSuchField'] })
  // @ts-expect-error id is required
  await client.v3.tasks.task.get({})

  // Filters: [field, operator, value], groups with logic.
  const filter: V3Filter<TaskV3> = [
    ['status', '=', 'pending'],
    ['id', 'in', [3, 4, 5]],
    ['id', [1, 2]],
    {
      logic: 'or',
      conditions: [
        ['priority', '=', 'high'],
        ['id', 'between', [1, 9]],
      ],
    },
  ]
  await client.v3.tasks.task.list({ filter })
  // @ts-expect-error no such operator in REST 3.0
  const badOperator: V3Filter<TaskV3> = [['id', 'like', 3]]
  // @ts-expect-error not a field of the task
  const badField: V3Filter<TaskV3> = [['nope', '=', 1]]
  // @ts-expect-error id is a number
  const badValue: V3Filter<TaskV3> = [['id', '=', { id: 1 }]]
  // @ts-expect-error between takes [from, to]
  const badBetween: V3Filter<TaskV3> = [['id', 'between', 1]]

  // The builder: typed per entity, already a filter.
  const w = whereFor<TaskV3>()
  await client.v3.tasks.task.list({
    filter: w('status', '=', 'pending')
      .and('id', 'in', [3, 4])
      .or(w('id', '>', 100)),
  })
  // @ts-expect-error 'in' takes a list
  w('id', 'in', 3)
  // @ts-expect-error no such field
  w('nope', '=', 1)
  // @ts-expect-error no such operator
  where('id', 'like', 1)

  // Lists and tails read whole; the v2 tree's v3-only names take the same REST 3.0 types.
  const log: MainEventlogV3[] = await client.v3.main.eventlog.list({ filter: [['severity', '=', 'SECURITY']] }).asList()
  for await (const entry of client.main.eventlog
    .tail({ cursor: { field: 'id', value: 0 } })
    .asListFast({ maxPages: 3 }))
    console.log(entry.id)
  // @ts-expect-error tasks.task.get returns one task
  await client.v3.tasks.task.get({ id: 1 }).asList()

  // Batch: references to earlier results.
  const added = client.v3.tasks.task.add({ fields: { title: 'a', creatorId: 1, responsibleId: 1 } })
  const batch = await client.v3.callBatch({ added, read: client.v3.tasks.task.get({ id: ref(added).item.id }) })
  const readBack: TaskV3 = batch.result.read.item
  const generic = await client.v3.call('rest.scope.list')
  const followups = await client.v3.call.followup.list({ filter: { startDate: { from: 'a', to: 'b' } } })

  console.log(title, items, deleted, badOperator, badField, badValue, badBetween, log, readBack, generic, followups)
}
