/**
 * Event delivery: what the portal's queue server does. A change made through the portal's methods raises its
 * event (events-map.ts); every online binding of it gets a form-encoded POST (PHP `http_build_query`, the SDK's
 * one codec) with `event`, `event_handler_id`, `data`, `ts` and `auth[…]`; offline bindings get a row in the
 * offline queue (offline-events.ts). Installing an app posts `ONAPPINSTALL` to its install URL; uninstalling it
 * posts `ONAPPUNINSTALL` (no tokens: the application token is the only proof) to its bindings of that event.
 *
 * Delivery is asynchronous (after the REST answer), bounded (a queue of `queueLimit` POSTs, `concurrency` at a
 * time, `timeoutMs` each) and never retried (api-reference/events/index.md: a handler that fails loses the
 * event). Only loopback handlers are called: an event for any other host is counted as skipped, never sent.
 */
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isLoopbackHostname } from '../../auth/address.js'
import { buildQuery } from '../../http/php-query.js'
import type { Params } from '../kernel.js'
import type { AppRecord, Caller, CredentialStore } from './auth.js'
import type { EmulatorClock } from './clock.js'
import { eventForCall } from './events-map.js'
import { OfflineEventQueue } from './offline-events.js'
import { getParamIgnoreCase } from './params.js'
import { listScopes } from './scopes.js'
import type { StatsRecorder } from './stats.js'
import { EventRegistry } from './system-methods.js'

/** How the emulator delivers events (`startEmulator({ events })`). */
export interface EventDeliveryOptions {
  /** Milliseconds one POST may take before it is cut and counted as timed out. Default 5000. */
  timeoutMs?: number
  /** Most POSTs waiting to be sent; one more is dropped and counted. Default 1000. */
  queueLimit?: number
  /** POSTs in flight at once. Default 4. */
  concurrency?: number
  /** Most rows the offline queue keeps (all apps); one more change is dropped and counted. Default 100,000. */
  offlineLimit?: number
}

/** What became of one event POST. */
export type DeliveryOutcome = 'delivered' | 'failed' | 'timeout' | 'skipped' | 'dropped'

/** One event the emulator sent (or tried to), as `emu.events.deliveries` lists it. */
export interface EventDelivery {
  event: string
  handler: string
  /** The binding's ID (`event_handler_id`); undefined for `ONAPPINSTALL` sent to the install URL. */
  eventHandlerId: number | undefined
  outcome: DeliveryOutcome
  /** HTTP status of the answer, when there was one. */
  status?: number
  /** Why it failed (`ECONNREFUSED`, `HTTP 500`, …). */
  reason?: string
}

/** The event state of one portal: bindings, the offline queue and the installed apps. */
export class PortalEvents {
  readonly bindings = new EventRegistry()
  readonly offline: OfflineEventQueue
  /** Installed apps by client id: who installed them and where `ONAPPINSTALL` went. */
  readonly installed = new Map<string, { userId: number; installUrl: string | undefined }>()

  constructor(offlineLimit?: number) {
    this.offline = new OfflineEventQueue(offlineLimit)
  }
}

interface Job {
  url: URL
  body: string
  record: EventDelivery
}

export interface EventDispatcherDeps {
  events: PortalEvents
  credentials: CredentialStore
  stats: StatsRecorder
  clock: EmulatorClock
  /** Current base URL, e.g. `http://127.0.0.1:40123`. */
  url(): string
  /** Base URL of the OAuth server (`server_endpoint`), shared by the portals of one emulator; default `url()`. */
  serverUrl?(): string
  /** Portal host name reported to apps. */
  domain(): string
  memberId: string
  allScopes(): string[]
  options?: EventDeliveryOptions
}

const DELIVERIES_KEPT = 1000
/** Events that carry `auth[refresh_token]` (rest_provider.php `sendRefreshToken`). */
const WITH_REFRESH_TOKEN = new Set(['ONAPPINSTALL', 'ONAPPUPDATE', 'ONAPPTEST', 'ONOFFLINEEVENT'])

export class EventDispatcher {
  private readonly queue: Job[] = []
  private inFlight = 0
  private readonly log: EventDelivery[] = []
  private waiters: Array<() => void> = []
  private readonly open = new Set<() => void>()
  private closed = false
  private readonly timeoutMs: number
  private readonly queueLimit: number
  private readonly concurrency: number

