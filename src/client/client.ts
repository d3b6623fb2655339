import type { AuthContext, Credentials } from '../auth/credentials.js'
import type { PortalMovePolicy } from '../auth/portal-move.js'
import { isBrowserRuntime } from '../auth/webhook-exposure.js'
import { type ConfigInit, checkConfig, toConfigOptions } from '../config.js'
import { apiErrorFromResponse, type BitrixAPIError, BitrixValidationError } from '../errors/index.js'
import type { SdkEventMap } from '../events/index.js'
import {
  createDefaultTransport,
  createFetchTransport,
  type FetchFunction,
  type NodeTransportOptions,
  type Transport,
} from '../http/transport.js'
import {
  type BucketSpec,
  detectPlan,
  type Limiter,
  MemoryStore,
  NO_BUCKET,
  type OperatingBudget,
  type PlanName,
  RateLimiter,
  SELF_HOSTED_OPERATING_LIMIT,
  unlimited,
} from '../limits/index.js'
import type { CallTree, MethodMap } from '../methods/index.js'
import { validateArguments } from '../methods/validate.js'
import {
  type BatchCommand,
  type BatchResult,
  emptyBatchMaps,
  encodeCommands,
  parseBatchResult,
  type RawBatchResult,
} from '../requests/batch.js'
import { type BatchEntry, planBatches, planOneBatch } from '../requests/batch-plan.js'
import { BitrixRequest, type RequestSender } from '../requests/request.js'
import { BitrixResponse } from '../requests/response.js'
import { type BulkOptions, type BulkOutcome, runBulk } from './bulk.js'
import { type CallOptions, Dispatcher } from './dispatcher.js'
import { type ClientHooks, HookSet } from './hooks.js'
import type { PortalMethodTree } from './portal-tree.js'
import { createTree, withSubtree } from './tree.js'
import { createV3Client, type V3Client } from './v3.js'

/**
 * What `new Client(credentials, options)` takes besides the credentials: overrides of the global `Config` for this
 * client, and how it sends and paces requests.
 */
export interface ClientOptions extends Partial<ConfigInit> {
  /** A `fetch` to send requests with (default: a keep-alive `node:https` path on Node, global `fetch` elsewhere). */
  fetch?: FetchFunction
  /** A complete transport; wins over `fetch`. */
  transport?: Transport
  /** TLS settings for the Node transport, e.g. `{ ca }` of a self-signed local portal. */
  tls?: NodeTransportOptions['tls']
  /**
   * An egress proxy for the built-in Node transport: `'http://[user:password@]host:port'`, or `'env'` to follow
   * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`. Never taken from the environment unless asked. Not with `fetch` or
   * `transport` (configure the proxy there); in a browser the browser's own proxy settings apply.
   */
  proxy?: NodeTransportOptions['proxy']
  /**
   * Host names the Node transport connects to at a fixed IP address instead of asking DNS (curl's `--resolve`), e.g.
   * `{ 'p0001.bitrix24.test': '127.0.0.1' }` for a named portal of a multi-portal emulator. The URL, `Host`, TLS
   * SNI and certificate checks keep the portal's name. Ignored by the fetch transport.
   */
  resolve?: NodeTransportOptions['resolve']
  /**
   * The portal's rate plan for the built-in limiter: `'standard'` (default: burst 50, 2 per second),
   * `'enterprise'` (250, 5 per second) or a custom `{ burst, drainPerSecond }`. See also `detectPlan()`.
   */
  plan?: PlanName | BucketSpec
  /**
   * Client-side pacing. Default: a `RateLimiter` for `plan` (and `portal`, `operatingLimit`), shared by every client
   * of the same portal in this process. Pass your own (e.g. with a shared store for several processes), or `false`
   * for none.
   */
  limiter?: Limiter | false
  /**
   * Which limits the default limiter keeps. `'cloud'` (default): the request bucket of `plan` and 480 s of server
   * time per method per 10 minutes. `'self-hosted'`: none unless configured (the docs: "the load is configured on
   * the server side"), that is no bucket unless `plan` is given and no operating limit unless `operatingLimit`.
   * Chosen by you, not guessed from the host: cloud portals can have custom domains.
   */
  portal?: PortalKind
  /**
   * Seconds of server time per method per 10 minutes the portal allows. Cloud: 480 by default. Self-hosted: off
   * unless the administrator enabled it; `true` then means its default, 420 s.
   */
  operatingLimit?: number | true
  /** Called before each wait for a retry, with the reason. */
  onRetry?: (info: { method: string; reason: string; delayMs: number; attempt: number }) => void
  /**
   * Portal moves (a 3xx from the portal) are followed to a Bitrix24 cloud portal, the same registrable domain, or
   * loopback from loopback. Return true here to accept another target (`from`, `to` are origins); anything else
   * ends in `BitrixPortalMoveRefused` and nothing is sent there.
   */
  allowPortalMove?: PortalMovePolicy
  /**
   * Observers of every call: `onRequest`, `onResponse`, `onRetry`, `onLimiterWait`, `onCallEnd` (see `ClientHooks`);
   * one object or several. They see methods, timings, attempts and outcomes, never parameters or secrets.
   */
  hooks?: ClientHooks | readonly ClientHooks[]
  /**
   * Whether REST 3.0 writes carry a generated `Idempotency-Key`, which makes them safe to retry after a network
   * failure. Default: true, except in a browser, where the portal's CORS allow-list (`origin, content-type,
   * accept`) refuses the header; set true there only when your portal allows it. Without a key a REST 3.0 write is
   * retried only when it certainly did not reach the portal. A per-call `idempotencyKey` is always sent.
   */
  idempotencyKeys?: boolean
  /**
   * Seconds after which the portal has certainly stopped running a request (default 60, its cut). A keyed REST 3.0
   * write whose attempt may have reached the portal is re-sent only once this much time has passed since it went
   * out: the portal stores the key's answer only when the call finishes, so an earlier repeat could run it twice.
   */
  portalTimeLimit?: number
}

