/** `startEmulator`: assembles the portal (methods, credentials, limits, faults, stats) behind a real HTTP(S) server. */
import type { MethodTable } from '../kernel.js'
import { createPortal } from '../methods/index.js'
import { type AppOptions, type AppStatus, CredentialStore, type WebhookOptions } from './auth.js'
import { CallRunner } from './calls.js'
import { EmulatorClock } from './clock.js'
import { docExampleMethodTable } from './doc-examples.js'
import { type Endpoint, Endpoints } from './endpoints.js'
import { type FaultHandle, FaultInjector, type FaultSpec } from './faults.js'
import { LeakyBucket, OperatingTracker } from './limits.js'
import type { OAuthEnv } from './oauth.js'
import { type EmulatorOptions, type ResolvedOptions, resolveOptions } from './options.js'
import { RandomSource } from './random.js'
import { Router } from './router.js'
import { BASIC_SCOPE, KNOWN_SCOPES, listScopes } from './scopes.js'
import { type EmulatorStats, StatsRecorder } from './stats.js'
import { createSystemMethods, EventRegistry, type License } from './system-methods.js'

export interface WebhookCredentials {
  /** Ready-to-use webhook URL, `http://127.0.0.1:PORT/rest/USER_ID/SECRET/`. */
  url: string
  userId: number
  secret: string
  scopes: string[] | 'all'
}

export interface AppCredentials {
  clientId: string
  clientSecret: string
  /** Sent with events; what apps verify incoming calls with. */
  applicationToken: string
  scopes: string[] | 'all'
  redirectUri: string | undefined
  status: AppStatus
}

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
  createWebhook(options?: WebhookOptions): WebhookCredentials
  createApp(options?: AppOptions): AppCredentials
  /** A token pair as if the app had just been installed by `userId` (default 1). */
  issueToken(options: { clientId: string; userId?: number }): IssuedToken
  /**
   * Moves the portal to a new loopback port; every old address then answers 302 with `Location` on the new
   * one. `newHost` is the host name reported from then on. Resolves to the new `url`.
   */
  changeDomain(newHost?: string): Promise<string>
  /** Every access token issued so far expires now (refresh tokens keep working). */
  expireTokens(): void
  /** Moves emulator time forward (tokens, codes, bucket, operating window all see it). */
  advanceTime(seconds: number): void
  /** Emulator time, Unix seconds. */
  now(): number
  /** Empties the leaky bucket and forgets recorded operating time. */
  resetLimits(): void
  readonly faults: {
    inject(fault: FaultSpec): FaultHandle
    clear(): void
  }
  /** A snapshot of the counters (same as `getStats()`). */
  readonly stats: EmulatorStats
  getStats(): EmulatorStats
  resetStats(): void
}

const LICENSES: Record<string, License> = {
  enterprise: { LICENSE: 'en_ent250', LICENSE_TYPE: 'ent250', LICENSE_FAMILY: 'ent' },
  standard: { LICENSE: 'en_std', LICENSE_TYPE: 'std', LICENSE_FAMILY: 'std' },
}

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
  const bucket = config.bucket && new LeakyBucket(config.bucket)
  const operating =
    config.operatingLimit === false
      ? undefined
      : new OperatingTracker({ limit: config.operatingLimit, minimalFixTime: config.minimalFixTime })
  const { methods, allScopes, tzMinutes } = assembleMethods(config)
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
  const router = new Router({
    stats,
    faults,
    bucket,
    clock,
    credentials,
    calls: new CallRunner({ methods, clock, operating, stats, authErrorStatus: config.authErrorStatus }),
    oauth,
    maxBodyBytes: config.maxBodyBytes,
    movePortal: () => endpoints.open(0, undefined),
    inputLimits: { maxInputVars: config.maxInputVars, maxNestingLevel: config.maxInputNestingLevel },
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
    async changeDomain(newHost) {
      return (await endpoints.open(0, newHost)).url
    },
    expireTokens: () => credentials.expireAccessTokens(),
    advanceTime: (seconds) => clock.advance(seconds),
    now: () => clock.now(),
    resetLimits() {
      bucket?.reset()
      operating?.reset()
    },
    faults: {
      inject: (fault) => faults.inject(fault),
      clear: () => faults.clear(),
    },
    get stats() {
      return stats.snapshot()
    },
    getStats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
  }
}

/**
 * The portal's methods, then the system methods over them, then the caller's own over everything; in
 * docs-example mode every other catalogued method falls through to its documented example (doc-examples.ts).
 */
function assembleMethods(config: ResolvedOptions): {
  methods: MethodTable
  allScopes: () => string[]
  tzMinutes: number
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
  for (const [name, definition] of config.methods ?? []) methods.set(name.toLowerCase(), definition)
  return { methods, allScopes, tzMinutes: portal.env.tz }
}

/** Every scope code: the documented ones plus any the method table uses. */
function scopeCatalogue(methods: MethodTable): string[] {
  const scopes = new Set(KNOWN_SCOPES)
  for (const definition of methods.values()) {
    if (definition.scope !== BASIC_SCOPE) scopes.add(definition.scope.toLowerCase())
  }
  return [...scopes].sort()
}
