/** A consumer of the SDK, type-checked on its own by consumer-typecheck.test.ts to time the catalogue's cost. */
import { BitrixWebhook, Client } from '../../src/index.js'

export async function consumer(): Promise<void> {
  const client = new Client(BitrixWebhook.fromUrl('https://example.bitrix24.com/rest/1/abc/'))
  const deal = await client.crm.deal.get({ id: 1 })
  console.log(deal.result.TITLE)
  for await (const row of client.crm.deal.list({ filter: { '>OPPORTUNITY': 5 }, select: ['ID'] }).asListFast()) {
    console.log(row.ID)
  }
  const batch = await client.callBatch({ me: client.user.current(), tasks: client.tasks.task.list({}) })
  console.log(batch.result.result.me?.NAME, batch.result.result.tasks?.tasks.length)
}
