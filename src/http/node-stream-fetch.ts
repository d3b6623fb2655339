/**
 * A `fetch` for file transfers on Node, over `node:http(s)` with backpressure both ways: Node's own `fetch` reads
 * a `ReadableStream` request body as fast as it can produce it (a 20 MB upload sat whole in memory), so uploads
 * and downloads go through `stream.pipeline` here. Only `default-transport.ts` (the `node` condition of the
 * package's `#default-transport` import) reaches this module, so browser bundles never see it.
 */
import type { FetchFunction } from './fetch-transport.js'

const MAX_REDIRECTS = 5

function headerRecord(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  new Headers(headers).forEach((value, key) => {
    out[key] = value
  })
  return out
}

/**
 * A web stream over a Node readable that reads only when asked (`Readable.toWeb` of Node 20 queues whatever
 * arrives, so a fast server filled memory ahead of a slow consumer).
 */
function pulledStream(readable: import('node:stream').Readable): ReadableStream<Uint8Array> {
  const chunks = readable[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await chunks.next()
        if (done) controller.close()
        else controller.enqueue(value)
      },
      async cancel() {
        await chunks.return?.()
      },
    },
    { highWaterMark: 0 },
  )
}

/** The streaming `fetch` file transfers use on Node: redirects of a GET followed (at most 5), nothing buffered. */
export function createNodeStreamFetch(): FetchFunction {
  const send = async (input: string, init: RequestInit, hops: number): Promise<Response> => {
    const url = new URL(input)
    const [{ request }, { Readable }, { pipeline }] = await Promise.all([
      url.protocol === 'https:' ? import('node:https') : import('node:http'),
      import('node:stream'),
      import('node:stream/promises'),
    ])
    const method = (init.method ?? 'GET').toUpperCase()
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request(
        url,
        { method, headers: headerRecord(init.headers), signal: init.signal ?? undefined },
        resolve,
      )
      req.on('error', reject)
      const body = init.body
      if (body === undefined || body === null) {
        req.end()
      } else if (typeof body === 'string' || body instanceof Uint8Array) {
        req.end(body)
      } else {
        const web = body instanceof Blob ? body.stream() : (body as ReadableStream<Uint8Array>)
        pipeline(Readable.fromWeb(web as import('node:stream/web').ReadableStream<Uint8Array>), req).catch((error) =>
          req.destroy(error as Error),
        )
      }
    })
    const status = response.statusCode ?? 0
    const location = response.headers.location
    if (status >= 300 && status < 400 && location && method === 'GET' && init.redirect !== 'manual') {
      response.resume()
      if (hops >= MAX_REDIRECTS) throw new TypeError(`more than ${MAX_REDIRECTS} redirects`)
      return send(new URL(location, url).href, init, hops + 1)
    }
    const headers = new Headers()
    for (let i = 0; i + 1 < response.rawHeaders.length; i += 2)
      headers.append(response.rawHeaders[i], response.rawHeaders[i + 1])
    const empty = method === 'HEAD' || status === 204 || status === 304
    if (empty) response.resume()
    const body = empty ? null : pulledStream(response)
    return new Response(body, { status, statusText: response.statusMessage, headers })
  }
  return (input, init) => send(input, init, 0)
}
