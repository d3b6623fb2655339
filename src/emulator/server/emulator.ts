/** `startEmulator`: one or many portals (methods, credentials, limits, faults, stats) behind a real HTTP(S) server. */
import type { AppOptions, AppRecord, AppStatus, WebhookOptions } from './auth.js'
import { EmulatorClock } from './clock.js'
import { catalogueRecord, docExampleScope } from './doc-examples.js'
import { type Endpoint, Endpoints } from './endpoints.js'
import type { EventDelivery } from './events.js'
import type { FaultHandle, FaultSpec } from './faults.js'
import { type EmulatorOptions, resolveOptions } from './options.js'
import { createEmulatedPortal, type EmulatedPortal, type PortalShared } from './portal.js'
import { PortalDirectory } from './portals.js'
import type { ProgrammedAnswer, ProgrammedHandle, ProgrammedHandler, ReceivedCall } from './programmed.js'
import type { PortalState } from './router.js'
import { BASIC_SCOPE, listScopes } from './scopes.js'
import type { EmulatorStats } from './stats.js'

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
 * One portal of a running emulator: its addresses, the credentials it can mint, its limits, faults, programmed
 * answers, the calls it received and its counters. `startEmulator` returns the default portal (with the
 * emulator-wide members of `Emulator`); `emu.portal(host)` and `emu.createPortal()` give the named ones.
 */
