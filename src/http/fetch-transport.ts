/** The transport over `fetch`: every runtime that has it (browsers, Deno, Bun, Node), or a caller-supplied fetch. */
import { type Transport, TransportError } from './transport-contract.js'

/** A `fetch`-compatible function (`globalThis.fetch`, undici's `fetch`, a wrapper that adds a proxy): `ClientOptions.fetch`. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>

export function createFetchTransport(fetchFn: FetchFunction = globalThis.fetch.bind(globalThis)): Transport {
  return async (request) => {
    const controller = new AbortController()
    const onAbort = () => controller.abort(request.signal?.reason)
    request.signal?.addEventListener('abort', onAbort, { once: true })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, request.readTimeoutMs)
    try {
      const response = await fetchFn(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: controller.signal,
      })
      const body = await response.text()
      const headers: Record<string, string> = {}
      response.headers.forEach((value, key) => {
        headers[key] = value
      })
      return { status: response.status, headers, body }
    } catch (error) {
      if (request.signal?.aborted) throw new TransportError('aborted', 'read', true, error)
      if (timedOut) throw new TransportError('timeout', 'read', true, error)
      throw new TransportError('network', 'read', true, error)
    } finally {
      clearTimeout(timer)
      request.signal?.removeEventListener('abort', onAbort)
    }
  }
}
