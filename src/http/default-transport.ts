/**
 * The default transport where Node's built-ins exist: the keep-alive `node:http(s)` path. The package maps
 * `#default-transport` here under the `node` condition and to `default-transport.browser.ts` everywhere else.
 */
import { createFetchTransport, type FetchFunction } from './fetch-transport.js'
import { createNodeStreamFetch } from './node-stream-fetch.js'
import { createNodeTransport, type NodeTransportOptions } from './node-transport.js'
import type { Transport } from './transport-contract.js'

// Bun and Deno resolve the `node` condition too and implement `node:http`; anything else falls back to fetch.
const isNode = (): boolean => typeof globalThis.process === 'object' && Boolean(globalThis.process?.versions?.node)

export function createDefaultTransport(options: NodeTransportOptions = {}): Transport {
  return isNode() ? createNodeTransport(options) : createFetchTransport()
}

/** The `fetch` of file transfers (b24tssdk's files): `node:http(s)` streamed with backpressure where it exists. */
export function createDefaultFileFetch(): FetchFunction {
  return isNode() ? createNodeStreamFetch() : globalThis.fetch.bind(globalThis)
}
