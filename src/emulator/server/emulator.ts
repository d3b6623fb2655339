/** `startEmulator`: assembles the portal (methods, credentials, limits, faults, stats) behind a real HTTP(S) server. */
import type { MethodDefinition, MethodTable } from '../kernel.js'
import { createPortal } from '../methods/index.js'
import { createV3Methods, type V3MethodTable } from '../methods/v3/index.js'
import { type AppOptions, type AppStatus, CredentialStore, type WebhookOptions } from './auth.js'
import { CallRunner } from './calls.js'
import { EmulatorClock } from './clock.js'
import { catalogueRecord, docExampleMethodTable, docExampleScope } from './doc-examples.js'
import { type Endpoint, Endpoints } from './endpoints.js'
import { type FaultHandle, FaultInjector, type FaultSpec } from './faults.js'
import { IdempotencyStore } from './idempotency.js'
import { OperatingTracker, SourceBuckets } from './limits.js'
import type { OAuthEnv } from './oauth.js'
import { type EmulatorOptions, type ResolvedOptions, resolveOptions } from './options.js'
import {
  type ProgrammedAnswer,
  ProgrammedAnswers,
  type ProgrammedHandle,
  type ProgrammedHandler,
  type ReceivedCall,
  ReceivedLog,
} from './programmed.js'
import { RandomSource } from './random.js'
import { RestV3 } from './rest-v3.js'
import { type PortalState, Router } from './router.js'
import { BASIC_SCOPE, KNOWN_SCOPES, listScopes } from './scopes.js'
import { type EmulatorStats, StatsRecorder } from './stats.js'
import { createSystemMethods, EventRegistry, type License } from './system-methods.js'

/** A webhook created on the emulated portal: its URL and what it may do. */
export interface WebhookCredentials {
  /** Ready-to-use webhook URL, `http://127.0.0.1:PORT/rest/USER_ID/SECRET/`. */
  url: string
  /** The portal user the webhook acts as. */
  userId: number
  /** The key in the URL (a test secret: the emulator's secrets are never real ones). */
  secret: string
  /** Scope codes, or `'all'`. */
  scopes: string[] | 'all'
}

/** An application registered on the emulated portal (and its OAuth server). */
export interface AppCredentials {
  clientId: string
  clientSecret: string
  /** Sent with events; what apps verify incoming calls with. */
  applicationToken: string
  scopes: string[] | 'all'
  redirectUri: string | undefined
  status: AppStatus
}

/** A token pair issued by the emulator's OAuth server, as on an install. */
export interface IssuedToken {
  accessToken: string
  refreshToken: string
  /** Emulator Unix seconds when the access token expires. */
  expires: number
  expiresIn: number
  memberId: string
  /** Portal host name as reported (`emu.domain`). */
  domain: string
  clientEndpoint: string
  serverEndpoint: string
  /** Comma-separated scopes. */
  scope: string
  status: AppStatus
  applicationToken: string
  userId: number
}

/** Where `changeDomain` moves the portal. */
export interface PortalAddress {
  /** Loopback address to listen on; default the current one. */
  address?: string
  /** Port; default the current one when `address` is given, else any free port. */
  port?: number
  /** Host name reported from then on; default `address:port`. */
  domain?: string
}

/**
 * A running emulated portal, as `startEmulator` returns it: its addresses, credentials it can mint, its clock,
 * limits, faults, programmed answers, the calls it received, and its counters.
 */