  constructor(private readonly deps: EventDispatcherDeps) {
    this.timeoutMs = deps.options?.timeoutMs ?? 5000
    this.queueLimit = deps.options?.queueLimit ?? 1000
    this.concurrency = Math.max(1, deps.options?.concurrency ?? 4)
  }

  /** A successful call of `method`: raises its event, if it has one, to every binding. */
  changed(method: string, params: Params, result: unknown, caller: Caller): void {
    const raised = eventForCall(method, params, result)
    if (!raised) return
    const connectorValue = getParamIgnoreCase(params, 'auth_connector')
    const connector = typeof connectorValue === 'string' ? connectorValue.trim() : ''
    const { events, credentials, clock, stats } = this.deps
    for (const [clientId, binding] of events.bindings.matching(raised.event)) {
      const app = credentials.getApp(clientId)
      if (!app) continue
      if (binding.offline) {
        // A change made through a connector is not queued back to that connector (offline-events.md).
        if (connector !== '' && binding.authConnector === connector) continue
        const queued = events.offline.push({
          clientId,
          connector: binding.authConnector,
          event: raised.event,
          data: raised.data,
          userId: caller.userId,
          now: Math.floor(clock.now()),
        })
        stats.event(queued ? 'offlineQueued' : 'offlineDropped')
        continue
      }
      const userId = binding.authType > 0 ? binding.authType : caller.userId
      this.post(binding.handler, binding.id, raised.event, () =>
        this.payload(raised.event, raised.data, app, userId, binding.id),
      )
    }
  }