/** Options of `callBatch` and `callBatches`: the per-call options plus `halt`. */
export interface BatchOptions extends CallOptions {
  /** Stop at the first failing command; the commands after it are not run and are in neither result map. */
  halt?: boolean
}

/** The `result` type a request resolves to: `ResultOf<typeof request>`; `unknown` for anything else. */
export type ResultOf<C> = C extends PromiseLike<{ result: infer R }> ? R : unknown

/** Named commands give a record of results; a list of commands gives results by position. */
export type BatchResults<C> = { [K in keyof C]: ResultOf<C[K]> }

/** The parameters of a catalogued method by name: `MethodParams<'crm.deal.list'>`. */
export type MethodParams<M extends keyof MethodMap> = MethodMap[M] extends { params: infer P }
  ? P
  : Record<string, unknown>
/** What a catalogued method returns in `result`, by name: `MethodResult<'crm.deal.get'>`. */
export type MethodResult<M extends keyof MethodMap> = MethodMap[M] extends { result: infer R } ? R : unknown

/** Any method by name; typed when the name is in the catalogue. */
export interface CallFunction {
  <M extends keyof MethodMap>(
    method: M,
    params?: MethodParams<M>,
    options?: CallOptions,
  ): BitrixRequest<MethodResult<M>>
  <T = unknown>(method: string, params?: Record<string, unknown>, options?: CallOptions): BitrixRequest<T>
}

/** `client.call`: the generic call, which also carries the documented `call.*` methods (`call.followup.get`). */
export type CallMember = CallFunction & CallTree

// The generated method tree on every client (`client.crm.deal.get(…)`): `createTree` below adds a getter per root
// namespace to the class prototype; this declaration gives them their types (the portal's own, once a file written
// by `b24tssdk typegen` fills `PortalEntities` / `PortalSmartProcesses`).
export interface Client extends PortalMethodTree {}

