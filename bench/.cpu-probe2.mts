import { createNodeTransport } from '../src/http/transport.ts'
import { BitrixWebhook, Client } from '../src/index.ts'

const body = JSON.stringify({
  result: { ID: '1', TITLE: 'x' },
  time: { start: 1, finish: 2, duration: 1, processing: 0.1, date_start: 'a', date_finish: 'b', operating: 0 },
})
const N = 20000
const client = new Client(BitrixWebhook.fromUrl('http://127.0.0.1:1/rest/1/abcd/'), {
  transport: async () => ({ status: 200, headers: {}, body }),
})
await client.crm.deal.get({ id: 1 })
for (let r = 0; r < 3; r++) {
  const c0 = process.cpuUsage()
  for (let i = 0; i < N; i++) await client.crm.deal.get({ id: (i % 100) + 1 }).response
  const c = process.cpuUsage(c0)
  console.log(`sdk overhead without HTTP: ${((c.user + c.system) / N).toFixed(1)} µs/call`)
}
const webhookUrl = process.argv[2]
const transport = createNodeTransport()
const url = `${webhookUrl}crm.deal.get`
for (let r = 0; r < 2; r++) {
  const c0 = process.cpuUsage()
  for (let i = 0; i < 3000; i++)
    await transport({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: (i % 100) + 1 }),
      connectTimeoutMs: 30000,
      readTimeoutMs: 30000,
    })
  const c = process.cpuUsage(c0)
  console.log(`node transport alone: ${((c.user + c.system) / 3000).toFixed(1)} µs/call`)
}
