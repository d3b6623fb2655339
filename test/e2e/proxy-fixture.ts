import http from 'node:http'
import type { AddressInfo } from 'node:net'
import net from 'node:net'

export interface ProxyOptions {
  /** Answer every CONNECT with this status instead of opening the tunnel. */
  refuse?: number
  /** Where the proxy really connects for a requested `host:port` (a name that resolves nowhere else). */
  hosts?: Record<string, string>
}

/** A small forward proxy: CONNECT tunnels and absolute-form requests, recording what it was asked. */
export interface SeenByProxy {
  connects: string[]
  forwarded: Array<{ url: string; host: string | undefined }>
  authorizations: Array<string | undefined>
}

export function startProxy(
  options: ProxyOptions = {},
): Promise<{ url: string; seen: SeenByProxy; close(): Promise<void> }> {
  const seen: SeenByProxy = { connects: [], forwarded: [], authorizations: [] }
  const sockets = new Set<net.Socket>()
  const server = http.createServer((req, res) => {
    seen.forwarded.push({ url: req.url ?? '', host: req.headers.host })
    seen.authorizations.push(req.headers['proxy-authorization'])
    const target = new URL(req.url ?? '')
    const mapped = options.hosts?.[target.host]
    if (mapped) target.host = mapped
    const headers = { ...req.headers }
    delete headers['proxy-authorization']
    const upstream = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('connect', (req, client: net.Socket, head) => {
    seen.connects.push(req.url ?? '')
    seen.authorizations.push(req.headers['proxy-authorization'])
    if (options.refuse) {
      client.end(`HTTP/1.1 ${options.refuse} Refused\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    const [host, port] = (options.hosts?.[req.url ?? ''] ?? req.url ?? '').split(/:(?=\d+$)/)
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        seen,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          }),
      })
    })
  })
}