export interface EmulatorPortal {
  /**
   * Base address, no trailing slash: `http://127.0.0.1:PORT` (a named portal: `https://p0001.bitrix24.test:PORT`,
   * reached through a DNS override to the emulator's address). Changes after `changeDomain`.
   */
  readonly url: string
  /** Portal host name it reports (default `127.0.0.1:PORT`; a named portal: `p0001.bitrix24.test:PORT`, no port on 443). */
  readonly domain: string
  /** An administrator webhook (user 1, every scope): `http://127.0.0.1:PORT/rest/1/SECRET/`. */
  readonly webhookUrl: string
  /** The portal's member_id. */
  readonly memberId: string
  /** A new inbound webhook (default: user 1, every scope). */
  createWebhook(options?: WebhookOptions): WebhookCredentials
  /**
   * A token pair as if the app had just been installed by `userId` (default 1). The app is the OAuth server's
   * (`emu.createApp`); each portal installs it with its own `applicationToken`.
   */
  issueToken(options: { clientId: string; userId?: number }): IssuedToken
  /**
   * Installs the app on this portal as a portal does: tokens for `userId` (default 1) and, after this returns,
   * `ONAPPINSTALL` (with `auth[refresh_token]` and this portal's `auth[application_token]`) posted to `installUrl`
   * (default the one given to `createApp`). The portal's OAuth authorize page installs an app not installed yet
   * the same way.
   */
  installApp(clientId: string, options?: { userId?: number; installUrl?: string }): IssuedToken
  /**
   * Uninstalls the app from this portal: `ONAPPUNINSTALL` (no tokens; `data[CLEAN]` 1 unless `clean: false`) to
   * its bindings of that event, then its bindings and offline events are deleted.
   */
  uninstallApp(clientId: string, options?: { clean?: boolean }): void
  /** This portal's outgoing events (see docs/emulator.md, "Events"). */
  readonly events: {
    /** Resolves once no event of this portal waits or is in flight; rejects after `timeoutMs` (default 10,000). */
    idle(timeoutMs?: number): Promise<void>
    /** The last 1,000 event POSTs of this portal with their outcome, oldest first (a copy). */
    readonly deliveries: EventDelivery[]
  }
  /** Every access token this portal issued so far expires now (refresh tokens keep working). */
  expireTokens(): void
  /** Empties this portal's leaky buckets and forgets its recorded operating time. */
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

/** What `emu.createPortal` takes. */
export interface CreatePortalOptions {
  /** The portal's host name (a DNS name); default the next `pNNNN.bitrix24.test`. */
  host?: string
}

/**
 * A running emulator, as `startEmulator` returns it: the default portal (its members act on that portal) plus
 * what the whole emulator shares — the listening address, the clock, the OAuth server and its applications — and
 * the named portals it serves on the same address, told apart by the `Host` header.
 */
export interface Emulator extends EmulatorPortal {
  /** Stops every server (current and old addresses) and drops open connections. */
  close(): Promise<void>
  /**
   * Registers an application with the OAuth server (default: every scope, status `L`), known to the default
   * portal at once and to a named portal when that portal first meets it; issue tokens with `issueToken`, or
   * install it with `installApp` (of the emulator or of a portal). `installUrl` is its "path for initial
   * installation", where every portal posts `ONAPPINSTALL`.
   */
  createApp(options?: AppOptions & { installUrl?: string }): AppCredentials
  /**
   * Moves the portal; every old address then answers 302 with `Location` on the new one (the OAuth server's
   * `/oauth/token/` excepted). A string is the host name reported from then on, on a new port. `{ address }`
   * moves to another loopback address on the same port (`127.0.0.2`: all of 127.0.0.0/8 is loopback), so
   * clients that keep only the host of the `Location` can follow when the port is the scheme's default (443);
   * `port` picks another port, `domain` the reported host name. Resolves to the new `url`. Named portals move
   * to the new address with it.
   */
  changeDomain(target?: string | PortalAddress): Promise<string>
  /** Moves emulator time forward (tokens, codes, buckets, operating windows of every portal all see it). */
  advanceTime(seconds: number): void
  /** Emulator time, Unix seconds. */
  now(): number
  /** Host names of the named portals (`startEmulator({ portals })` and `createPortal`), in creation order. */
  readonly portals: string[]
  /** The named portal `host` (any case, port ignored); a `RangeError` when there is none. */
  portal(host: string): EmulatorPortal
  /** Adds a named portal on the running emulator; its state is built on first use. */
  createPortal(options?: CreatePortalOptions): EmulatorPortal
  /** How many portals hold state: the default one plus every named portal touched so far. */
  readonly activePortals: number
}

/** An install URL must be an absolute http(s) URL (events go to loopback ones only). */
function checkInstallUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new RangeError(`installUrl must be an absolute http(s) URL, e.g. http://127.0.0.1:3000/install; got ${url}`)
  }
  if (!/^https?:$/.test(parsed.protocol)) throw new RangeError(`installUrl must be http(s); got ${parsed.protocol}`)
  return parsed.href
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
  // The request handler reaches the portals lazily: requests only arrive once `open` below has run.
  const endpoints = new Endpoints(
    config,
    (req) => portals.route(req.headers.host).stats,
    (req, res) => {
      const { router } = portals.route(req.headers.host)
      router.handle(req, res).catch(() => router.fail(res))
    },
  )
  const current = (): Endpoint => endpoints.current()
  const shared: PortalShared = {
    config,
    clock,
    apps: new Map(),
    installUrls: new Map(),
    serverUrl: () => current().url,
    grantOwner: (key) => portals.grantOwner(key)?.oauth,
    movePortal: () => endpoints.open(0, undefined),
  }
  const main = createEmulatedPortal(shared, { index: 0, url: () => current().url, domain: () => current().domain })
  const portals = new PortalDirectory(main, (index, host) =>
    createEmulatedPortal(shared, {
      index,
      url: () => new URL(`${config.https ? 'https' : 'http'}://${host}:${current().port}`).origin,
      // As clients reach it: the port is part of it unless it is the scheme's default.
      domain: () => new URL(`${config.https ? 'https' : 'http'}://${host}:${current().port}`).host,
    }),
  )
  for (let n = 0; n < config.portals; n += 1) portals.add()
  await endpoints.open(config.port, config.domain)
  return new RunningEmulator(main, shared, endpoints, portals)
}

