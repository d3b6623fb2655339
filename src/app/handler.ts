/**
 * A framework-neutral handler for everything a portal sends an app: WHATWG `Request` in, `Response` out, so it
 * runs on Node 20 (through `toNodeListener`), Bun, Deno and edge runtimes, and under any framework that exposes
 * the standard request (Hono) or a `node:http` one (Express, Fastify).
 *
 * Events (`event=…`), robot / activity calls (`workflow_id=…`) and app pages (`AUTH_ID=…`) are told apart by their
 * body. Nothing the app registered runs, and nothing is stored, until the call is read, complete and verified.
 */

import type { AbstractBitrixApp } from '../auth/app.js'
import { BitrixError, BitrixIncomingRejected } from '../errors/index.js'
import type { FetchFunction } from '../http/transport.js'
import type { Awaitable } from '../limits/store.js'
import type { DocumentedEventCode } from './generated/events.js'
import {
  type IncomingEvent,
  type PlacementRequest,
  parseEvent,
  parsePlacementRequest,
  parseRobotRequest,
  type RobotRequest,
  readIncomingBody,
  type TypedIncomingEvent,
  verifyApplicationToken,
} from './incoming.js'
import { type AppInstallation, confirmInstallation, installationFromEvent } from './install.js'

/** What the handler needs of a stored installation: the token to check calls with, and where the portal is. */
export interface KnownInstallation {
  applicationToken: string
  domain: string
}

/** Handlers by documented event code, each given its typed event; other codes reach `onEvent`. */
export type EventHandlers = {
  [K in DocumentedEventCode]?: (event: TypedIncomingEvent<K>) => Awaitable<void>
}

/** What `createAppHandler` calls: your storage lookup and your handlers, each optional but `findInstallation`. */
export interface AppHandlerOptions {
  /** The stored installation of a portal by `member_id` (your store), or undefined when there is none. */
  findInstallation(memberId: string): Awaitable<KnownInstallation | undefined>
  /** A verified `ONAPPINSTALL`: store the installation (keyed by `memberId`). */
  onInstall?(installation: AppInstallation, event: TypedIncomingEvent<'ONAPPINSTALL'>): Awaitable<void>
  /** A verified `ONAPPUNINSTALL`: delete the installation and the portal's data. */
  onUninstall?(event: TypedIncomingEvent<'ONAPPUNINSTALL'>): Awaitable<void>
  /** Verified events by code: `{ ONCRMDEALADD: (event) => … }`. */
  events?: EventHandlers
  /** Every verified event, after its handler in `events` (unknown codes too). */
  onEvent?(event: IncomingEvent): Awaitable<void>
  /** A verified workflow robot / activity call. */
  onRobot?(call: RobotRequest): Awaitable<void>
  /**
   * An app page or placement (`AUTH_ID` in the body). Its `APPLICATION_TOKEN`, when there is one and the portal is
   * known, is checked; the install page of a new portal arrives before any installation is stored.
   */
  onPage?(page: PlacementRequest, request: Request): Awaitable<Response>
  /**
   * Confirms install events with `app.info` before `onInstall` runs: the event's access token must answer for this
   * app. A re-install (a stored portal, a new application token) is accepted only when so confirmed, asked at the
   * stored domain. Off by default (then an install over a stored portal with another token is refused as forged).
   */
  confirmInstall?: { bitrixApp: AbstractBitrixApp; fetch?: FetchFunction }
  /** Largest body read, in bytes; default 1 MiB. A larger one is refused (413) unread. */
  maxBodyBytes?: number
  /** Every refusal (forged, malformed, too large, …), e.g. to log it. */
  onRejected?(error: BitrixIncomingRejected, request: Request): void
  /** An error thrown by one of the app's own handlers (the answer is then 500). */
  onError?(error: unknown, request: Request): void
}

/** The standard `fetch` handler signature: Bun, Deno, edge runtimes and Hono take it as it is. */
export type AppHandler = (request: Request) => Promise<Response>

const DEFAULT_MAX_BODY = 1024 * 1024

const json = (status: number, body: Record<string, unknown>) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } })

/** Reads at most `limit` bytes of the body; more is a `too-large` rejection (the rest is never read). */
export async function readBoundedBody(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  const tooLarge = () =>
    new BitrixIncomingRejected({ reason: 'too-large', detail: `the body is larger than ${limit} bytes` })
  if (Number.isFinite(declared) && declared > limit) throw tooLarge()
  if (request.body === null) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => undefined)
      throw tooLarge()
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

