/**
 * `node:http` adapter for a WHATWG handler (`createAppHandler`): `createServer(toNodeListener(handler))`, or mount
 * it on Express / Fastify before any body parser touches the request. Types only from node:http: nothing of Node is
 * loaded at run time, so bundles for other runtimes stay clean.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

/** A `node:http` request listener (also what Express and a hijacked Fastify reply take). */
export type NodeListener = (request: IncomingMessage, response: ServerResponse) => Promise<void>

/** The request as a WHATWG `Request`; the body streams as it is read (a bounded reader can stop early). */
export function toWebRequest(request: IncomingMessage): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else if (value !== undefined) headers.set(name, value)
  }
  const secure = (request.socket as { encrypted?: boolean }).encrypted === true
  const url = `${secure ? 'https' : 'http'}://${request.headers.host ?? 'localhost'}${request.url ?? '/'}`
  const method = request.method ?? 'GET'
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers })
  const iterator = request[Symbol.asyncIterator]()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next()
      if (done) controller.close()
      else controller.enqueue(typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(value))
    },
    // Reading stops (a body too large): the socket is closed after the answer, the rest is never read.
    cancel() {},
  })
  return new Request(url, { method, headers, body, duplex: 'half' } as RequestInit)
}

/** Writes a WHATWG `Response` to a `node:http` response; closes the connection when the request was not read whole. */
export async function writeWebResponse(
  request: IncomingMessage,
  response: ServerResponse,
  answer: Response,
): Promise<void> {
  const body = new Uint8Array(await answer.arrayBuffer())
  const headers: Record<string, string> = {}
  answer.headers.forEach((value, name) => {
    headers[name] = value
  })
  if (!request.complete) headers.connection = 'close'
  response.writeHead(answer.status, headers)
  await new Promise<void>((resolve) => response.end(body, () => resolve()))
  if (!request.complete) request.destroy()
}

/** A `node:http` request listener around a WHATWG handler. */
export function toNodeListener(handler: (request: Request) => Promise<Response>): NodeListener {
  return async (request, response) => {
    let answer: Response
    try {
      answer = await handler(toWebRequest(request))
    } catch {
      answer = new Response('', { status: 500 })
    }
    await writeWebResponse(request, response, answer)
  }
}
