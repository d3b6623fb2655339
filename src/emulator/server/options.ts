/** `startEmulator` options, their defaults and validation. */
import { type CostModel, DEFAULT_COST_MODEL, type MethodTable, type SeedOptions } from '../kernel.js'
import type { EventDeliveryOptions } from './events.js'
import type { FaultSpec } from './faults.js'
import { type BucketOptions, PLAN_BUCKETS, type Plan } from './limits.js'

/** What `startEmulator` takes; every option has a portal-like default (docs/emulator.md lists them). */
export interface EmulatorOptions {
  /** TCP port; default 0 (any free port). */
  port?: number
  /** Address to listen on; default `127.0.0.1`. */
  host?: string
  /** Serve HTTPS with the bundled test-only certificate (`EMULATOR_TLS_CERT`). Default false. */
  https?: boolean
  /** Rate plan of the leaky bucket: standard 50 burst / 2 per s, enterprise 250 / 5, or off. Default standard. */
  plan?: Plan
  /** A custom leaky bucket; overrides `plan`. */
  bucket?: BucketOptions
  /** Operating-time budget per (credential, method) over 10 minutes, seconds; `false` turns the limiter off. Default 480. */
  operatingLimit?: number | false
  /** Calls with less server time than this are not recorded for the operating limit. Default 0.1 s. */
  minimalFixTime?: number
  /**
   * Emulator time runs this many times faster than real time: the bucket drains faster, the 10-minute window
   * and token lifetimes pass faster, simulated server time is slept for `cost / timeScale`. Default 1.
   */
  timeScale?: number
  /** Sleep for simulated server time (`true`, default) or answer at once (`false`). */
  realDelays?: boolean
  /** Sizes of the generated portal data. */
  seed?: SeedOptions
  /** Makes the generated data and every secret and token reproducible. Without it secrets are crypto-random. */
  randomSeed?: number
  /** Simulated server cost knobs, merged over `DEFAULT_COST_MODEL`. */
  costs?: Partial<CostModel>
  /** HTTP status of auth-stage errors (INVALID_CREDENTIALS, insufficient_scope). Default 401, as the real server. */
  authErrorStatus?: number
  /** Access-token lifetime, emulator seconds. Default 3600. */
  tokenLifetime?: number
  /** Refresh-token lifetime, emulator seconds. Default 180 days. */
  refreshTokenLifetime?: number
  /** Portal host name the emulator reports (authorize redirect, `emu.domain`). Default `127.0.0.1:PORT`. */
  domain?: string
  /** Largest accepted request body, bytes; larger ones get 413. Default 32 MiB. */
  maxBodyBytes?: number
  /**
   * Cap on the bytes of all files the emulator keeps (Drive files, CRM file fields), in a temporary directory
   * removed by `close()`; an upload past it fails with `FILE_TOO_LARGE`. Default 1 GiB.
   */
  maxStoredFileBytes?: number
  /**
   * PHP's `max_input_vars` for query strings, form bodies and batch sub-queries: variables past it are dropped
   * (the call runs with the rest, as PHP does; the answer carries an `X-Emulator-Warning` header). Default
   * 10000, the minimum Bitrix's own server check asks for.
   */
  maxInputVars?: number
  /** PHP's `max_input_nesting_level` for bracket names. Default 64. */
  maxInputNestingLevel?: number
  /** Extra or replacement methods (lower-case names), merged over the portal's and the system ones. */
  methods?: MethodTable
  /**
   * Docs-example mode (opt-in): every catalogued REST v2 method the emulator does not implement checks its
   * documented required parameters and types, then answers its documented example (`spec/methods.json`),
   * marked by the `X-Emulator-Canned` header and counted in `stats.canned`. Default false: such methods answer
   * `400 EMULATOR_NOT_IMPLEMENTED`.
   */
  docExamples?: boolean
  /** How many received calls `emu.received` keeps (the newest); 0 keeps none. Default 10,000. */
  receivedLimit?: number
  /**
   * Server seconds (emulator time) one REST request may take; a request that needs more is cut: the client gets
   * `504` with an HTML page once the limit has passed (settings/performance/limits.md: 60 s in the cloud).
   * Default 60.
   */
  requestTimeLimit?: number
  /** HTTP status of `PORTAL_DELETED`: 403 as the server source throws it (default), or the docs' 500. */
  portalDeletedStatus?: number
  /** Faults injected from the start, as by `emu.faults.inject` (see docs/emulator.md). */
  faults?: readonly FaultSpec[]
  /**
   * Named portals served besides the default one, on the same address, told apart by the `Host` header:
   * `p0001.bitrix24.test` … (see "Many portals" in docs/emulator.md). Each is built on first use. Default 0.
   */
  portals?: number
  /** Event delivery: per-POST timeout, queue bound, concurrency, offline queue bound (docs/emulator.md, "Events"). */
  events?: EventDeliveryOptions
  /**
   * The portal's time zone, minutes east of UTC (`-300` for UTC−05:00); every date it prints and every date
   * without an offset it reads is in it. Default 120 (`+02:00`).
   */
  timezoneOffsetMinutes?: number
}

