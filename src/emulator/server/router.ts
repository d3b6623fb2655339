/**
 * The request path: route → body → injected fault → leaky bucket → authentication → method (or batch) →
 * envelope. Every failure becomes a Bitrix-style answer; nothing a client sends can stop the server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Params, RestError } from '../kernel.js'
import { type Caller, type CredentialStore, findAccessToken, stripAuthParams } from './auth.js'
import { runBatch } from './batch.js'
import { readBody } from './body.js'
import { type CallOutcome, type CallRunner, methodNotFound, RequestBudget, toRestError } from './calls.js'
import type { EmulatorClock } from './clock.js'
import { isShowFilePath, isTransferMethod, type Transfers } from './disk-transfer.js'
import { errorEnvelope, successEnvelope } from './envelope.js'
import {
  type ActiveFault,
  callsIn,
  type FaultInjector,
  faultReply,
  GATEWAY_TIMEOUT_HTML,
  OVERLOAD_ERROR,
  PORTAL_DELETED_ERROR,
} from './faults.js'
import type { SourceBuckets } from './limits.js'
import { handleAuthorize, handleToken, type OAuthEnv } from './oauth.js'
import { type InputLimits, mergeParams, parseBody, parseQueryReport } from './params.js'
import { handlePortalPage } from './portal-page.js'
import { type ReceivedLog, withoutCommandCredentials } from './programmed.js'
import { type Format, type Reply, sendBody, sendPreflight, sendRedirect, writeRaw } from './respond.js'
import { parseV3Path, type RestV3, type V3Route } from './rest-v3.js'
import type { StatsRecorder } from './stats.js'

/** Response header of an answer that holds docs-example (canned) results: how many of its calls were canned. */
export const CANNED_HEADER = 'X-Emulator-Canned'

export interface RouterDeps {
  stats: StatsRecorder
  received: ReceivedLog
  faults: FaultInjector
  /** One leaky bucket per source address; absent when the plan is `off`. */
  bucket: SourceBuckets | undefined
  clock: EmulatorClock
  credentials: CredentialStore
  calls: CallRunner
  oauth: OAuthEnv
  maxBodyBytes: number
  /** Moves the portal to a new address (the `moveDomain` fault). */
  movePortal: () => Promise<unknown>
  inputLimits: InputLimits
  /** The portal's state, set with `emu.setPortalState`. */
  portalState: () => PortalState
  /** HTTP status of `PORTAL_DELETED`. */
  portalDeletedStatus: number
  /** Server seconds one request may take before it is cut with a 504. */
  requestTimeLimit: number
  /** REST 3.0 at `/rest/api/`. */
  restV3: RestV3
  /** File uploads to `uploadUrl` and downloads of file links. */
  transfers: Transfers
}

/** `active`, or a state in which every REST request is refused before anything runs. */
export type PortalState = 'active' | 'overloaded' | 'deleted'

/** Where a REST path points: a webhook call, an OAuth call, or nowhere. */
type RestRoute =
  | { kind: 'webhook'; userId: string; secret: string; method: string; format: Format }
  | { kind: 'oauth'; method: string; format: Format }
  | { kind: 'unsupported'; method: string; format: Format }

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** `crm.deal.list.json` → `crm.deal.list` + json; the last dot segment `json` / `xml` is the transport. */
function splitFormat(name: string): { method: string; format: Format } {
  const match = /^(.*)\.(json|xml)$/i.exec(name)
  if (!match) return { method: name, format: 'json' }
  return { method: match[1], format: match[2].toLowerCase() as Format }
}

/** Segments after `/rest/`: `[method]`, `[userId, secret, method]` (`/rest/api/…` is REST 3.0, rest-v3.ts). */
function parseRestPath(segments: readonly string[]): RestRoute {
  const parts = segments.map(decodeSegment)
  if (parts.length <= 1) return { kind: 'oauth', ...splitFormat(parts[0] ?? '') }
  if (parts.length <= 3) {
    return { kind: 'webhook', userId: parts[0], secret: parts[1], ...splitFormat(parts[2] ?? '') }
  }
  return { kind: 'unsupported', ...splitFormat(parts.at(-1) ?? '') }
}

