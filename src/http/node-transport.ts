/**
 * The keep-alive `node:http(s)` transport, the cheapest per call on Node. Only `default-transport.ts` (the `node`
 * condition of the package's `#default-transport` import) reaches this module, so browser bundles never see it.
 * It asks for compressed answers (`Accept-Encoding: gzip, deflate`, and `br` where `node:zlib` has Brotli) and
 * decodes them while streaming, with the body capped before and after decoding (a decompression bomb stops at
 * the cap).
 */
import type { Transform } from 'node:stream'
import { BitrixValidationError } from '../errors/index.js'
import { forwardAgent, type ProxyRoute, type ProxySetting, parseProxyUrl, proxyFor, tunnelAgent } from './node-proxy.js'
import { type Transport, TransportError, type TransportResponse } from './transport-contract.js'

type NodeHttp = typeof import('node:http')
type NodeHttps = typeof import('node:https')
type NodeZlib = typeof import('node:zlib')

interface NodeModules {
  http: NodeHttp
  https: NodeHttps
  zlib: NodeZlib
  httpAgent: import('node:http').Agent
  httpsAgent: import('node:https').Agent
  /** `gzip, deflate`, plus `br` where this runtime's `node:zlib` decodes Brotli. */
  acceptEncoding: string
}

let nodeModules: Promise<NodeModules> | undefined
let loadedModules: NodeModules | undefined

function loadNodeModules(): Promise<NodeModules> {
  nodeModules ??= Promise.all([import('node:http'), import('node:https'), import('node:zlib')]).then(
    ([http, https, zlib]) => {
      loadedModules = {
        http,
        https,
        zlib,
        httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
        httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
        acceptEncoding: typeof zlib.createBrotliDecompress === 'function' ? 'gzip, deflate, br' : 'gzip, deflate',
      }
      return loadedModules
    },
  )
  return nodeModules
}

/**
 * Largest response body accepted, in bytes, as received and again once decoded: 64 MiB, some 25 times a batch of
 * 50 list pages with every field. A larger body fails the call with `BitrixRequestError` (unreadable response).
 */
export const MAX_RESPONSE_BYTES = 64 * 2 ** 20

/** Compressed bodies up to this size are decoded in one synchronous call once complete (cheaper than a stream). */
const SYNC_DECODE_BYTES = 64 * 1024

const CODINGS = new Set(['gzip', 'x-gzip', 'deflate', 'br'])

/** zlib-wrapped deflate (RFC 1950) as opposed to raw deflate, told apart by the header bytes as browsers do. */
function isZlibWrapped(first: Buffer): boolean {
  return first.length >= 2 && (first[0] & 0x0f) === 8 && ((first[0] << 8) | first[1]) % 31 === 0
}

/** A streaming decoder for `coding`. */
function decoderFor(coding: string, zlib: NodeZlib, first: Buffer): Transform {
  if (coding === 'br') return zlib.createBrotliDecompress()
  if (coding === 'deflate') return isZlibWrapped(first) ? zlib.createInflate() : zlib.createInflateRaw()
  return zlib.createGunzip()
}

/** Decodes a whole small body at once; throws a RangeError past `maxOutputLength`. */
function decodeSync(coding: string, zlib: NodeZlib, body: Buffer, maxOutputLength: number): Buffer {
  const options = { maxOutputLength }
  if (coding === 'br') return zlib.brotliDecompressSync(body, options)
  if (coding === 'deflate')
    return isZlibWrapped(body) ? zlib.inflateSync(body, options) : zlib.inflateRawSync(body, options)
  return zlib.gunzipSync(body, options)
}

