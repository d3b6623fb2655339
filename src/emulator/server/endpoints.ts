/**
 * The addresses the portal answers on. The newest one serves; after a domain change every older one answers
 * each request with 302 to the same path on the newest, like a renamed Bitrix24 portal — the portal's own
 * `/oauth/authorize/` page included — except the OAuth server's `/oauth/token/` (oauth.bitrix.info for real
 * portals), which is not the portal's and keeps answering where it was, reporting the new address.
 * Addresses may differ by port, or by loopback address on the same port (all of 127.0.0.0/8 is loopback).
 */
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { meterBody, sendRedirect } from './respond.js'
import type { StatsRecorder } from './stats.js'
import { EMULATOR_TLS_CERT, EMULATOR_TLS_KEY } from './tls.js'

export interface Endpoint {
  readonly server: http.Server
  /** `http://127.0.0.1:PORT`, no trailing slash (no port when it is the scheme's default, e.g. 443). */
  readonly url: string
  readonly port: number
  /** Host name the portal reports while this endpoint is current. */
  readonly domain: string
}

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void

export class Endpoints {
  private readonly list: Endpoint[] = []
  private closing: Promise<void> | undefined

  constructor(
    private readonly settings: { https: boolean; host: string },
    /** The counters a request is counted in (its portal's). */
    private readonly statsFor: (req: http.IncomingMessage) => StatsRecorder,
    private readonly serve: RequestHandler,
  ) {}

  current(): Endpoint {
    return this.list[this.list.length - 1]
  }

  /** Starts listening on `host:port` (port 0 = any) and makes the new address the current one. */
  async open(port: number, domain: string | undefined, host = this.settings.host): Promise<Endpoint> {
    if (this.closing) throw new Error('The emulator is closed')
    let self: Endpoint | undefined
    const listener: RequestHandler = (req, res) => {
      const stats = this.statsFor(req)
      stats.request()
      meterBody(res, (bytes) => stats.responseBody(bytes))
      res.on('close', () => {
        if (res.headersSent) stats.response(res.statusCode)
      })
      // The OAuth server (oauth.bitrix.info for real portals) does not move with the portal.
      if (self === this.current() || isOAuthServerPath(req.url)) {
        this.serve(req, res)
      } else {
        req.resume()
        sendRedirect(res, `${this.current().url}${req.url ?? '/'}`)
      }
    }
    const server = this.settings.https
      ? https.createServer({ key: EMULATOR_TLS_KEY, cert: EMULATOR_TLS_CERT }, listener)
      : http.createServer(listener)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    const address = server.address() as AddressInfo
    const name = address.family === 'IPv6' ? `[${address.address}]` : address.address
    // `origin` drops a default port: `https://127.0.0.2:443` is `https://127.0.0.2`.
    const url = new URL(`${this.settings.https ? 'https' : 'http'}://${name}:${address.port}`).origin
    self = { server, url, port: address.port, domain: domain ?? new URL(url).host }
    this.list.push(self)
    return self
  }

  /** Stops every address and drops open connections; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= Promise.all(
      this.list.map(
        ({ server }) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve())
            server.closeAllConnections()
          }),
      ),
    ).then(() => undefined)
    return this.closing
  }
}

function isOAuthServerPath(url: string | undefined): boolean {
  return /^\/oauth\/token(\/|\?|$)/i.test(url ?? '')
}
