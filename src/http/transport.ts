/**
 * Moves one HTTP exchange. Two implementations behind one signature: a keep-alive `node:http(s)` path
 * (cheapest per call on Node) and a `fetch` path for every other runtime or a caller-supplied fetch.
 *
 * The Node path sits behind the package's `#default-transport` import (`node` condition → `default-transport.ts`,
 * anything else → `default-transport.browser.ts`), so a browser bundle of the built package never pulls in a Node
 * built-in. The sources import the Node variant directly; the build turns that import into `#default-transport`.
 */
export { createDefaultTransport } from './default-transport.js'
export { createFetchTransport, type FetchFunction } from './fetch-transport.js'
export type { ProxySetting } from './node-proxy.js'
export type { NodeTransportOptions } from './node-transport.js'
export { type Transport, TransportError, type TransportRequest, type TransportResponse } from './transport-contract.js'
