/**
 * One emulated portal and everything it owns — data and methods, credentials, leaky buckets, operating-time
 * budgets, event bindings and deliveries, offline events, REST 3.0 (its methods and idempotency store), stored
 * files, faults, programmed answers, received calls, counters and its request router — in one
 * object, so that a multi-portal emulator holds one of these per portal and features that belong to a portal
 * attach here. What portals share (the clock, the listening address, the OAuth server's app registry and the
 * apps' install URLs) comes in `PortalShared`.
 */
import type { MethodDefinition, MethodTable } from '../kernel.js'
import type { FileVault } from '../methods/disk-vault.js'
import { createPortal } from '../methods/index.js'
import { createV3Methods, type V3MethodTable } from '../methods/v3/index.js'
import { type AppRegistry, CredentialStore, type WebhookRecord } from './auth.js'
import { CallRunner } from './calls.js'
import type { EmulatorClock } from './clock.js'
import { Transfers } from './disk-transfer.js'
import { docExampleMethodTable } from './doc-examples.js'
import { EventDispatcher, PortalEvents } from './events.js'
import { FaultInjector } from './faults.js'
import { IdempotencyStore } from './idempotency.js'
import { OperatingTracker, SourceBuckets } from './limits.js'
import type { OAuthEnv } from './oauth.js'
import type { ResolvedOptions } from './options.js'
import { ProgrammedAnswers, ReceivedLog } from './programmed.js'
import { RandomSource } from './random.js'
import { RestV3 } from './rest-v3.js'
import { type PortalState, Router } from './router.js'
import { BASIC_SCOPE, KNOWN_SCOPES } from './scopes.js'
import { StatsRecorder } from './stats.js'
import { createSystemMethods, type License } from './system-methods.js'

/** What every portal of one emulator shares. */
export interface PortalShared {
  config: ResolvedOptions
  clock: EmulatorClock
  /** The OAuth server's applications (one registry: an app is installed on many portals). */
  apps: AppRegistry
  /** Each app's "path for initial installation" (`createApp({ installUrl })`), where `ONAPPINSTALL` is posted. */
  installUrls: Map<string, string>
  /** Base URL of the shared OAuth server (the emulator's loopback address). */
  serverUrl(): string
  /** The portal that issued a code or refresh token (the shared OAuth server's lookup). */
  grantOwner(key: unknown): OAuthEnv | undefined
  /** Moves the emulator to a new address (the `moveDomain` fault). */
  movePortal(): Promise<unknown>
}

/** Which portal to build: its index (0 = the default portal) and where it is reached. */
export interface PortalSpec {
  /** 0 for the default portal (answers every host name no other portal has), 1… for named portals. */
  index: number
  /** Base URL clients reach the portal at, no trailing slash. */
  url(): string
  /** Host name the portal reports. */
  domain(): string
}

/** One portal's state: what `emu.portal(host)` reads and what the router of its requests works on. */
export interface EmulatedPortal {
  readonly index: number
  readonly memberId: string
  readonly url: () => string
  readonly domain: () => string
  readonly credentials: CredentialStore
  /** One leaky bucket per source address; absent when the plan is `off`. */
  readonly bucket: SourceBuckets | undefined
  readonly operating: OperatingTracker | undefined
  readonly methods: MethodTable
  /** Names answered from portal state (data and system methods), sorted. */
  readonly implemented: readonly string[]
  readonly programmed: ProgrammedAnswers
  readonly received: ReceivedLog
  readonly stats: StatsRecorder
  readonly faults: FaultInjector
  /** This portal's `event.bind` registrations, offline events and installed apps. */
  readonly events: PortalEvents
  /** Posts this portal's events to its apps' handlers. */
  readonly dispatcher: EventDispatcher
  /** The bytes of this portal's files (a temp dir, removed by `close`). */
  readonly files: FileVault
  /** Minutes east of UTC of the dates this portal prints and reads. */
  readonly tzMinutes: number
  readonly oauth: OAuthEnv
  readonly router: Router
  /** The administrator webhook (user 1, every scope). */
  readonly admin: WebhookRecord
  state: PortalState
}

const LICENSES: Record<string, License> = {
  enterprise: { LICENSE: 'en_ent250', LICENSE_TYPE: 'ent250', LICENSE_FAMILY: 'ent' },
  standard: { LICENSE: 'en_std', LICENSE_TYPE: 'std', LICENSE_FAMILY: 'std' },
}

/** Seeds of portal `index`: the default portal keeps the emulator's own, named portals get a stream each. */
function portalSeed(randomSeed: number | undefined, index: number, offset: number): number | undefined {
  if (randomSeed === undefined) return undefined
  return index === 0 ? randomSeed + offset : randomSeed + index * 1_000_003 + offset
}

