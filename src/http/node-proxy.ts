/**
 * The Node transport's egress proxy: an explicit `http://[user:password@]host:port` proxy, or the usual
 * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` variables when asked to read them. https targets go through a CONNECT
 * tunnel (TLS end to end with the portal, certificate checked against the portal's host name); plain http targets
 * are sent to the proxy in absolute form. The proxy's password goes only to the proxy, in `Proxy-Authorization`.
 */
import type { Agent as HttpAgent } from 'node:http'
import type { Agent as HttpsAgent } from 'node:https'
import type { Socket } from 'node:net'
import { BitrixValidationError } from '../errors/index.js'
import { secretRegistry } from '../log/secrets.js'

/** A proxy as the transport uses it; the password is only ever inside `authorization`. */
export interface ProxyRoute {
  hostname: string
  port: number
  /** `Basic …` for a proxy URL with user info. */
  authorization?: string
  /** `http://host:port` without user info: safe to show. */
  display: string
}

/** What `NodeTransportOptions.proxy` takes. */
export type ProxySetting = string | URL | 'env' | false | undefined

/** Environment variables as `process.env` holds them. */
export type ProxyEnvironment = Record<string, string | undefined>

/** `http://user:password@host:port` → a route; anything else is a `BitrixValidationError` naming the problem. */
export function parseProxyUrl(input: string | URL, what = 'proxy'): ProxyRoute {
  let url: URL
  try {
    url = new URL(String(input))
  } catch {
    throw new BitrixValidationError({
      message: `${what} must be a URL such as http://proxy.example:3128`,
      parameter: what,
      expected: 'http://host:port',
    })
  }
  if (url.protocol !== 'http:') {
    throw new BitrixValidationError({
      message: `${what} must be an http:// proxy (https targets are tunnelled through it with CONNECT), received the scheme "${url.protocol}"`,
      parameter: what,
      expected: 'http://host:port',
    })
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new BitrixValidationError({ message: `${what} must be host and port only, no path`, parameter: what })
  }
  const route: ProxyRoute = {
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 80 : Number(url.port),
    display: `http://${url.host}`,
  }
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username)
    const password = decodeURIComponent(url.password)
    route.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
    secretRegistry.hold(route, 'password', password)
    secretRegistry.hold(route, 'authorization', route.authorization)
  }
  return route
}

/** Whether `NO_PROXY` (comma or space separated: `*`, `host`, `.suffix`, `*.suffix`, `host:port`) covers the target. */
export function bypassesProxy(noProxy: string | undefined, hostname: string, port: number): boolean {
  if (!noProxy) return false
  const host = hostname.toLowerCase()
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase()
    if (entry === '') continue
    if (entry === '*') return true
    const colon = entry.lastIndexOf(':')
    const hasPort = colon > 0 && !entry.includes(']', colon) && /^\d+$/.test(entry.slice(colon + 1))
    const name = (hasPort ? entry.slice(0, colon) : entry).replace(/^\[|\]$/g, '')
    if (hasPort && Number(entry.slice(colon + 1)) !== port) continue
    const suffix = name.startsWith('*.') ? name.slice(1) : name.startsWith('.') ? name : undefined
    if (suffix !== undefined ? host.endsWith(suffix) || host === suffix.slice(1) : host === name) return true
  }
  return false
}

/** The proxy for one target, or undefined to go direct. `env` reads the variables each time a route is decided. */
export function proxyFor(
  setting: ProxySetting,
  target: { secure: boolean; hostname: string; port: number },
  env: ProxyEnvironment = globalThis.process?.env ?? {},
): ProxyRoute | undefined {
  if (setting === undefined || setting === false) return undefined
  if (setting !== 'env') return cachedRoute(setting)
  const noProxy = env.NO_PROXY ?? env.no_proxy
  if (bypassesProxy(noProxy, target.hostname, target.port)) return undefined
  const value = target.secure ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy)
  if (value === undefined || value.trim() === '') return undefined
  return cachedRoute(value.trim(), target.secure ? 'HTTPS_PROXY' : 'HTTP_PROXY')
}

const routes = new Map<string, ProxyRoute>()

function cachedRoute(setting: string | URL, what = 'proxy'): ProxyRoute {
  const key = String(setting)
  let route = routes.get(key)
  if (!route) {
    route = parseProxyUrl(setting, what)
    if (routes.size > 16) routes.clear()
    routes.set(key, route)
  }
  return route
}

/** A proxy that refused or failed the tunnel: the portal was never reached. */
export class ProxyConnectError extends Error {
  readonly code = 'EPROXY'
  constructor(message: string) {
    super(message)
    this.name = 'ProxyConnectError'
  }
}

/** Seconds a proxy may take to open a tunnel; the request's own deadline usually ends it first. */
const CONNECT_TIMEOUT_MS = 30_000

interface TunnelModules {
  http: typeof import('node:http')
  https: typeof import('node:https')
  tls: typeof import('node:tls')
  net: typeof import('node:net')
}

/**
 * A keep-alive https agent whose connections are CONNECT tunnels through `route`: the pool, TLS session reuse and
 * certificate checks are Node's own; only the socket underneath is the tunnel.
 */
export function tunnelAgent(
  modules: TunnelModules,
  route: ProxyRoute,
  tlsOptions: { ca?: string | string[]; rejectUnauthorized?: boolean } = {},
): HttpsAgent {
  class TunnelAgent extends modules.https.Agent {
    override createConnection(
      options: import('node:http').RequestOptions & { servername?: string },
      callback?: (error: Error | null, stream: import('node:stream').Duplex) => void,
    ): undefined {
      const done = (error: Error | null, socket?: Socket) => callback?.(error, socket as Socket)
      const host = options.hostname ?? options.host ?? 'localhost'
      const authority = `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 443}`
      const headers: Record<string, string> = { host: authority }
      if (route.authorization) headers['proxy-authorization'] = route.authorization
      const request = modules.http.request({
        hostname: route.hostname,
        port: route.port,
        method: 'CONNECT',
        path: authority,
        headers,
        agent: false,
      })
      let finished = false
      const finish = (error: Error | null, socket?: Socket) => {
        if (finished) return
        finished = true
        clearTimeout(timer)
        done(error, socket)
      }
      const timer = setTimeout(() => {
        request.destroy()
        finish(new ProxyConnectError(`proxy ${route.display} did not open a tunnel within ${CONNECT_TIMEOUT_MS} ms`))
      }, CONNECT_TIMEOUT_MS)
      request.once('connect', (response, socket) => {
        if (response.statusCode !== 200) {
          socket.destroy()
          finish(new ProxyConnectError(`proxy ${route.display} refused the tunnel: HTTP ${response.statusCode}`))
          return
        }
        // SNI carries a host name, never an IP address (RFC 6066 §3).
        const servername = options.servername || (modules.net.isIP(host) ? undefined : host)
        const secure = modules.tls.connect({ ...tlsOptions, socket, ...(servername ? { servername } : {}) })
        finish(null, secure as unknown as Socket)
      })
      request.once('error', (error) =>
        finish(new ProxyConnectError(`proxy ${route.display} could not be reached (${error.message})`)),
      )
      request.end()
      return undefined
    }
  }
  return new TunnelAgent({ keepAlive: true, maxSockets: 64 })
}

/** A keep-alive agent for plain http requests sent to the proxy in absolute form. */
export function forwardAgent(modules: TunnelModules): HttpAgent {
  return new modules.http.Agent({ keepAlive: true, maxSockets: 64 })
}