export interface Emulator {
  /** Base address, no trailing slash: `http://127.0.0.1:PORT`. Changes after `changeDomain`. */
  readonly url: string
  /** Portal host name it reports (default `127.0.0.1:PORT`). */
  readonly domain: string
  /** An administrator webhook (user 1, every scope): `http://127.0.0.1:PORT/rest/1/SECRET/`. */
  readonly webhookUrl: string
  /** The portal's member_id. */
  readonly memberId: string
  /** Stops every server (current and old addresses) and drops open connections. */
  close(): Promise<void>
  /** A new inbound webhook (default: user 1, every scope). */
  createWebhook(options?: WebhookOptions): WebhookCredentials
  /** Registers an application (default: every scope, status `L`); issue its tokens with `issueToken`. */
  createApp(options?: AppOptions): AppCredentials
  /** A token pair as if the app had just been installed by `userId` (default 1). */
  issueToken(options: { clientId: string; userId?: number }): IssuedToken
  /**
   * Moves the portal; every old address then answers 302 with `Location` on the new one (the OAuth server's
   * `/oauth/token/` excepted). A string is the host name reported from then on, on a new port. `{ address }`
   * moves to another loopback address on the same port (`127.0.0.2`: all of 127.0.0.0/8 is loopback), so
   * clients that keep only the host of the `Location` can follow when the port is the scheme's default (443);
   * `port` picks another port, `domain` the reported host name. Resolves to the new `url`.
   */
  changeDomain(target?: string | PortalAddress): Promise<string>
  /** Every access token issued so far expires now (refresh tokens keep working). */
  expireTokens(): void
  /** Moves emulator time forward (tokens, codes, bucket, operating window all see it). */
  advanceTime(seconds: number): void
  /** Emulator time, Unix seconds. */
  now(): number
  /** Empties the leaky buckets and forgets recorded operating time. */
  resetLimits(): void
  /**
   * `overloaded`: every REST request answers `503 OVERLOAD_LIMIT`; `deleted`: `PORTAL_DELETED`
   * (`portalDeletedStatus`); `active` (the initial state) serves again. Nothing runs in the first two.
   */
  setPortalState(state: PortalState): void
  readonly portalState: PortalState
  readonly faults: {
    /** Injects a fault into the requests that match it (see `FaultSpec`); the handle counts hits and removes it. */
    inject(fault: FaultSpec): FaultHandle
    /** Removes every injected fault. */
    clear(): void
  }
  /**
   * Programs `method` (any case): every later call answers `answer(params, call)` — its return value is the
   * `result`, a thrown `RestError` the error, `withPaging(…)` adds `total` / `next` — or the fixed value
   * `answer`. It wins over the portal's own implementation and over docs examples, and is checked against the
   * scope and auth types of the method it replaces (or of its catalogue record; `basic` for unknown names).
   */
  on(method: string, handler: ProgrammedHandler): ProgrammedHandle
  /** Programs `method` to answer the fixed `result` (see the handler form above). */
  on(method: string, result: unknown): ProgrammedHandle
  /**
   * The methods the emulator answers from its own portal state (data and system methods), sorted; not those
   * answered by docs examples, `on` or the `methods` option.
   */
  implementedMethods(): string[]
  /** Forgets what `on` programmed for `method`. */
  off(method: string): void
  /**
   * Every method call received so far, oldest first (the last `receivedLimit`): batch sub-commands as calls of
   * their own, parameters as PHP decoded them, credentials removed. A copy.
   */
  readonly received: ReceivedCall[]
  /** Forgets the calls received so far. */
  clearReceived(): void
  /** A snapshot of the counters (same as `getStats()`). */
  readonly stats: EmulatorStats
  /** A snapshot of the counters: requests, statuses, refreshes, canned answers, … */
  getStats(): EmulatorStats
  /** Sets every counter back to zero. */
  resetStats(): void
}

const LICENSES: Record<string, License> = {
  enterprise: { LICENSE: 'en_ent250', LICENSE_TYPE: 'ent250', LICENSE_FAMILY: 'ent' },
  standard: { LICENSE: 'en_std', LICENSE_TYPE: 'std', LICENSE_FAMILY: 'std' },
}

