/**
 * The keep-alive `node:http(s)` transport, the cheapest per call on Node. Only `default-transport.ts` (the `node`
 * condition of the package's `#default-transport` import) reaches this module, so browser bundles never see it.
 */
import { forwardAgent, type ProxyRoute, type ProxySetting, parseProxyUrl, proxyFor, tunnelAgent } from './node-proxy.js'
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

/** Settings of the built-in Node transport (`ClientOptions.tls` and `ClientOptions.proxy` pass through here). */
export interface NodeTransportOptions {
  /** Extra TLS settings, e.g. `{ ca }` for a self-signed emulator certificate. */
  tls?: { ca?: string | string[]; rejectUnauthorized?: boolean }
  /**
   * An egress proxy: `'http://[user:password@]host:port'` for every request, `'env'` to follow `HTTPS_PROXY`,
   * `HTTP_PROXY` and `NO_PROXY` (read when each target is first seen), or `false`/absent to go direct (the variables
   * are never read unless asked). https targets are tunnelled with CONNECT, so TLS stays end to end with the portal.
   */
  proxy?: ProxySetting
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
  let tlsAgent: import('node:https').Agent | undefined
  const tunnels = new Map<ProxyRoute, import('node:http').Agent>()
  const forwards = new Map<ProxyRoute, import('node:http').Agent>()
  // An explicit proxy is checked now, so a bad one fails where the client is made; `env` is read per target.
  if (options.proxy && options.proxy !== 'env') parseProxyUrl(options.proxy)
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
    const hop = route && (await proxiedHop(modules, route, secure, secure ? tunnels : forwards, options.tls))
    if (secure && options.tls && !tlsAgent) tlsAgent = new modules.https.Agent({ keepAlive: true, ...options.tls })
    const agent = hop?.agent ?? (secure ? (tlsAgent ?? modules.httpsAgent) : modules.httpAgent)
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
