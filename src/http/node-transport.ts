/**
 * The keep-alive `node:http(s)` transport, the cheapest per call on Node. Only `default-transport.ts` (the `node`
 * condition of the package's `#default-transport` import) reaches this module, so browser bundles never see it.
 * It asks for compressed answers (`Accept-Encoding: gzip, deflate`, and `br` where `node:zlib` has Brotli) and
 * decodes them while streaming, with the body capped before and after decoding (a decompression bomb stops at
 * the cap).
 */
import type { Transform } from 'node:stream'
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

/** A streaming decoder for `coding`; `deflate` is zlib-wrapped or raw, told apart by its first bytes, as browsers do. */
function decoderFor(coding: string, zlib: NodeZlib, first: Buffer): Transform | undefined {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip()
    case 'deflate':
      return first.length >= 2 && (first[0] & 0x0f) === 8 && ((first[0] << 8) | first[1]) % 31 === 0
        ? zlib.createInflate()
        : zlib.createInflateRaw()
    case 'br':
      return typeof zlib.createBrotliDecompress === 'function' ? zlib.createBrotliDecompress() : undefined
    default:
      return undefined
  }
}

export interface NodeTransportOptions {
  /** Extra TLS settings, e.g. `{ ca }` for a self-signed emulator certificate. */
  tls?: { ca?: string | string[]; rejectUnauthorized?: boolean }
  /** Largest response body in bytes, as received and once decoded; default `MAX_RESPONSE_BYTES` (64 MiB). */
  maxResponseBytes?: number
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
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES
  let tlsAgent: import('node:https').Agent | undefined
  return async (request) => {
    const modules = loadedModules ?? (await loadNodeModules())
    const { target, path } = splitUrl(request.url)
    const { secure } = target
    if (secure && options.tls && !tlsAgent) tlsAgent = new modules.https.Agent({ keepAlive: true, ...options.tls })
    const agent = secure ? (tlsAgent ?? modules.httpsAgent) : modules.httpAgent
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
      const req = lib.request({
        hostname: target.hostname,
        port: target.port,
        path,
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
        const coding = (res.headers['content-encoding'] ?? '').trim().toLowerCase()
        const identity = coding === '' || coding === 'identity'
        const chunks: Buffer[] = []
        let received = 0
        let decoded = 0
        const take = (chunk: Buffer) => {
          decoded += chunk.length
          if (decoded > maxBytes) return unreadable(`response body larger than ${maxBytes} bytes once decoded`)
          chunks.push(chunk)
        }
        const finish = () => {
          if (settled) return
          settled = true
          clearTimeout(readTimer)
          request.signal?.removeEventListener('abort', onAbort)
          const body =
            chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, decoded).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body })
        }
        res.on('data', (chunk: Buffer) => {
          if (settled) return
          received += chunk.length
          if (received > maxBytes) return unreadable(`response body larger than ${maxBytes} bytes`)
          if (identity) return take(chunk)
          if (!decoder) {
            decoder = decoderFor(coding, modules.zlib, chunk)
            if (!decoder) {
              return unreadable(`response in Content-Encoding "${coding}", not one of ${modules.acceptEncoding}`)
            }
            decoder.on('data', take)
            decoder.on('end', finish)
            decoder.on('error', (error) => unreadable(`response body is not valid ${coding}: ${error.message}`, error))
          }
          decoder.write(chunk)
        })
        res.on('error', (error) => fail(new TransportError('network', 'read', true, error)))
        // A connection cut mid-body ends the response without completing it.
        res.on('close', () => {
          if (!res.complete) fail(new TransportError('network', 'read', true))
        })
        // An encoded answer with no body at all (no decoder made) is an empty body.
        res.on('end', () => {
          if (settled) return
          if (decoder) decoder.end()
          else finish()
        })
      })
      req.end(request.body)
    })
  }
}
