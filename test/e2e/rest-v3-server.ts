/**
 * A tiny REST 3.0 "portal" for client tests: a node:http server on 127.0.0.1 that records every request (path,
 * headers, body) and answers with what the test's handler returns, including a dropped connection.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach } from 'vitest'
import { BitrixWebhook, Client, type ClientOptions } from '../../src/index.js'
import { readBody } from '../reliability/envelope-server.js'

export interface SeenRequest {
  /** The URL path, e.g. `/rest/api/1/key/tasks.task.add`. */
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** An answer: JSON with a status and headers, or `'reset'` to drop the connection without answering. */
export type Answer = { status?: number; headers?: Record<string, string>; json: unknown } | 'reset'

export type Handler = (request: SeenRequest, index: number) => Answer | Promise<Answer>

export interface V3TestServer {
  readonly url: string
  /** Every request received, in order. */
  readonly seen: SeenRequest[]
  /** A webhook URL on this server: `…/rest/1/key/`. */
  readonly webhookUrl: string
  close(): Promise<void>
}

function send(response: ServerResponse, answer: Answer): void {
  if (answer === 'reset') {
    response.socket?.destroy()
    return
  }
  const payload = Buffer.from(JSON.stringify(answer.json), 'utf8')
  response.writeHead(answer.status ?? 200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': payload.length,
    ...answer.headers,
  })
  response.end(payload)
}

export async function startV3Server(handler: Handler): Promise<V3TestServer> {
  const seen: SeenRequest[] = []
  const server = createServer(async (request, response) => {
    const seenRequest = { path: request.url ?? '', headers: request.headers, body: await readBody(request) }
    seen.push(seenRequest)
    let answer: Answer
    try {
      answer = await handler(seenRequest, seen.length - 1)
    } catch (error) {
      answer = { status: 599, json: { error: 'TEST_HANDLER_FAILED', error_description: String(error) } }
    }
    send(response, answer)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    seen,
    webhookUrl: `${url}/rest/1/key/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A REST 3.0 success envelope. */
export function v3Result(result: unknown): { json: unknown } {
  return { json: { result, time: { start: 1, finish: 1.01, duration: 0.01, processing: 0 } } }
}

/** A REST 3.0 error envelope. */
export function v3Error(status: number, code: string, message: string, validation?: unknown[]): Answer {
  return { status, json: { error: validation ? { code, message, validation } : { code, message } } }
}

/**
 * One test server per test, closed after it: `start(handler)` serves, `client(handler, options)` also gives a
 * webhook client of it (no limiter), and `current()` is the running server.
 */
export function useV3Server() {
  let server: V3TestServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })
  const start = async (handler: Handler): Promise<V3TestServer> => {
    server = await startV3Server(handler)
    return server
  }
  return {
    start,
    async client(handler: Handler, options: ClientOptions = {}): Promise<{ client: Client; server: V3TestServer }> {
      const started = await start(handler)
      return {
        client: new Client(BitrixWebhook.fromUrl(started.webhookUrl), { limiter: false, ...options }),
        server: started,
      }
    },
    current(): V3TestServer {
      if (!server) throw new Error('no test server is running')
      return server
    },
  }
}
