/**
 * The keep-alive `node:http(s)` transport, the cheapest per call on Node. Only `default-transport.ts` (the `node`
 * condition of the package's `#default-transport` import) reaches this module, so browser bundles never see it.
 */
import { BitrixValidationError } from '../errors/index.js'
import { type Transport, TransportError, type TransportResponse } from './transport-contract.js'

type NodeHttp = typeof import('node:http')
type NodeHttps = typeof import('node:https')

interface NodeModules {
  http: NodeHttp
  https: NodeHttps
  httpAgent: import('node:http').Agent
  httpsAgent: import('node:https').Agent
}

let nodeModules: Promise<NodeModules> | undefined
let loadedModules: NodeModules | undefined

function loadNodeModules(): Promise<NodeModules> {
  nodeModules ??= Promise.all([import('node:http'), import('node:https')]).then(([http, https]) => {
    loadedModules = {
      http,
      https,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
    }
    return loadedModules
  })
  return nodeModules
}

export interface NodeTransportOptions {
  /** Extra TLS settings, e.g. `{ ca }` for a self-signed emulator certificate. */
  tls?: { ca?: string | string[]; rejectUnauthorized?: boolean }
  /**
   * Connects to chosen host names at a fixed IP address instead of asking DNS, like curl's `--resolve`: a map
   * `{ 'p0001.bitrix24.test': '127.0.0.1' }` (host names in lower case), or a function returning the address for a
   * host name (`undefined`: ask DNS as usual). Only the connection's destination changes: the URL, the `Host`
   * header, TLS SNI and certificate checks all keep the portal's host name, and credentials stay bound to it.
   * Node only; the fetch transport has no such option (use the runtime's own DNS override there).
   */
  resolve?: Readonly<Record<string, string>> | ((hostname: string) => string | undefined)
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | Array<{ address: string; family: number }>,
  family?: number,
) => void

/** A `lookup` for `http.request` that answers `address` for every name it is asked about. */
function fixedLookup(address: string, family: 4 | 6) {
  return (_hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    if (options?.all) callback(null, [{ address, family }])
    else callback(null, address, family)
  }
}

/** The fixed address `resolve` gives `hostname`, checked to be an IP address, or `undefined` for DNS. */
function resolvedAddress(resolve: NodeTransportOptions['resolve'], hostname: string): string | undefined {
  if (resolve === undefined) return undefined
  const address =
    typeof resolve === 'function' ? resolve(hostname) : Object.hasOwn(resolve, hostname) ? resolve[hostname] : undefined
  if (address === undefined) return undefined
  if (ipFamily(address) === 0) {
    throw new BitrixValidationError({
      message: `resolve must map a host name to an IP address; "${hostname}" is mapped to ${JSON.stringify(address)}`,
      parameter: 'resolve',
      expected: 'IPv4 or IPv6 address',
      received: typeof address,
    })
  }
  return address
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

/** 4, 6, or 0 when `text` is not an IP address (`net.isIP` without importing `node:net` up front). */
function ipFamily(text: unknown): 0 | 4 | 6 {
  if (typeof text !== 'string') return 0
  if (IPV4.test(text)) return 4
  if (!text.includes(':')) return 0
  try {
    new URL(`http://[${text}]/`)
    return 6
  } catch {
    return 0
  }
}

/**
 * Headers only a server-side runtime sends: browsers refuse both under the portal's CORS (`origin, content-type,
 * accept`), so the dispatcher leaves them out and this transport, which never runs in a browser, adds them.
 */
const USER_AGENT = 'b24tssdk/0.1.0'

function newRequestId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
}

const CONNECTION_NOT_MADE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

interface Target {
  secure: boolean
  hostname: string
  port: number
}

const targets = new Map<string, Target>()