/**
 * A portal client: every REST method by its own name (`client.crm.deal.get({ id: 1 })`), `call` for any
 * name, and batches. Calls are deferred `BitrixRequest`s, sent when awaited.
 *
 * Pass the credentials (`BitrixWebhook`, `BitrixToken`, `BitrixTokenLocal`) and optional per-client settings.
 * Throws `BitrixValidationError` when the credentials or an option are not usable.
 * @example
 * const client = new Client(BitrixWebhook.fromUrl('https://example.bitrix24.com/rest/1/webhook_key/'))
 * const deal = (await client.crm.deal.get({ id: 2 })).result
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface only types the tree getters createTree adds
export class Client {
  readonly #dispatcher: Dispatcher
  readonly #sender: ClientSender
  #call: CallMember | undefined
  #v3: V3Client | undefined
  /** The limiter pacing this client's requests. */
  readonly limiter: Limiter
  /** The credentials the client was made with; refreshed tokens and portal moves update them in place. */
  readonly credentials: Credentials

  constructor(credentials: Credentials, options: ClientOptions = {}) {
    if (typeof credentials?.restUrl !== 'function') {
      throw new BitrixValidationError({
        message: 'new Client(credentials): credentials must be a BitrixWebhook, a BitrixToken or a BitrixTokenLocal',
      })
    }
    const {
      fetch,
      transport,
      tls,
      proxy,
      resolve,
      limiter,
      plan,
      portal,
      operatingLimit,
      onRetry,
      allowPortalMove,
      hooks,
      idempotencyKeys = !isBrowserRuntime(),
      portalTimeLimit = PORTAL_TIME_LIMIT,
      ...settings
    } = options
    checkIdempotencyOptions(idempotencyKeys, portalTimeLimit)
    checkConfig(settings)
    const overrides = toConfigOptions(settings)
    if (allowPortalMove !== undefined && typeof allowPortalMove !== 'function') {
      throw new BitrixValidationError({
        message: 'allowPortalMove must be a function (from, to) => boolean',
        parameter: 'allowPortalMove',
        expected: 'function',
        received: typeof allowPortalMove,
      })
    }
    if (proxy !== undefined && proxy !== false && (fetch !== undefined || transport !== undefined)) {
      throw new BitrixValidationError({
        message:
          'proxy applies to the built-in Node transport; with your own fetch or transport, configure the proxy there',
        parameter: 'proxy',
      })
    }
    this.credentials = credentials
    const limits = checkPortalLimits(portal, operatingLimit, limiter)
    this.limiter = limiter === false ? unlimited : (limiter ?? defaultLimiter(credentials.domain, plan, limits))
    this.#dispatcher = new Dispatcher({
      credentials,
      transport: transport ?? (fetch ? createFetchTransport(fetch) : createDefaultTransport({ tls, proxy, resolve })),
      limiter: this.limiter,
      overrides,
      validate: validateArguments,
      onRetry,
      allowPortalMove,
      hooks: HookSet.from(hooks, () => this.#dispatcher.setting('logger')),
      idempotencyKeys,
      portalTimeLimit,
    })
    this.#sender = new ClientSender(this.#dispatcher)
  }

  /**
   * Any method by name, typed when the name is in the catalogue: `client.call('crm.deal.get', { id: 1 })`. It also
   * carries the documented `call.*` namespace: `client.call.followup.get(…)`.
   */
  get call(): CallMember {
    this.#call ??= withSubtree(
      this,
      'call',
      (method: string, params?: Record<string, unknown>, options?: CallOptions) =>
        this.#request(method, params, options),
    ) as CallMember
    return this.#call
  }

  /**
   * REST 3.0 (`/rest/api/`): every documented REST 3.0 method by name with its REST 3.0 types
   * (`client.v3.tasks.task.get({ id: 1, select: ['title', 'responsible.name'] })`), `call` for any name, and
   * the REST 3.0 batch. Writes carry an `Idempotency-Key` (see `idempotencyKeys`).
   */
  get v3(): V3Client {
    this.#v3 ??= createV3Client((method, params, options) => this.#request(method, params, options), this.#dispatcher)
    return this.#v3
  }

  #request(method: string, params: Record<string, unknown> = {}, options: CallOptions = {}): BitrixRequest<unknown> {
    if (typeof method !== 'string' || !/^[A-Za-z0-9_.]+$/.test(method)) {
      throw new BitrixValidationError({
        message: `method must be a REST method name such as "crm.deal.get", received ${JSON.stringify(method)}`,
        parameter: 'method',
      })
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new BitrixValidationError({
        message: `parameters must be an object of the API's own parameter names`,
        method,
        expected: 'object',
        received: params,
      })
    }
    return new BitrixRequest(this.#sender, method, params, options)
  }

  /**
   * The context credentials sign and refresh with, as this client's own calls do (its transport, timeouts and
   * logger); for helpers that send requests beside the client, such as the file transfers of `b24tssdk`.
   * @internal
   */
  authContext(): AuthContext {
    return this.#dispatcher.authContext()
  }

  /**
   * Asks the portal for its plan (`app.info`) and sets the built-in limiter to it; returns the plan. Call it once
   * at start when the plan isn't known in advance.
   */
  async detectPlan(): Promise<PlanName> {
    const plan = detectPlan((await this.call('app.info', {})).result)
    if (this.limiter instanceof RateLimiter) this.limiter.setPlan(plan)
    return plan
  }

  /** Subscribes to `oauthTokenRenewed` or `portalDomainChanged`; returns the unsubscribe function. */
  on<K extends keyof SdkEventMap>(name: K, handler: (event: SdkEventMap[K]) => void | Promise<void>): () => void {
    return this.credentials.events.on(name, handler)
  }

  /**
   * Up to 50 commands in one HTTP request. Named commands (`{ a: req1, b: req2 }`) come back by name, a list
   * by position. Use `ref(request).FIELD` to pass one command's result to another (it must come earlier).
   */
  async callBatch<const C extends Record<string, BatchCommand> | readonly BatchCommand[]>(
    commands: C,
    options: BatchOptions = {},
  ): Promise<BitrixResponse<BatchResult<BatchResults<C>>>> {
    const entries = commandEntries(commands)
    planOneBatch(entries)
    const response = await this.#sendBatch(entries, options)
    const result = Array.isArray(commands) ? toPositional(response.result, entries.length) : response.result
    return new BitrixResponse(result as BatchResult<BatchResults<C>>, response.time, response.total, response.next)
  }

  /** One `batch` request for entries already checked by `planBatches`; the maps are keyed like the entries. */
  async #sendBatch(
    entries: readonly BatchEntry[],
    options: BatchOptions,
  ): Promise<BitrixResponse<BatchResult<Record<string, unknown>>>> {
    const response = await this.#dispatcher.send<RawBatchResult>(
      'batch',
      { halt: options.halt ? 1 : 0, cmd: encodeCommands(entries) },
      options,
      entries.map(([, command]) => command.method),
    )
    const commands = entries.map(([key, command]) => [key, command.method] as const)
    const parsed = parseBatchResult<Record<string, unknown>>(response.result ?? {}, commands, { halt: options.halt })
    return new BitrixResponse(parsed, response.time, response.total, response.next)
  }

  /**
   * Any number of calls, typically writes, packed 50 per batch: one outcome per call, in input order, each
   * `{ ok: true, result }` or `{ ok: false, error, unknown }` (`unknown`: the call may have been applied). A batch
   * is re-sent only when the portal certainly did not run it, so nothing is written twice. A call and the calls it
   * references with `ref()` go in the same batch.
   * @example
   * const outcomes = await client.callMany(rows.map((fields) => client.crm.deal.add({ fields })))
   * const failed = outcomes.filter((outcome) => !outcome.ok)
   */
  async callMany<const C extends readonly BatchCommand[]>(
    commands: C,
    options: BulkOptions = {},
  ): Promise<Array<BulkOutcome<ResultOf<C[number]>>>> {
    const entries = commandEntries(commands)
    return runBulk<ResultOf<C[number]>>(
      entries.map(([, command]) => command),
      async (chunk, signal) => (await this.#sendBatch(chunk, { signal })).result,
      options,
    )
  }

  /**
   * Any number of commands, sent 50 per batch in order; the results are merged by name or position. A command and
   * the commands it references with `ref()` are sent in one batch; references that can't be (to a command not in
   * the call, or chains longer than 50) are refused with `BitrixValidationError` before anything is sent.
   */
  async callBatches<const C extends Record<string, BatchCommand> | readonly BatchCommand[]>(
    commands: C,
    options: BatchOptions = {},
  ): Promise<BatchResult<BatchResults<C>>> {
    const entries = commandEntries(commands)
    const merged = emptyBatchMaps()
    for (const chunk of planBatches(entries)) {
      const response = await this.#sendBatch(chunk, options)
      for (const part of Object.keys(merged) as (keyof BatchResult<unknown>)[]) {
        Object.assign(merged[part], response.result[part])
      }
      if (options.halt && Object.keys(response.result.resultError).length > 0) break
    }
    return (Array.isArray(commands) ? toPositional(merged, entries.length) : merged) as unknown as BatchResult<
      BatchResults<C>
    >
  }
}

