import http from 'node:http'

const webhookUrl = process.argv[2]
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
const url = new URL(`${webhookUrl}crm.deal.get`)
type V = {
  timers?: boolean
  socketEv?: boolean
  resEv?: boolean
  hdrs?: boolean
  extraHeaders?: boolean
  urlObj?: boolean
}
const send = (id: number, v: V) =>
  new Promise<unknown>((resolve, reject) => {
    const body = JSON.stringify({ id })
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    }
    if (v.extraHeaders) {
      headers.accept = 'application/json'
      headers['user-agent'] = 'b24tssdk/0.1.0'
      headers['x-request-id'] = crypto.randomUUID()
    }
    const req = http.request(v.urlObj ? new URL(url.href) : url, { method: 'POST', agent, headers })
    let t1: NodeJS.Timeout | undefined, t2: NodeJS.Timeout | undefined
    if (v.timers) {
      t1 = setTimeout(() => {}, 30000)
      t2 = setTimeout(() => {}, 30000)
    }
    if (v.socketEv)
      req.on('socket', (s) => {
        if (s.connecting) s.once('connect', () => clearTimeout(t1))
        else clearTimeout(t1)
      })
    req.on('error', reject)
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d) => chunks.push(d))
      if (v.resEv) {
        res.on('error', reject)
        res.on('aborted', () => reject(new Error('aborted')))
      }
      res.on('end', () => {
        clearTimeout(t2)
        clearTimeout(t1)
        if (v.hdrs) {
          const h: Record<string, string> = {}
          for (const [k, val] of Object.entries(res.headers))
            if (val !== undefined) h[k] = Array.isArray(val) ? val.join(', ') : val
        }
        resolve(Buffer.concat(chunks).toString('utf8'))
      })
    })
    req.end(body)
  })
const variants: [string, V][] = [
  ['bare', {}],
  ['timers', { timers: true }],
  ['socketEv', { socketEv: true }],
  ['resEv', { resEv: true }],
  ['hdrs', { hdrs: true }],
  ['extraHeaders', { extraHeaders: true }],
  ['urlObj', { urlObj: true }],
  ['all', { timers: true, socketEv: true, resEv: true, hdrs: true, extraHeaders: true, urlObj: true }],
]
for (let r = 0; r < 2; r++)
  for (const [name, v] of variants) {
    for (let i = 0; i < 300; i++) await send(1, v)
    const c0 = process.cpuUsage()
    for (let i = 0; i < 3000; i++) await send((i % 100) + 1, v)
    const c = process.cpuUsage(c0)
    if (r === 1) console.log(`${name}: ${((c.user + c.system) / 3000).toFixed(1)} µs/call`)
  }
