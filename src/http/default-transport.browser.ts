/**
 * The default transport of runtimes without Node's built-ins (browsers, workers): `fetch`. The Node-only options
 * (`tls`) have no meaning there: a browser trusts what its own certificate store trusts.
 */
import { createFetchTransport, type FetchFunction } from './fetch-transport.js'
import type { NodeTransportOptions } from './node-transport.js'
import type { Transport } from './transport-contract.js'

export function createDefaultTransport(_options: NodeTransportOptions = {}): Transport {
  return createFetchTransport()
}

/** The `fetch` of file transfers (b24tssdk's files): the runtime's own. */
export function createDefaultFileFetch(): FetchFunction {
  return globalThis.fetch.bind(globalThis)
}