/**
 * Starts an emulated Bitrix24 portal on loopback (HTTP, or HTTPS with the bundled test certificate) and resolves
 * once it listens.
 *
 * @example
 * const emu = await startEmulator({ seed: { deals: 1000 } })
 * const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl))
 * await emu.close()
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const config = resolveOptions(options)
  const clock = new EmulatorClock(config.timeScale, config.realDelays)
  const random = new RandomSource(config.randomSeed)
  const faultRandom = new RandomSource(config.randomSeed === undefined ? undefined : config.randomSeed + 1)
  const stats = new StatsRecorder()
  const credentials = new CredentialStore(random, clock, {
    tokenLifetime: config.tokenLifetime,
    refreshTokenLifetime: config.refreshTokenLifetime,
    codeLifetime: 30,
    authErrorStatus: config.authErrorStatus,
  })
  const bucket = config.bucket && new SourceBuckets(config.bucket)
  const operating =
    config.operatingLimit === false
      ? undefined
      : new OperatingTracker({ limit: config.operatingLimit, minimalFixTime: config.minimalFixTime })
  const { methods, v3Methods, allScopes, tzMinutes, userDefinitions, implemented } = assembleMethods(config)
  const programmed = new ProgrammedAnswers()
  const received = new ReceivedLog(config.receivedLimit)
  clock.tzMinutes = tzMinutes
  const memberId = random.hex(32)

  // The request handler reaches the router lazily: requests only arrive once `open` below has run.
  const endpoints = new Endpoints(config, stats, (req, res) => {
    router.handle(req, res).catch(() => router.fail(res))
  })
  const current = (): Endpoint => endpoints.current()
  const oauth: OAuthEnv = {
    credentials,
    stats,
    url: () => current().url,
    domain: () => current().domain,
    memberId,
    allScopes,
  }
  const faults = new FaultInjector(faultRandom)
  let portalState: PortalState = 'active'
  const runnerDeps = { userDefinitions, received, clock, operating, stats, authErrorStatus: config.authErrorStatus }
  // REST 3.0 answers from its own table; `emu.on` programs v2 methods only.
  const restV3 = new RestV3({
    methods: v3Methods,
    calls: new CallRunner({ ...runnerDeps, methods: v3Methods, programmed: new ProgrammedAnswers() }),
    credentials,
    clock,
    stats,
    received,
    idempotency: new IdempotencyStore(),
    requestTimeLimit: config.requestTimeLimit,
  })
  const router = new Router({
    stats,
    received,
    faults,
    bucket,
    clock,
    credentials,
    calls: new CallRunner({ ...runnerDeps, methods, programmed }),
    restV3,
    oauth,
    maxBodyBytes: config.maxBodyBytes,
    movePortal: () => endpoints.open(0, undefined),
    inputLimits: { maxInputVars: config.maxInputVars, maxNestingLevel: config.maxInputNestingLevel },
    portalState: () => portalState,
    portalDeletedStatus: config.portalDeletedStatus,
    requestTimeLimit: config.requestTimeLimit,
  })
  for (const fault of config.faults) faults.inject(fault)
  await endpoints.open(config.port, config.domain)
  const admin = credentials.createWebhook({ userId: 1, scopes: 'all' })
  const webhookUrlOf = (userId: number, secret: string) => `${current().url}/rest/${userId}/${secret}/`

  return {
    get url() {
      return current().url
    },
    get domain() {
      return current().domain
    },
    get webhookUrl() {
      return webhookUrlOf(admin.userId, admin.secret)
    },
    memberId,
    close: () => endpoints.close(),
    createWebhook(webhookOptions) {
      const record = credentials.createWebhook(webhookOptions)
      const scopes = record.scopes === 'all' ? 'all' : [...record.scopes]
      return { url: webhookUrlOf(record.userId, record.secret), userId: record.userId, secret: record.secret, scopes }
    },
    createApp(appOptions) {
      const app = credentials.createApp(appOptions)
      return {
        clientId: app.clientId,
        clientSecret: app.clientSecret,
        applicationToken: app.applicationToken,
        scopes: app.scopes === 'all' ? 'all' : [...app.scopes],
        redirectUri: app.redirectUri,
        status: app.status,
      }
    },
    issueToken({ clientId, userId = 1 }) {
      const app = credentials.getApp(clientId)
      if (!app) throw new Error(`No application with client id ${clientId}; create it with createApp first`)
      const tokens = credentials.issueTokens(app, userId)
      return {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expires: tokens.expires,
        expiresIn: tokens.expiresIn,
        memberId,
        domain: current().domain,
        clientEndpoint: `${current().url}/rest/`,
        serverEndpoint: `${current().url}/rest/`,
        scope: listScopes(app.scopes, allScopes()).join(','),
        status: app.status,
        applicationToken: app.applicationToken,
        userId,
      }
    },
    async changeDomain(target) {
      if (target === undefined || typeof target === 'string') return (await endpoints.open(0, target)).url
      const port = target.port ?? (target.address === undefined ? 0 : current().port)
      return (await endpoints.open(port, target.domain, target.address)).url
    },
    expireTokens: () => credentials.expireAccessTokens(),
    advanceTime: (seconds) => clock.advance(seconds),
    now: () => clock.now(),
    resetLimits() {
      bucket?.reset()
      operating?.reset()
    },
    setPortalState(state) {
      if (state !== 'active' && state !== 'overloaded' && state !== 'deleted') {
        throw new RangeError(`portal state must be active, overloaded or deleted; got ${String(state)}`)
      }
      portalState = state
    },
    get portalState() {
      return portalState
    },
    faults: {
      inject: (fault) => faults.inject(fault),
      clear: () => faults.clear(),
    },
    on(method: string, answer: ProgrammedAnswer) {
      const replaced = methods.get(String(method).toLowerCase())
      const record = replaced ? undefined : catalogueRecord(String(method))
      const access = replaced
        ? { scope: replaced.scope, authTypes: replaced.authTypes }
        : { scope: record ? docExampleScope(record) : BASIC_SCOPE }
      return programmed.on(method, answer, access, config.costs.base)
    },
    off: (method) => programmed.off(method),
    implementedMethods: () => [...implemented],
    get received() {
      return received.list()
    },
    clearReceived: () => received.clear(),
    get stats() {
      return stats.snapshot()
    },
    getStats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
  }
}

/**
 * The portal's methods, then the system methods over them, then the caller's own over everything; in
 * docs-example mode (opt-in) every other catalogued method falls through to its documented example
 * (doc-examples.ts). Answers programmed with `emu.on` sit above all of these (programmed.ts).
 */