/** What deferred requests and list readers send through; kept off the client so it can't clash with method names. */
class ClientSender implements RequestSender {
  readonly #dispatcher: Dispatcher

  constructor(dispatcher: Dispatcher) {
    this.#dispatcher = dispatcher
  }

  sendCall<T>(method: string, params: Record<string, unknown>, options: CallOptions): Promise<BitrixResponse<T>> {
    return this.#dispatcher.send<T>(method, params, options)
  }

  send<T>(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<BitrixResponse<T>> {
    return this.#dispatcher.send<T>(method, params, { signal })
  }

  batch(
    cmd: Record<string, string>,
    methods: readonly string[],
    signal?: AbortSignal,
  ): Promise<BitrixResponse<RawBatchResult>> {
    return this.#dispatcher.send<RawBatchResult>('batch', { halt: 0, cmd }, { signal }, methods)
  }

  commandError(raw: unknown, method: string): BitrixAPIError {
    return apiErrorFromResponse(0, raw as { error: string; error_description?: string }, method)
  }

  operatingBudget(method: string): Promise<OperatingBudget | undefined> {
    return this.#dispatcher.operatingBudget(method)
  }
}

/** Seconds: the portal cuts every request at 60 s (`docs/limits.md`). */
const PORTAL_TIME_LIMIT = 60

function checkIdempotencyOptions(idempotencyKeys: unknown, portalTimeLimit: unknown): void {
  if (typeof idempotencyKeys !== 'boolean') {
    throw new BitrixValidationError({
      message: 'idempotencyKeys must be true or false',
      parameter: 'idempotencyKeys',
      expected: 'boolean',
      received: idempotencyKeys,
    })
  }
  if (typeof portalTimeLimit !== 'number' || !Number.isFinite(portalTimeLimit) || portalTimeLimit < 0) {
    throw new BitrixValidationError({
      message: 'portalTimeLimit must be a number of seconds, 0 or more (default 60)',
      parameter: 'portalTimeLimit',
      expected: 'number ≥ 0',
      received: portalTimeLimit,
    })
  }
}

/** Default limiters share one store, so every client of a portal in this process shares its limits. */
const sharedStore = new MemoryStore()

/** Where the client runs its calls: a Bitrix24 cloud portal, or a self-hosted one (Bitrix24 on your own server). */
export type PortalKind = 'cloud' | 'self-hosted'

interface PortalLimits {
  portal: PortalKind
  /** Seconds, or undefined for the kind's default. */
  operatingLimit?: number
}

function checkPortalLimits(
  portal: PortalKind | undefined,
  operatingLimit: number | true | undefined,
  limiter: ClientOptions['limiter'],
): PortalLimits {
  if (portal !== undefined && portal !== 'cloud' && portal !== 'self-hosted') {
    throw new BitrixValidationError({
      message: `portal must be 'cloud' or 'self-hosted', received ${JSON.stringify(portal)}`,
      parameter: 'portal',
      expected: "'cloud' | 'self-hosted'",
    })
  }
  if (operatingLimit !== undefined && operatingLimit !== true && !(operatingLimit > 0 && operatingLimit < Infinity)) {
    throw new BitrixValidationError({
      message: 'operatingLimit must be seconds > 0, or true for a self-hosted portal’s default (420 s)',
      parameter: 'operatingLimit',
      expected: 'number > 0 | true',
      received: operatingLimit,
    })
  }
  if (operatingLimit !== undefined && limiter !== undefined) {
    throw new BitrixValidationError({
      message: 'operatingLimit configures the default limiter; with your own limiter, set it there',
      parameter: 'operatingLimit',
    })
  }
  const kind = portal ?? 'cloud'
  if (operatingLimit === true) {
    return { portal: kind, operatingLimit: kind === 'self-hosted' ? SELF_HOSTED_OPERATING_LIMIT : undefined }
  }
  return { portal: kind, operatingLimit }
}

function defaultLimiter(domain: string, plan: PlanName | BucketSpec | undefined, limits: PortalLimits): Limiter {
  if (limits.portal === 'self-hosted') {
    if (plan === undefined && limits.operatingLimit === undefined) return unlimited
    return new RateLimiter({
      plan: plan ?? NO_BUCKET,
      operatingLimit: limits.operatingLimit ?? Number.POSITIVE_INFINITY,
      key: domain,
      store: sharedStore,
    })
  }
  return new RateLimiter({
    plan: plan ?? 'standard',
    operatingLimit: limits.operatingLimit,
    key: domain,
    store: sharedStore,
  })
}

function commandEntries(
  commands: Record<string, BatchCommand> | readonly BatchCommand[],
): Array<[string, BatchCommand]> {
  if (typeof commands !== 'object' || commands === null) {
    throw new BitrixValidationError({
      message: 'batch commands must be an object of named requests or an array of requests',
      method: 'batch',
    })
  }
  const entries = Array.isArray(commands)
    ? commands.map((command, index) => [String(index), command] as [string, BatchCommand])
    : Object.entries(commands)
  for (const [key, command] of entries) {
    if (typeof command?.method !== 'string') {
      throw new BitrixValidationError({
        message: `batch command "${key}" must be a request such as client.crm.deal.get({ id: 1 })`,
        method: 'batch',
        parameter: key,
      })
    }
  }
  return entries
}

function toPositional<T extends object>(maps: T, length: number): T {
  const out: Record<string, unknown[]> = {}
  for (const [part, map] of Object.entries(maps as Record<string, Record<string, unknown>>)) {
    const list: unknown[] = new Array(length)
    for (const [key, value] of Object.entries(map)) list[Number(key)] = value
    out[part] = list
  }
  return out as unknown as T
}

createTree(Client)