/** The members of `EmulatorPortal`, over one portal's state. */
class PortalHandle implements EmulatorPortal {
  /** The portal's state, built on first use. */
  readonly #portal: () => EmulatedPortal
  readonly #shared: PortalShared

  constructor(portal: () => EmulatedPortal, shared: PortalShared) {
    this.#portal = portal
    this.#shared = shared
  }

  get url(): string {
    return this.#portal().url()
  }

  get domain(): string {
    return this.#portal().domain()
  }

  get webhookUrl(): string {
    return this.#webhookUrl(this.#portal().admin.userId, this.#portal().admin.secret)
  }

  get memberId(): string {
    return this.#portal().memberId
  }

  #webhookUrl(userId: number, secret: string): string {
    return `${this.#portal().url()}/rest/${userId}/${secret}/`
  }

  createWebhook(webhookOptions?: WebhookOptions): WebhookCredentials {
    const record = this.#portal().credentials.createWebhook(webhookOptions)
    const scopes = record.scopes === 'all' ? 'all' : [...record.scopes]
    return { url: this.#webhookUrl(record.userId, record.secret), userId: record.userId, secret: record.secret, scopes }
  }

  issueToken({ clientId, userId = 1 }: { clientId: string; userId?: number }): IssuedToken {
    return this.#issued(this.#app(clientId), userId)
  }

  /** The app as this portal has it (a registered app is installed here on first use). */
  #app(clientId: string): AppRecord {
    const app = this.#portal().credentials.getApp(clientId)
    if (!app) throw new Error(`No application with client id ${clientId}; create it with createApp first`)
    return app
  }

  #issued(app: AppRecord, userId: number): IssuedToken {
    const portal = this.#portal()
    const tokens = portal.credentials.issueTokens(app, userId)
    return {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expires: tokens.expires,
      expiresIn: tokens.expiresIn,
      memberId: portal.memberId,
      domain: portal.domain(),
      clientEndpoint: `${portal.url()}/rest/`,
      serverEndpoint: `${this.#shared.serverUrl()}/rest/`,
      scope: listScopes(app.scopes, portal.oauth.allScopes()).join(','),
      status: app.status,
      applicationToken: app.applicationToken,
      userId,
    }
  }

  installApp(clientId: string, installOptions: { userId?: number; installUrl?: string } = {}): IssuedToken {
    const app = this.#app(clientId)
    const userId = installOptions.userId ?? 1
    const { installUrls } = this.#shared
    const url =
      installOptions.installUrl === undefined ? installUrls.get(clientId) : checkInstallUrl(installOptions.installUrl)
    if (url !== undefined) installUrls.set(clientId, url)
    this.#portal().dispatcher.install(app, userId, url)
    return this.#issued(app, userId)
  }

  uninstallApp(clientId: string, uninstallOptions: { clean?: boolean } = {}): void {
    this.#portal().dispatcher.uninstall(this.#app(clientId), uninstallOptions.clean ?? true)
  }

  get events(): EmulatorPortal['events'] {
    const portal = this.#portal
    return {
      idle: (timeoutMs) => portal().dispatcher.idle(timeoutMs),
      get deliveries() {
        return portal().dispatcher.deliveries()
      },
    }
  }

  expireTokens(): void {
    this.#portal().credentials.expireAccessTokens()
  }

  resetLimits(): void {
    this.#portal().bucket?.reset()
    this.#portal().operating?.reset()
  }

  setPortalState(state: PortalState): void {
    if (state !== 'active' && state !== 'overloaded' && state !== 'deleted') {
      throw new RangeError(`portal state must be active, overloaded or deleted; got ${String(state)}`)
    }
    this.#portal().state = state
  }

  get portalState(): PortalState {
    return this.#portal().state
  }

  get faults(): EmulatorPortal['faults'] {
    const injector = this.#portal().faults
    return { inject: (fault) => injector.inject(fault), clear: () => injector.clear() }
  }

  on(method: string, handler: ProgrammedHandler): ProgrammedHandle
  on(method: string, result: unknown): ProgrammedHandle
  on(method: string, answer: ProgrammedAnswer): ProgrammedHandle {
    const replaced = this.#portal().methods.get(String(method).toLowerCase())
    const record = replaced ? undefined : catalogueRecord(String(method))
    const access = replaced
      ? { scope: replaced.scope, authTypes: replaced.authTypes }
      : { scope: record ? docExampleScope(record) : BASIC_SCOPE }
    return this.#portal().programmed.on(method, answer, access, this.#shared.config.costs.base)
  }

  off(method: string): void {
    this.#portal().programmed.off(method)
  }

  implementedMethods(): string[] {
    return [...this.#portal().implemented]
  }

  get received(): ReceivedCall[] {
    return this.#portal().received.list()
  }

  clearReceived(): void {
    this.#portal().received.clear()
  }

  get stats(): EmulatorStats {
    return this.#portal().stats.snapshot()
  }

  getStats(): EmulatorStats {
    return this.#portal().stats.snapshot()
  }

  resetStats(): void {
    this.#portal().stats.reset()
  }
}

