/**
 * `asList()` / `asListFast()` compile on list methods only (issue 8, item 17). Checked by `tsc --noEmit -p
 * tsconfig.json`: each `@ts-expect-error` fails the check if the line below it ever compiles.
 */
import type { Deal, Task, User } from '../../src/index.js'
import { BitrixWebhook, Client } from '../../src/index.js'

export async function listMethodsOnly(): Promise<void> {
  const client = new Client(BitrixWebhook.fromUrl('https://example.bitrix24.com/rest/1/abc/'))

  // List methods: arrays, rows under a key, paged `.get` lists.
  const deals: Deal[] = await client.crm.deal.list({ select: ['ID'] }).asList()
  const tasks: Task[] = await client.tasks.task.list({}).asList({ maxPages: 10 })
  const users: User[] = await client.user.get({}).asList()
  for await (const deal of client.crm.deal.list({}).asListFast({ maxPages: 100 })) console.log(deal.ID)
  // Uncatalogued names give `unknown` results: allowed, checked at run time.
  await client.call('custom.thing.list', {}).asList()

  // Not lists: one record by ID.
  // @ts-expect-error crm.deal.get returns one deal, not a list
  await client.crm.deal.get({ id: 1 }).asList()
  // @ts-expect-error crm.deal.get returns one deal, not a list
  client.crm.deal.get({ id: 1 }).asListFast()
  // @ts-expect-error crm.deal.add returns an ID
  await client.crm.deal.add({ fields: { TITLE: 'x' } }).asList()

  console.log(deals.length, tasks.length, users.length)
}