/** `https://host:port/path?q` → origin parts (cached per origin) and the path, without building a URL object. */
function splitUrl(url: string): { target: Target; path: string } {
  const slash = url.indexOf('/', url.indexOf('//') + 2)
  const origin = slash < 0 ? url : url.slice(0, slash)
  const path = slash < 0 ? '/' : url.slice(slash)
  let target = targets.get(origin)
  if (!target) {
    const parsed = new URL(origin)
    const secure = parsed.protocol === 'https:'
    target = {
      secure,
      hostname: parsed.hostname.replace(/^\[|\]$/g, ''),
      port: parsed.port === '' ? (secure ? 443 : 80) : Number(parsed.port),
    }
    if (targets.size > 100) targets.clear()
    targets.set(origin, target)
  }
  return { target, path }
}

export function createNodeTransport(options: NodeTransportOptions = {}): Transport {
  let tlsAgent: import('node:https').Agent | undefined
  const { resolve } = options
  if (resolve !== undefined && typeof resolve !== 'function') {
    for (const hostname of Object.keys(resolve)) resolvedAddress(resolve, hostname)
  }
  return async (request) => {
    const modules = loadedModules ?? (await loadNodeModules())
    const { target, path } = splitUrl(request.url)
    const address = resolvedAddress(resolve, target.hostname)
    const { secure } = target
    if (secure && options.tls && !tlsAgent) tlsAgent = new modules.https.Agent({ keepAlive: true, ...options.tls })
    const agent = secure ? (tlsAgent ?? modules.httpsAgent) : modules.httpAgent
    const lib = secure ? modules.https : modules.http
    return new Promise<TransportResponse>((resolve, reject) => {
      let connected = false
      let settled = false
      let connectTimer: ReturnType<typeof setTimeout> | undefined
      const fail = (error: TransportError) => {
        if (settled) return
        settled = true
        clearTimeout(readTimer)
        clearTimeout(connectTimer)
        request.signal?.removeEventListener('abort', onAbort)
        req.destroy()
        reject(error)
      }
      const headers: Record<string, string | number> = {
        'user-agent': USER_AGENT,
        'x-request-id': newRequestId(),
        ...request.headers,
      }
      if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body)
      const req = lib.request({
        hostname: target.hostname,
        port: target.port,
        path,
        method: request.method,
        headers,
        agent,
        ...(address === undefined ? {} : { lookup: fixedLookup(address, ipFamily(address) === 6 ? 6 : 4) }),
      })
      const readTimer = setTimeout(() => fail(new TransportError('timeout', 'read', true)), request.readTimeoutMs)
      const onAbort = () => fail(new TransportError('aborted', connected ? 'read' : 'connect', connected))
      if (request.signal?.aborted) return onAbort()
      request.signal?.addEventListener('abort', onAbort, { once: true })
      req.on('socket', (socket) => {
        // A reused keep-alive socket is already connected; only a new one gets a connect deadline.
        if (!socket.connecting) {
          connected = true
          return
        }
        connectTimer = setTimeout(
          () => fail(new TransportError('timeout', 'connect', false)),
          Math.min(request.connectTimeoutMs, request.readTimeoutMs),
        )
        socket.once(secure ? 'secureConnect' : 'connect', () => {
          connected = true
          clearTimeout(connectTimer)
        })
      })
      req.on('error', (error: NodeJS.ErrnoException) => {
        const notMade = !connected && CONNECTION_NOT_MADE.has(error.code ?? '')
        fail(new TransportError(notMade ? 'connect' : 'network', connected ? 'read' : 'connect', !notMade, error))
      })
      req.on('response', (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('error', (error) => fail(new TransportError('network', 'read', true, error)))
        // A connection cut mid-body ends the response without completing it.
        res.on('close', () => {
          if (!res.complete) fail(new TransportError('network', 'read', true))
        })
        res.on('end', () => {
          if (settled) return
          settled = true
          clearTimeout(readTimer)
          request.signal?.removeEventListener('abort', onAbort)
          resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body })
        })
      })
      req.end(request.body)
    })
  }
}
