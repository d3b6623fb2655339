/**
 * The default transport where Node's built-ins exist: the keep-alive `node:http(s)` path. The package maps
 * `#default-transport` here under the `node` condition and to `default-transport.browser.ts` everywhere else.
 */
import { createFetchTransport } from './fetch-transport.js'
import { createNodeTransport, type NodeTransportOptions } from './node-transport.js'
import type { Transport } from './transport-contract.js'

export function createDefaultTransport(options: NodeTransportOptions = {}): Transport {
  // Bun and Deno resolve the `node` condition too and implement `node:http`; anything else falls back to fetch.
  const isNode = typeof globalThis.process === 'object' && Boolean(globalThis.process?.versions?.node)
  return isNode ? createNodeTransport(options) : createFetchTransport()
}
