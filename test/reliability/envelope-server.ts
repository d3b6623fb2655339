/**
 * A hostile "portal" for reliability tests: a node:http server on 127.0.0.1 that answers each request with
 * whatever `reply` returns for it, and clients of it over either SDK transport.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createNodeTransport } from '../../src/http/node-transport.js'
import { createFetchTransport, type Transport } from '../../src/http/transport.js'
import { BitrixWebhook, Client, type ClientOptions } from '../../src/index.js'

export interface Reply {
  status?: number
  contentType?: string
  body: string | Buffer
  /** Announce the full length, send half of the body, then cut the connection. */
  cut?: boolean
  /** Extra response headers (e.g. `content-encoding`). */
  headers?: Record<string, string>
}

export interface ReceivedRequest {
  method: string
  body: string
  headers: IncomingHttpHeaders
}

export interface HostileServer {
  readonly url: string
  /** Requests received since the last `reset`, in order. */
  readonly received: ReceivedRequest[]
  /** Sets what the next requests are answered with (the last reply repeats), and forgets what was received. */
  reset(replies: Reply[] | ((index: number) => Reply)): void
  close(): Promise<void>
}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

export async function startHostileServer(): Promise<HostileServer> {
  let replyFor: (index: number) => Reply = () => ({ status: 500, body: 'no reply set' })
  const received: ReceivedRequest[] = []
  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request)
    const method = (request.url ?? '').split('/').pop() ?? ''
    received.push({ method, body, headers: request.headers })
    let reply: Reply
    try {
      reply = replyFor(received.length - 1)
    } catch (error) {
      reply = { status: 599, body: `the test's reply failed: ${String(error)}` }
    }
    const payload = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body
    response.writeHead(reply.status ?? 200, {
      'content-type': reply.contentType ?? 'application/json; charset=utf-8',
      'content-length': payload.length,
      ...reply.headers,
    })
    if (reply.cut) {
      response.write(payload.subarray(0, Math.floor(payload.length / 2)))
      setImmediate(() => response.socket?.destroy())
      return
    }
    response.end(payload)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    reset(replies) {
      received.length = 0
      replyFor = typeof replies === 'function' ? replies : (index) => replies[Math.min(index, replies.length - 1)]
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The two transports every hostile case runs over. */
export const TRANSPORTS: ReadonlyArray<readonly [name: string, create: () => Transport]> = [
  ['node', () => createNodeTransport()],
  ['fetch', () => createFetchTransport()],
]

/** A webhook client of the hostile server: no limiter, no retries unless asked, short timeouts. */
export function hostileClient(server: HostileServer, transport: Transport, options: ClientOptions = {}): Client {
  return new Client(BitrixWebhook.fromUrl(`${server.url}/rest/1/hostile0webhook0key/`), {
    transport,
    limiter: false,
    defaultMaxRetries: 0,
    defaultTimeout: 5,
    ...options,
  })
}

/** A success envelope around `result`, as the portal writes it. */
export function envelope(result: unknown, extra: Record<string, unknown> = {}): string {
  const time = { start: 1, finish: 1.01, duration: 0.01, processing: 0.01, date_start: '', date_finish: '' }
  return JSON.stringify({ result, ...extra, time })
}

/** What `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the call to fail, it succeeded')
}