/** Builds one portal; nothing listens yet (the emulator's endpoints route requests to `router`). */
export function createEmulatedPortal(shared: PortalShared, spec: PortalSpec): EmulatedPortal {
  const { config, clock } = shared
  const random = new RandomSource(portalSeed(config.randomSeed, spec.index, 0))
  const faults = new FaultInjector(new RandomSource(portalSeed(config.randomSeed, spec.index, 1)))
  const stats = new StatsRecorder()
  const credentials = new CredentialStore(
    random,
    clock,
    {
      tokenLifetime: config.tokenLifetime,
      refreshTokenLifetime: config.refreshTokenLifetime,
      codeLifetime: 30,
      authErrorStatus: config.authErrorStatus,
    },
    shared.apps,
  )
  const bucket = config.bucket && new SourceBuckets(config.bucket)
  const operating =
    config.operatingLimit === false
      ? undefined
      : new OperatingTracker({ limit: config.operatingLimit, minimalFixTime: config.minimalFixTime })
  const events = new PortalEvents(config.events?.offlineLimit)
  const { methods, v3Methods, allScopes, tzMinutes, userDefinitions, implemented, files } = assembleMethods(
    config,
    spec.index,
    events,
    clock,
  )
  const programmed = new ProgrammedAnswers()
  const received = new ReceivedLog(config.receivedLimit)
  // Every portal has the time zone of `timezoneOffsetMinutes`; the shared clock prints the `time` blocks with it.
  clock.tzMinutes = tzMinutes
  const memberId = random.hex(32)
  const env = {
    credentials,
    stats,
    url: spec.url,
    domain: spec.domain,
    serverUrl: shared.serverUrl,
    memberId,
    allScopes,
  }
  const dispatcher = new EventDispatcher({ ...env, events, clock, options: config.events })
  const oauth: OAuthEnv = {
    ...env,
    grantOwner: shared.grantOwner,
    // The authorize page of this portal installs an app not installed here yet: `ONAPPINSTALL` from this portal.
    onAuthorize: (app, userId) => {
      if (!events.installed.has(app.clientId)) dispatcher.install(app, userId, shared.installUrls.get(app.clientId))
    },
  }
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
  files.origin = spec.url
  const portal: EmulatedPortal = {
    index: spec.index,
    memberId,
    url: spec.url,
    domain: spec.domain,
    credentials,
    bucket,
    operating,
    methods,
    implemented,
    programmed,
    received,
    stats,
    faults,
    events,
    dispatcher,
    files,
    tzMinutes,
    oauth,
    router: new Router({
      stats,
      received,
      faults,
      bucket,
      clock,
      credentials,
      calls: new CallRunner({
        ...runnerDeps,
        methods,
        programmed,
        onStateChange: (method, params, result, caller) => dispatcher.changed(method, params, result, caller),
      }),
      restV3,
      oauth,
      maxBodyBytes: config.maxBodyBytes,
      movePortal: shared.movePortal,
      inputLimits: { maxInputVars: config.maxInputVars, maxNestingLevel: config.maxInputNestingLevel },
      portalState: () => portal.state,
      portalDeletedStatus: config.portalDeletedStatus,
      requestTimeLimit: config.requestTimeLimit,
      transfers: new Transfers({ vault: files, credentials, clock }),
    }),
    admin: credentials.createWebhook({ userId: 1, scopes: 'all' }),
    state: 'active',
  }
  for (const fault of config.faults) faults.inject(fault)
  return portal
}

/**
 * The portal's methods, then the system methods over them, then the caller's own over everything; in
 * docs-example mode (opt-in) every other catalogued method falls through to its documented example
 * (doc-examples.ts). Answers programmed with `emu.on` sit above all of these (programmed.ts).
 */
function assembleMethods(
  config: ResolvedOptions,
  index: number,
  events: PortalEvents,
  clock: EmulatorClock,
): {
  methods: MethodTable
  /** The REST 3.0 methods, over the same portal state. */
  v3Methods: V3MethodTable
  allScopes: () => string[]
  tzMinutes: number
  userDefinitions: ReadonlySet<MethodDefinition>
  /** Names answered from portal state: the portal's and the system methods not replaced by the caller's. */
  implemented: string[]
  /** The bytes of the portal's files. */
  files: FileVault
} {
  const portal = createPortal({
    seed: config.seed,
    costs: config.costs,
    // The default portal keeps the emulator's data; each named portal generates its own.
    randomSeed: (config.randomSeed ?? 1) + index,
    timezoneOffsetMinutes: config.timezoneOffsetMinutes,
    maxStoredFileBytes: config.maxStoredFileBytes,
  })
  const methods: MethodTable = config.docExamples ? docExampleMethodTable(config.costs.base) : new Map()
  for (const [name, definition] of portal.methods) methods.set(name, definition)
  const license = LICENSES[config.plan] ?? LICENSES.standard
  const processIds = new RandomSource(portalSeed(config.randomSeed, index, 2))
  let scopes: string[] | undefined
  const allScopes = () => {
    scopes ??= scopeCatalogue(methods)
    return scopes
  }
  const system = createSystemMethods({
    methods: () => methods,
    allScopes,
    license: () => license,
    events: events.bindings,
    offline: { offline: events.offline, clock, costs: config.costs, newProcessId: () => processIds.hex(32) },
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
    files: portal.files,
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
