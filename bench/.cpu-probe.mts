import http from 'node:http'
import { BitrixWebhook, Client } from '../src/index.ts'

const webhookUrl = process.argv[2]
const N = 3000
const client = new Client(BitrixWebhook.fromUrl(webhookUrl))
await client.crm.deal.get({ id: 1 })
const agent = new http.Agent({ keepAlive: true })
const url = new URL(`${webhookUrl}crm.deal.get`)
const bare = (id: number) =>
  new Promise<unknown>((resolve, reject) => {
    const body = JSON.stringify({ id })
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (d) => chunks.push(d))
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
await bare(1)
for (let round = 0; round < 2; round++) {
  let c0 = process.cpuUsage()
  for (let i = 0; i < N; i++) await client.crm.deal.get({ id: (i % 100) + 1 }).response
  let c = process.cpuUsage(c0)
  const sdk = (c.user + c.system) / N
  c0 = process.cpuUsage()
  for (let i = 0; i < N; i++) await bare((i % 100) + 1)
  c = process.cpuUsage(c0)
  const floor = (c.user + c.system) / N
  console.log(
    `client only: sdk ${sdk.toFixed(0)} µs/call, bare ${floor.toFixed(0)} µs/call, ratio ${(sdk / floor).toFixed(2)}`,
  )
}