function assembleMethods(config: ResolvedOptions): {
  methods: MethodTable
  /** The REST 3.0 methods, over the same portal state. */
  v3Methods: V3MethodTable
  allScopes: () => string[]
  tzMinutes: number
  userDefinitions: ReadonlySet<MethodDefinition>
  /** Names answered from portal state: the portal's and the system methods not replaced by the caller's. */
  implemented: string[]
} {
  const portal = createPortal({ seed: config.seed, costs: config.costs, randomSeed: config.randomSeed ?? 1 })
  const methods: MethodTable = config.docExamples ? docExampleMethodTable(config.costs.base) : new Map()
  for (const [name, definition] of portal.methods) methods.set(name, definition)
  const license = LICENSES[config.plan] ?? LICENSES.standard
  let scopes: string[] | undefined
  const allScopes = () => {
    scopes ??= scopeCatalogue(methods)
    return scopes
  }
  const system = createSystemMethods({
    methods: () => methods,
    allScopes,
    license: () => license,
    events: new EventRegistry(),
  })
  for (const [name, definition] of system) methods.set(name, definition)
  const userDefinitions = new Set<MethodDefinition>()
  for (const [name, definition] of config.methods ?? []) {
    methods.set(name.toLowerCase(), definition)
    userDefinitions.add(definition)
  }
  const own = new Set([...portal.methods.keys(), ...system.keys()].map((name) => name.toLowerCase()))
  for (const name of config.methods?.keys() ?? []) own.delete(name.toLowerCase())
  return {
    methods,
    v3Methods: createV3Methods(portal),
    allScopes,
    tzMinutes: portal.env.tz,
    userDefinitions,
    implemented: [...own].sort(),
  }
}

/** Every scope code: the documented ones plus any the method table uses. */
function scopeCatalogue(methods: MethodTable): string[] {
  const scopes = new Set(KNOWN_SCOPES)
  for (const definition of methods.values()) {
    if (definition.scope !== BASIC_SCOPE) scopes.add(definition.scope.toLowerCase())
  }
  return [...scopes].sort()
}