  /** Installs `app` for `userId`: tokens as on an install, `ONAPPINSTALL` to `installUrl` when there is one. */
  install(app: AppRecord, userId: number, installUrl: string | undefined): void {
    this.deps.events.installed.set(app.clientId, { userId, installUrl })
    if (installUrl === undefined) return
    const data = { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' }
    this.post(installUrl, undefined, 'ONAPPINSTALL', () => this.payload('ONAPPINSTALL', data, app, userId, undefined))
  }

  /** Uninstalls `app`: `ONAPPUNINSTALL` to its bindings of it, then its bindings and offline rows are gone. */
  uninstall(app: AppRecord, clean: boolean): void {
    const { events, clock } = this.deps
    const data = { LANGUAGE_ID: 'en', CLEAN: clean ? 1 : 0 }
    for (const [clientId, binding] of events.bindings.matching('ONAPPUNINSTALL')) {
      if (clientId !== app.clientId || binding.offline) continue
      this.post(binding.handler, binding.id, 'ONAPPUNINSTALL', () => ({
        event: 'ONAPPUNINSTALL',
        event_handler_id: String(binding.id),
        data,
        ts: String(Math.floor(clock.now())),
        auth: {
          domain: this.deps.domain(),
          server_endpoint: `${this.serverUrl()}/rest/`,
          client_endpoint: `${this.deps.url()}/rest/`,
          member_id: this.deps.memberId,
          application_token: app.applicationToken,
        },
      }))
    }
    events.bindings.remove(app.clientId, () => true)
    events.offline.remove(events.offline.scopeAll(app.clientId))
    events.installed.delete(app.clientId)
  }

  private serverUrl(): string {
    return this.deps.serverUrl?.() ?? this.deps.url()
  }

  /** The body of one event POST, `auth` as a portal sends it to an app's handler. */
  private payload(
    event: string,
    data: unknown,
    app: AppRecord,
    userId: number,
    handlerId: number | undefined,
  ): Record<string, unknown> {
    const tokens = this.deps.credentials.issueTokens(app, userId)
    const base = this.deps.url()
    return {
      event,
      event_handler_id: handlerId === undefined ? undefined : String(handlerId),
      data,
      ts: String(Math.floor(this.deps.clock.now())),
      auth: {
        access_token: tokens.accessToken,
        expires: String(tokens.expires),
        expires_in: String(tokens.expiresIn),
        scope: listScopes(app.scopes, this.deps.allScopes()).join(','),
        domain: this.deps.domain(),
        server_endpoint: `${this.serverUrl()}/rest/`,
        status: app.status,
        client_endpoint: `${base}/rest/`,
        member_id: this.deps.memberId,
        user_id: String(userId),
        refresh_token: WITH_REFRESH_TOKEN.has(event) ? tokens.refreshToken : undefined,
        application_token: app.applicationToken,
      },
    }
  }

  /** Queues one POST; its body (with fresh tokens) is built only when it will be sent. */
  private post(
    handler: string,
    handlerId: number | undefined,
    event: string,
    body: () => Record<string, unknown>,
  ): void {
    const record: EventDelivery = {
      event,
      handler,
      eventHandlerId: handlerId,
      outcome: 'skipped',
    }
    let url: URL | undefined
    try {
      url = new URL(handler)
    } catch {
      url = undefined
    }
    if (!url || !/^https?:$/.test(url.protocol) || !isLoopbackHostname(url.hostname) || this.closed) {
      record.reason = 'not a loopback http(s) URL: the emulator calls no other host'
      this.finish(record, 'skipped')
      return
    }
    if (this.queue.length >= this.queueLimit) {
      record.reason = `queue full (${this.queueLimit})`
      this.finish(record, 'dropped')
      return
    }
    this.deps.stats.event('queued')
    this.queue.push({ url, body: buildQuery(body()), record })
    setImmediate(() => this.pump())
  }

  private pump(): void {
    while (!this.closed && this.inFlight < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift() as Job
      this.inFlight += 1
      this.send(job).then(
        () => this.settled(),
        () => this.settled(),
      )
    }
    this.wakeIfIdle()
  }

  private settled(): void {
    this.inFlight -= 1
    this.pump()
  }

  private send(job: Job): Promise<void> {
    return new Promise((resolve) => {
      const requestFn = job.url.protocol === 'https:' ? httpsRequest : httpRequest
      let done = false
      const end = (outcome: DeliveryOutcome, status?: number, reason?: string) => {
        if (done) return
        done = true
        clearTimeout(timer)
        this.open.delete(abort)
        if (status !== undefined) job.record.status = status
        if (reason !== undefined) job.record.reason = reason
        this.finish(job.record, outcome)
        resolve()
      }
      const req = requestFn(job.url, {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(job.body),
          'user-agent': 'Bitrix24 Webhook Engine',
        },
      })
      const abort = () => {
        req.destroy()
        end('failed', undefined, 'emulator closed')
      }
      this.open.add(abort)
      const timer = setTimeout(() => {
        req.destroy()
        end('timeout', undefined, `no answer in ${this.timeoutMs} ms`)
      }, this.timeoutMs)
      req.on('response', (res) => {
        const status = res.statusCode ?? 0
        res.resume()
        res.on('error', () => undefined)
        if (status >= 200 && status < 300) end('delivered', status)
        else end('failed', status, `HTTP ${status}`)
      })
      req.on('error', (error: NodeJS.ErrnoException) => end('failed', undefined, error.code ?? error.message))
      req.end(job.body)
    })
  }

  private finish(record: EventDelivery, outcome: DeliveryOutcome): void {
    record.outcome = outcome
    this.deps.stats.event(outcome)
    this.log.push(record)
    if (this.log.length > DELIVERIES_KEPT) this.log.shift()
  }

  private wakeIfIdle(): void {
    if (this.queue.length > 0 || this.inFlight > 0) return
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }

  /** Resolves once nothing waits or is in flight; rejects after `timeoutMs` (default 10 s) otherwise. */
  idle(timeoutMs = 10_000): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake)
        reject(new Error(`events still queued or in flight after ${timeoutMs} ms (${this.queue.length} queued)`))
      }, timeoutMs)
      const wake = () => {
        clearTimeout(timer)
        resolve()
      }
      this.waiters.push(wake)
    })
  }

  /** The last 1,000 deliveries, oldest first (a copy). */
  deliveries(): EventDelivery[] {
    return this.log.map((record) => ({ ...record }))
  }

  /** Drops what waits and cuts what is in flight. */
  close(): void {
    this.closed = true
    for (const job of this.queue.splice(0)) this.finish(job.record, 'dropped')
    for (const abort of [...this.open]) abort()
    this.wakeIfIdle()
  }
}