export interface ResolvedOptions {
  port: number
  host: string
  https: boolean
  plan: Plan
  bucket: BucketOptions | undefined
  operatingLimit: number | false
  minimalFixTime: number
  timeScale: number
  realDelays: boolean
  seed: SeedOptions
  randomSeed: number | undefined
  costs: CostModel
  authErrorStatus: number
  tokenLifetime: number
  refreshTokenLifetime: number
  domain: string | undefined
  maxBodyBytes: number
  maxStoredFileBytes: number
  maxInputVars: number
  maxInputNestingLevel: number
  methods: MethodTable | undefined
  docExamples: boolean
  receivedLimit: number
  requestTimeLimit: number
  portalDeletedStatus: number
  faults: readonly FaultSpec[]
  portals: number
  events: EventDeliveryOptions | undefined
  timezoneOffsetMinutes: number
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number`)
  return value
}

function nonNegativeInteger(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 0)) throw new RangeError(`${name} must be an integer ≥ 0`)
  return value
}

/** A UTC offset the world uses: whole minutes from −12:00 to +14:00. */
function timezoneOffset(value: number): number {
  if (!(Number.isInteger(value) && value >= -720 && value <= 840)) {
    throw new RangeError('timezoneOffsetMinutes must be whole minutes from -720 to 840')
  }
  return value
}

export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  const plan = options.plan ?? 'standard'
  if (!['standard', 'enterprise', 'off'].includes(plan)) throw new RangeError(`Unknown plan: ${String(plan)}`)
  const status = options.authErrorStatus ?? 401
  if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError('authErrorStatus must be 4xx/5xx')
  const operatingLimit = options.operatingLimit ?? 480
  const deletedStatus = options.portalDeletedStatus ?? 403
  if (!Number.isInteger(deletedStatus) || deletedStatus < 400 || deletedStatus > 599) {
    throw new RangeError('portalDeletedStatus must be 4xx/5xx')
  }
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    https: options.https ?? false,
    plan,
    bucket: options.bucket ?? (plan === 'off' ? undefined : PLAN_BUCKETS[plan]),
    operatingLimit: operatingLimit === false ? false : positive('operatingLimit', operatingLimit),
    minimalFixTime: options.minimalFixTime ?? 0.1,
    timeScale: positive('timeScale', options.timeScale ?? 1),
    realDelays: options.realDelays ?? true,
    seed: options.seed ?? {},
    randomSeed: options.randomSeed,
    costs: { ...DEFAULT_COST_MODEL, ...options.costs },
    authErrorStatus: status,
    tokenLifetime: positive('tokenLifetime', options.tokenLifetime ?? 3600),
    refreshTokenLifetime: positive('refreshTokenLifetime', options.refreshTokenLifetime ?? 180 * 86400),
    domain: options.domain,
    maxBodyBytes: positive('maxBodyBytes', options.maxBodyBytes ?? 32 * 1024 * 1024),
    maxStoredFileBytes: positive('maxStoredFileBytes', options.maxStoredFileBytes ?? 1024 * 1024 * 1024),
    maxInputVars: positive('maxInputVars', options.maxInputVars ?? 10_000),
    maxInputNestingLevel: positive('maxInputNestingLevel', options.maxInputNestingLevel ?? 64),
    methods: options.methods,
    docExamples: options.docExamples ?? false,
    receivedLimit: nonNegativeInteger('receivedLimit', options.receivedLimit ?? 10_000),
    requestTimeLimit: positive('requestTimeLimit', options.requestTimeLimit ?? 60),
    portalDeletedStatus: deletedStatus,
    faults: options.faults ?? [],
    portals: nonNegativeInteger('portals', options.portals ?? 0),
    events: options.events,
    timezoneOffsetMinutes: timezoneOffset(options.timezoneOffsetMinutes ?? 120),
  }
}