const forged = (event: string, memberId: string) =>
  new BitrixIncomingRejected({
    reason: 'forged',
    event,
    field: 'auth[application_token]',
    detail: `the application token does not match the installation of portal ${memberId.slice(0, 8)}…`,
  })

/**
 * The app's endpoint for portal calls.
 *
 * @example
 * const handler = createAppHandler({
 *   findInstallation: (memberId) => installations.get(memberId),
 *   onInstall: (installation) => { installations.set(installation.memberId, installation) },
 *   events: { ONCRMDEALADD: (event) => console.log('deal', event.data.FIELDS?.ID) },
 * })
 * Bun.serve({ fetch: handler })   // or Deno.serve(handler), or createServer(toNodeListener(handler))
 */
export function createAppHandler(options: AppHandlerOptions): AppHandler {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY

  async function verified(call: { auth: { memberId: string; applicationToken: string } }, code: string) {
    const known = await options.findInstallation(call.auth.memberId)
    if (known === undefined) {
      throw new BitrixIncomingRejected({
        reason: 'unknown-installation',
        event: code,
        detail: `no installation is stored for portal ${call.auth.memberId.slice(0, 8)}…`,
      })
    }
    if (!verifyApplicationToken(call, known.applicationToken)) throw forged(code, call.auth.memberId)
  }

  async function install(event: IncomingEvent): Promise<void> {
    const installation = installationFromEvent(event)
    const known = await options.findInstallation(installation.memberId)
    const sameToken = known !== undefined && verifyApplicationToken(event, known.applicationToken)
    const confirm = options.confirmInstall
    if (confirm !== undefined && !sameToken) {
      const genuine = await confirmInstallation(installation, { ...confirm, domain: known?.domain })
      if (!genuine) throw forged(event.event, installation.memberId)
    } else if (known !== undefined && !sameToken) throw forged(event.event, installation.memberId)
    await options.onInstall?.(installation, event as TypedIncomingEvent<'ONAPPINSTALL'>)
  }

  async function dispatchEvent(event: IncomingEvent): Promise<void> {
    if (event.event === 'ONAPPINSTALL') return install(event)
    await verified(event, event.event)
    if (event.event === 'ONAPPUNINSTALL') await options.onUninstall?.(event as TypedIncomingEvent<'ONAPPUNINSTALL'>)
    const handlers = options.events as Record<string, ((event: IncomingEvent) => Awaitable<void>) | undefined>
    await handlers?.[event.event]?.(event)
    await options.onEvent?.(event)
  }

  async function page(request: Request, body: string): Promise<Response> {
    const query = new URL(request.url).search.slice(1)
    const placement = parsePlacementRequest(query, body)
    const known = await options.findInstallation(placement.memberId)
    if (known !== undefined && placement.applicationToken !== undefined) {
      const call = { auth: { applicationToken: placement.applicationToken } }
      if (!verifyApplicationToken(call, known.applicationToken)) throw forged(placement.placement, placement.memberId)
    }
    if (options.onPage === undefined) return new Response('', { status: 204 })
    return options.onPage(placement, request)
  }

  async function handle(request: Request): Promise<Response> {
    if (request.method !== 'POST') {
      throw new BitrixIncomingRejected({ reason: 'method', detail: `${request.method} is not a portal call (POST)` })
    }
    const body = await readBoundedBody(request, limit)
    const fields = readIncomingBody(body, 'the body')
    if (typeof fields.event === 'string') {
      await dispatchEvent(parseEvent(body))
      return new Response('OK', { status: 200 })
    }
    if (fields.workflow_id !== undefined) {
      const call = parseRobotRequest(body)
      await verified(call, call.code)
      await options.onRobot?.(call)
      return new Response('OK', { status: 200 })
    }
    if (fields.AUTH_ID !== undefined) return page(request, body)
    throw new BitrixIncomingRejected({
      reason: 'missing-field',
      detail: 'not a portal call: no "event", "workflow_id" or "AUTH_ID"',
    })
  }

  return async (request: Request): Promise<Response> => {
    try {
      return await handle(request)
    } catch (error) {
      if (error instanceof BitrixIncomingRejected) {
        options.onRejected?.(error, request)
        const response = json(error.status, { error: error.reason, error_description: error.message })
        if (error.reason === 'method') response.headers.set('allow', 'POST')
        return response
      }
      options.onError?.(error, request)
      const message = error instanceof BitrixError ? error.message : 'the app failed to handle the call'
      return json(500, { error: 'handler_failed', error_description: message })
    }
  }
}