/** `/a//b/` → `['a', 'b']` (the official JS SDK requests `/rest//method` when the endpoint ends with `/`). */
function pathSegments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '')
}

const NO_AUTH = new RestError('NO_AUTH_FOUND', 'Wrong authorization data', 401)
const QUERY_LIMIT = new RestError('QUERY_LIMIT_EXCEEDED', 'Too many requests', 503)
const INTERNAL = { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' }

/** Adds the `X-Emulator-Warning` header that tells a developer what the portal's PHP would only have logged. */
function withWarning(reply: Reply, warning: string | undefined): Reply {
  return warning === undefined ? reply : { ...reply, headers: { ...reply.headers, 'X-Emulator-Warning': warning } }
}

function errorReply(error: RestError, format: Format = 'json'): Reply {
  return { status: error.status, body: errorEnvelope(error), format }
}

export class Router {
  constructor(private readonly deps: RouterDeps) {}

  /** The listener for an address that is the portal's current one. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [rawPath, ...rest] = (req.url ?? '/').split('#')[0].split('?')
    const query = rest.join('?')
    const segments = pathSegments(rawPath)
    if (req.method === 'OPTIONS') {
      req.resume()
      sendPreflight(res)
      return
    }
    const head = segments[0]?.toLowerCase()
    if (head === 'oauth' && segments.length === 2 && ['token', 'authorize'].includes(segments[1].toLowerCase())) {
      await this.handleOAuth(req, res, segments[1].toLowerCase(), query)
      return
    }
    if (head === 'marketplace' && segments.length === 3 && segments[1].toLowerCase() === 'view') {
      await handlePortalPage(req, res, decodeSegment(segments[2]), query, this.deps.oauth)
      return
    }
    if (head === 'rest' && segments[1]?.toLowerCase() === 'api') {
      await this.handleRestV3(req, res, parseV3Path(segments.slice(2).map(decodeSegment)))
      return
    }
    if (head === 'rest') {
      const route = parseRestPath(segments.slice(1))
      if (route.kind !== 'unsupported' && isTransferMethod(route.method)) {
        const webhook = route.kind === 'webhook' ? { userId: route.userId, secret: route.secret } : undefined
        await this.deps.transfers.handleRest(req, res, route.method, query, webhook)
        return
      }
      await this.handleRest(req, res, route, query)
      return
    }
    if (head === 'bitrix' && isShowFilePath(segments.map((s) => s.toLowerCase()))) {
      this.deps.transfers.handleShowFile(req, res, segments[3].toLowerCase(), query)
      return
    }
    req.resume()
    sendBody(res, 404, { error: 'NOT_FOUND', error_description: 'Not found' })
  }

  /**
   * Query + body params; `reply` instead when the body is refused, neither when the client went away.
   * `warning` says what PHP would have warned about (variables past max_input_vars, a JSON body refused).
   */
  private async readParams(
    req: IncomingMessage,
    query: string,
  ): Promise<{ params?: Params; reply?: Reply; warning?: string }> {
    const { body, tooLarge, aborted } = await readBody(req, this.deps.maxBodyBytes)
    if (aborted) return {}
    if (tooLarge) {
      const description = `Request body is larger than ${this.deps.maxBodyBytes} bytes`
      return { reply: { status: 413, body: { error: 'REQUEST_ENTITY_TOO_LARGE', error_description: description } } }
    }
    const limits = this.deps.inputLimits
    const fromQuery = parseQueryReport(query, limits)
    // PHP reads a body only for POST.
    const fromBody = req.method === 'POST' ? parseBody(body, req.headers['content-type'], limits) : undefined
    const warnings: string[] = []
    const dropped = fromQuery.droppedVars + (fromBody?.droppedVars ?? 0)
    if (dropped > 0) warnings.push(`max_input_vars (${limits.maxInputVars}) exceeded: ${dropped} variables dropped`)
    if (fromBody?.jsonError) warnings.push(`json_decode failed (${fromBody.jsonError}): the body was read as {}`)
    return {
      params: mergeParams(fromQuery.params, fromBody?.params ?? {}),
      warning: warnings.length > 0 ? warnings.join('; ') : undefined,
    }
  }

  private async handleOAuth(req: IncomingMessage, res: ServerResponse, endpoint: string, query: string): Promise<void> {
    const fault = endpoint === 'token' ? this.deps.faults.take('oauth.token') : undefined
    if (fault?.kind === 'reset') {
      req.socket.destroy()
      return
    }
    const { params, reply: refused, warning } = await this.readParams(req, query)
    if (refused) this.write(res, refused)
    if (!params) return
    if (fault && (await this.applyFault(fault, res))) return
    const reply = endpoint === 'token' ? handleToken(params, this.deps.oauth) : handleAuthorize(params, this.deps.oauth)
    this.write(res, withWarning(reply, warning), fault?.kind === 'truncated')
  }

  private async handleRest(req: IncomingMessage, res: ServerResponse, route: RestRoute, query: string): Promise<void> {
    const fault = this.deps.faults.take(route.method)
    if (fault?.kind === 'reset') {
      req.socket.destroy()
      return
    }
    const { params, reply: refused, warning } = await this.readParams(req, query)
    if (refused) this.write(res, { ...refused, format: route.format })
    if (!params) return
    const scheduled = this.deps.faults.takeScheduled(route.method, callsIn(route.method, params))
    if (scheduled?.kind === 'reset') {
      req.socket.destroy()
      return
    }
    for (const active of [scheduled, fault]) {
      if (active && (await this.applyFault(active, res, route.format))) return
    }
    const reply = await this.callRest(req, route, params)
    this.write(res, withWarning(reply, warning), fault?.kind === 'truncated' || scheduled?.kind === 'truncated')
  }

  /**
   * REST 3.0: the same faults, portal state and leaky bucket as v2 (one bucket per source for both versions),
   * then rest-v3.ts. The body is read raw: v3 takes JSON only and ignores the query string.
   */
  private async handleRestV3(req: IncomingMessage, res: ServerResponse, route: V3Route | undefined): Promise<void> {
    const method = route?.method ?? ''
    const fault = this.deps.faults.take(method)
    if (fault?.kind === 'reset') {
      req.socket.destroy()
      return
    }
    const { body, tooLarge, aborted } = await readBody(req, this.deps.maxBodyBytes)
    if (aborted) return
    if (tooLarge) {
      const description = `Request body is larger than ${this.deps.maxBodyBytes} bytes`
      this.write(res, { status: 413, body: { error: 'REQUEST_ENTITY_TOO_LARGE', error_description: description } })
      return
    }
    const scheduled = this.deps.faults.takeScheduled(method, 1)
    if (scheduled?.kind === 'reset') {
      req.socket.destroy()
      return
    }
    for (const active of [scheduled, fault]) {
      if (active && (await this.applyFault(active, res))) return
    }
    const reply = !route
      ? errorReply(methodNotFound())
      : (this.refuse(req, 'json') ?? (await this.deps.restV3.call(req, route, body)))
    this.write(res, reply, fault?.kind === 'truncated' || scheduled?.kind === 'truncated')
  }

  /** The portal's state or the leaky bucket refuses the request before anything runs; undefined when admitted. */
  private refuse(req: IncomingMessage, format: Format): Reply | undefined {
    const { deps } = this
    const state = deps.portalState()
    if (state === 'deleted') return { status: deps.portalDeletedStatus, body: PORTAL_DELETED_ERROR, format }
    if (state === 'overloaded') return { status: 503, body: OVERLOAD_ERROR, format }
    const source = req.socket.remoteAddress ?? ''
    if (deps.bucket && !deps.bucket.tryAcquire(source, deps.clock.now())) return errorReply(QUERY_LIMIT, format)
    return undefined
  }

  private async callRest(req: IncomingMessage, route: RestRoute, params: Params): Promise<Reply> {
    const { deps } = this
    if (route.kind === 'unsupported') return errorReply(methodNotFound(), route.format)
    const refused = this.refuse(req, route.format)
    if (refused) return refused
    let caller: Caller
    try {
      caller = this.authenticate(req, route, params)
    } catch (error) {
      return errorReply(toRestError(error), route.format)
    }
    const budget = new RequestBudget(deps.requestTimeLimit)
    const { outcome, canned } = await this.run(route.method, stripAuthParams(params), caller, budget)
    if (budget.cut) return { status: 504, html: GATEWAY_TIMEOUT_HTML }
    const headers: Record<string, string> = caller.app ? { 'X-Bitrix-Rest-Application': caller.app.clientId } : {}
    // Marks an answer that holds documented examples rather than portal data: how many calls were canned.
    if (canned > 0) {
      headers[CANNED_HEADER] = String(canned)
      headers['Access-Control-Expose-Headers'] = CANNED_HEADER
    }
    if (!outcome.ok) return { ...errorReply(outcome.error, route.format), headers }
    return {
      status: 200,
      body: successEnvelope(outcome.result, outcome.time, outcome.total, outcome.next),
      format: route.format,
      headers,
    }
  }

  private authenticate(req: IncomingMessage, route: RestRoute, params: Params): Caller {
    if (route.kind === 'webhook') return this.deps.credentials.authenticateWebhook(route.userId, route.secret)
    const token = findAccessToken(params, req.headers.authorization)
    if (token === undefined) throw NO_AUTH
    return this.deps.credentials.authenticateToken(token)
  }

  /**
   * One call, or a batch: the batch itself costs no operating time, its sub-calls do. `canned` counts the calls
   * answered with a docs example.
   */
  private async run(
    method: string,
    params: Params,
    caller: Caller,
    budget: RequestBudget,
  ): Promise<{ outcome: CallOutcome; canned: number }> {
    const { calls, clock, stats, received } = this.deps
    if (method.toLowerCase() !== 'batch') {
      const outcome = await calls.invoke(method, params, caller, false, budget)
      return { outcome, canned: outcome.source === 'example' ? 1 : 0 }
    }
    stats.call('batch', 0)
    received.record({
      method,
      params: received.enabled ? structuredClone(withoutCommandCredentials(params)) : params,
      authType: caller.authType,
      userId: caller.userId,
      inBatch: false,
      answeredBy: 'state',
      error: undefined,
    })
    let canned = 0
    const { result, time } = await runBatch(params, caller, {
      clock,
      inputLimits: this.deps.inputLimits,
      stopped: () => budget.cut,
      invoke: async (name, subParams, subCaller) => {
        const outcome = await calls.invoke(name, subParams, subCaller, true, budget)
        if (outcome.source === 'example') canned += 1
        return outcome
      },
    })
    return { outcome: { ok: true, method: 'batch', result, time, source: 'state' }, canned }
  }

  /**
   * Faults that replace the answer; returns true when the request is finished. `slow` only delays it,
   * `expireTokens` and `moveDomain` change the portal first.
   */
  private async applyFault(fault: ActiveFault, res: ServerResponse, format: Format = 'json'): Promise<boolean> {
    if (fault.kind === 'slow') {
      await sleep(fault.delayMs ?? 2000)
      return false
    }
    if (fault.kind === 'expireTokens') {
      this.deps.credentials.expireAccessTokens()
      return false
    }
    if (fault.kind === 'moveDomain') {
      await this.deps.movePortal()
      return false
    }
    // The cut comes when the time limit has passed: the client waits that long for it.
    if (fault.kind === 'timeout') await this.deps.clock.spend(this.deps.requestTimeLimit)
    const reply = faultReply(fault.kind, this.deps.portalDeletedStatus)
    if (!reply) return false
    if (reply.html === undefined) {
      sendBody(res, reply.status, reply.body, format)
    } else {
      writeRaw(res, reply.status, reply.html, { 'Content-Type': 'text/html; charset=utf-8' })
    }
    return true
  }

  /** Writes a reply; `truncated` cuts it half-way after the method ran (the `truncated` fault). */
  private write(res: ServerResponse, reply: Reply, truncated = false): void {
    if (reply.html !== undefined) {
      writeRaw(res, reply.status, reply.html, { 'Content-Type': 'text/html; charset=utf-8' }, truncated)
    } else if (reply.location === undefined) {
      sendBody(res, reply.status, reply.body, reply.format, reply.headers, truncated)
    } else {
      sendRedirect(res, reply.location)
    }
  }

  /** Last resort for an exception that escaped a route: answer 500 if still possible, else drop the socket. */
  fail(res: ServerResponse): void {
    if (!res.headersSent) sendBody(res, 500, INTERNAL)
    else res.destroy()
  }
}