/** Settings of the built-in Node transport (`ClientOptions.tls` and `ClientOptions.proxy` pass through here). */
export interface NodeTransportOptions {
  /** Extra TLS settings, e.g. `{ ca }` for a self-signed emulator certificate. */
  tls?: { ca?: string | string[]; rejectUnauthorized?: boolean }
  /** Largest response body in bytes, as received and once decoded; default `MAX_RESPONSE_BYTES` (64 MiB). */
  maxResponseBytes?: number
  /**
   * An egress proxy: `'http://[user:password@]host:port'` for every request, `'env'` to follow `HTTPS_PROXY`,
   * `HTTP_PROXY` and `NO_PROXY` (read when each target is first seen), or `false`/absent to go direct (the variables
   * are never read unless asked). https targets are tunnelled with CONNECT, so TLS stays end to end with the portal.
   */
  proxy?: ProxySetting
  /**
   * Connects to chosen host names at a fixed IP address instead of asking DNS, like curl's `--resolve`: a map
   * `{ 'p0001.bitrix24.test': '127.0.0.1' }` (host names in lower case), or a function returning the address for a
   * host name (`undefined`: ask DNS as usual). Only the connection's destination changes: the URL, the `Host`
   * header, TLS SNI and certificate checks all keep the portal's host name, and credentials stay bound to it.
   * Node only; the fetch transport has no such option (use the runtime's own DNS override there). Not applied to
   * requests sent through `proxy` (the proxy connects to the portal).
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

const CONNECTION_NOT_MADE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPROXY'])

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

/** Where one request goes when a proxy is in the way: the proxy's agent, and for plain http its address. */
interface ProxiedHop {
  agent: import('node:http').Agent
  /** Plain http through the proxy: connect to the proxy and send the absolute URL. */
  forward?: ProxyRoute
}

async function proxiedHop(
  modules: NodeModules,
  route: ProxyRoute,
  secure: boolean,
  agents: Map<ProxyRoute, import('node:http').Agent>,
  tls: NodeTransportOptions['tls'],
): Promise<ProxiedHop> {
  let agent = agents.get(route)
  if (!agent) {
    const [tlsModule, netModule] = await Promise.all([import('node:tls'), import('node:net')])
    const parts = { http: modules.http, https: modules.https, tls: tlsModule, net: netModule }
    agent = secure ? tunnelAgent(parts, route, tls) : forwardAgent(parts)
    agents.set(route, agent)
  }
  return secure ? { agent } : { agent, forward: route }
}

export function createNodeTransport(options: NodeTransportOptions = {}): Transport {
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES
  let tlsAgent: import('node:https').Agent | undefined
  const tunnels = new Map<ProxyRoute, import('node:http').Agent>()
  const forwards = new Map<ProxyRoute, import('node:http').Agent>()
  // An explicit proxy is checked now, so a bad one fails where the client is made; `env` is read per target.
  if (options.proxy && options.proxy !== 'env') parseProxyUrl(options.proxy)
  const { resolve } = options
  if (resolve !== undefined && typeof resolve !== 'function') {
    for (const hostname of Object.keys(resolve)) resolvedAddress(resolve, hostname)
  }
  return async (request) => {
    const modules = loadedModules ?? (await loadNodeModules())
    const { target, path } = splitUrl(request.url)
    const { secure } = target
    let route: ProxyRoute | undefined
    try {
      route = options.proxy ? proxyFor(options.proxy, target) : undefined
    } catch (badVariable) {
      throw new TransportError('connect', 'connect', false, badVariable)
    }
    // Through a proxy the proxy connects to the portal, so `resolve` only changes direct connections.
    const address = route ? undefined : resolvedAddress(resolve, target.hostname)
    const hop = route && (await proxiedHop(modules, route, secure, secure ? tunnels : forwards, options.tls))
    if (secure && options.tls && !tlsAgent) tlsAgent = new modules.https.Agent({ keepAlive: true, ...options.tls })
    const agent = hop?.agent ?? (secure ? (tlsAgent ?? modules.httpsAgent) : modules.httpAgent)
    const lib = secure ? modules.https : modules.http
    return new Promise<TransportResponse>((resolve, reject) => {
      let connected = false
      let settled = false
      let connectTimer: ReturnType<typeof setTimeout> | undefined
      let decoder: Transform | undefined
      const fail = (error: TransportError) => {
        if (settled) return
        settled = true
        clearTimeout(readTimer)
        clearTimeout(connectTimer)
        request.signal?.removeEventListener('abort', onAbort)
        req.destroy()
        decoder?.destroy()
        reject(error)
      }
      const unreadable = (message: string, cause?: unknown) =>
        fail(new TransportError('response', 'read', true, new Error(message, { cause })))
      const headers: Record<string, string | number> = {
        'user-agent': USER_AGENT,
        'accept-encoding': modules.acceptEncoding,
        'x-request-id': newRequestId(),
        ...request.headers,
      }
      if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body)
      const forward = hop?.forward
      if (forward) {
        headers.host = request.url.slice(request.url.indexOf('//') + 2).split('/', 1)[0]
        if (forward.authorization) headers['proxy-authorization'] = forward.authorization
      }
      const req = lib.request({
        hostname: forward ? forward.hostname : target.hostname,
        port: forward ? forward.port : target.port,
        path: forward ? request.url : path,
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
        const coding = (res.headers['content-encoding'] ?? '').trim().toLowerCase()
        const identity = coding === '' || coding === 'identity'
        if (!identity && (!CODINGS.has(coding) || (coding === 'br' && !modules.acceptEncoding.endsWith('br')))) {
          return unreadable(`response in Content-Encoding "${coding}", not one of ${modules.acceptEncoding}`)
        }
        const chunks: Buffer[] = []
        let received = 0
        let decoded = 0
        /** Compressed chunks kept until the body is known to be small (decoded at once) or not (streamed). */
        let encoded: Buffer[] | undefined = identity ? undefined : []
        const take = (chunk: Buffer) => {
          decoded += chunk.length
          if (decoded > maxBytes) return tooLarge()
          chunks.push(chunk)
        }
        const tooLarge = () => unreadable(`response body larger than ${maxBytes} bytes once decoded`)
        const invalid = (error: Error) => unreadable(`response body is not valid ${coding}: ${error.message}`, error)
        const finish = () => {
          if (settled) return
          settled = true
          clearTimeout(readTimer)
          request.signal?.removeEventListener('abort', onAbort)
          const body =
            chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, decoded).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body })
        }
        const stream = (pending: Buffer[]) => {
          const streaming = decoderFor(coding, modules.zlib, pending[0])
          decoder = streaming
          streaming.on('data', take)
          streaming.on('end', finish)
          streaming.on('error', invalid)
          for (const chunk of pending) streaming.write(chunk)
        }
        res.on('data', (chunk: Buffer) => {
          if (settled) return
          received += chunk.length
          if (received > maxBytes) return unreadable(`response body larger than ${maxBytes} bytes`)
          if (identity) return take(chunk)
          if (decoder) return void decoder.write(chunk)
          ;(encoded as Buffer[]).push(chunk)
          if (received > SYNC_DECODE_BYTES) {
            stream(encoded as Buffer[])
            encoded = undefined
          }
        })
        res.on('error', (error) => fail(new TransportError('network', 'read', true, error)))
        // A connection cut mid-body ends the response without completing it.
        res.on('close', () => {
          if (!res.complete) fail(new TransportError('network', 'read', true))
        })
        res.on('end', () => {
          if (settled) return
          if (decoder) return void decoder.end()
          if (encoded && received > 0) {
            try {
              const whole = encoded.length === 1 ? encoded[0] : Buffer.concat(encoded, received)
              const body = decodeSync(coding, modules.zlib, whole, maxBytes)
              if (body.length > maxBytes) return tooLarge()
              chunks.push(body)
              decoded = body.length
            } catch (error) {
              const cause = error as NodeJS.ErrnoException
              return cause.code === 'ERR_BUFFER_TOO_LARGE' ? tooLarge() : invalid(cause)
            }
          }
          finish()
        })
      })
      req.end(request.body)
    })
  }
}