/** The default portal's handle plus what the whole emulator shares. */
class RunningEmulator extends PortalHandle implements Emulator {
  readonly #main: EmulatedPortal
  readonly #shared: PortalShared
  readonly #endpoints: Endpoints
  readonly #portals: PortalDirectory
  readonly #handles = new Map<string, EmulatorPortal>()

  constructor(main: EmulatedPortal, shared: PortalShared, endpoints: Endpoints, portals: PortalDirectory) {
    super(() => main, shared)
    this.#main = main
    this.#shared = shared
    this.#endpoints = endpoints
    this.#portals = portals
  }

  async close(): Promise<void> {
    for (const portal of this.#portals.built()) portal.dispatcher.close()
    try {
      await this.#endpoints.close()
    } finally {
      for (const portal of this.#portals.built()) portal.files.dispose()
    }
  }

  createApp(appOptions?: AppOptions & { installUrl?: string }): AppCredentials {
    const installUrl = appOptions?.installUrl === undefined ? undefined : checkInstallUrl(appOptions.installUrl)
    const app = this.#main.credentials.createApp(appOptions)
    if (installUrl !== undefined) this.#shared.installUrls.set(app.clientId, installUrl)
    return {
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      applicationToken: app.applicationToken,
      scopes: app.scopes === 'all' ? 'all' : [...app.scopes],
      redirectUri: app.redirectUri,
      status: app.status,
    }
  }

  async changeDomain(target?: string | PortalAddress): Promise<string> {
    const endpoints = this.#endpoints
    if (target === undefined || typeof target === 'string') return (await endpoints.open(0, target)).url
    const port = target.port ?? (target.address === undefined ? 0 : endpoints.current().port)
    return (await endpoints.open(port, target.domain, target.address)).url
  }

  advanceTime(seconds: number): void {
    this.#shared.clock.advance(seconds)
  }

  now(): number {
    return this.#shared.clock.now()
  }

  get portals(): string[] {
    return this.#portals.hosts()
  }

  portal(host: string): EmulatorPortal {
    const name = this.#portals.name(String(host))
    if (name === undefined) throw new RangeError(`no portal named ${JSON.stringify(host)}; emu.portals lists them`)
    let handle = this.#handles.get(name)
    if (!handle) {
      const portals = this.#portals
      handle = new PortalHandle(() => portals.get(name) ?? portals.main, this.#shared)
      this.#handles.set(name, handle)
    }
    return handle
  }

  createPortal(portalOptions: CreatePortalOptions = {}): EmulatorPortal {
    return this.portal(this.#portals.add(portalOptions.host))
  }

  get activePortals(): number {
    return this.#portals.active
  }
}
