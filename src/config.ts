import { BitrixValidationError } from './errors/index.js'
import { isConsoleLike, type Logger, type LoggerLike, NullLogger, toLogger } from './log/index.js'

/** Seconds, or `[connect, read]` seconds. */
export type Timeout = number | readonly [connect: number, read: number]

/** The SDK-wide settings a `Config` holds, each overridable per client (`ClientOptions`). */
export interface ConfigOptions {
  /** Seconds a call may take (or `[connect, read]`); default 30. */
  defaultTimeout: Timeout
  /** Retries of a transient failure (503, network error on a read); default 3. */
  defaultMaxRetries: number
  /** Seconds before the first retry; default 0.5. */
  defaultInitialRetryDelay: number
  /** Seconds added for each further retry; default 1. */
  defaultRetryDelayIncrement: number
  /** Where the SDK logs; default a `NullLogger`. */
  logger: Logger
  /** Check arguments against the method catalogue before sending; default true. */
  validateArguments: boolean
  /**
   * Seconds a call may wait in the client's limiter (for the request rate or a method's operating-time budget)
   * before it fails with `BitrixQueueTimeout`, nothing sent; default `Infinity` (no bound). Retries' own delays
   * and the time on the network don't count: the timeout bounds each attempt.
   */
  maxQueueWait: number
}

const DEFAULTS: ConfigOptions = {
  defaultTimeout: 30,
  defaultMaxRetries: 3,
  defaultInitialRetryDelay: 0.5,
  defaultRetryDelayIncrement: 1,
  logger: new NullLogger(),
  validateArguments: true,
  maxQueueWait: Number.POSITIVE_INFINITY,
}

/**
 * What `configure` and `new Client(…, options)` accept: the settings, with `logger` any `Logger` or anything
 * console-shaped (`console`, pino, winston), which is wrapped in a redacting `ConsoleLogger`.
 */
export type ConfigInit = Omit<ConfigOptions, 'logger'> & { logger: LoggerLike }

/** The settings as stored: a console-shaped `logger` becomes a `Logger`. */
export function toConfigOptions(options: Partial<ConfigInit>): Partial<ConfigOptions> {
  const { logger, ...rest } = options
  return logger === undefined ? rest : { ...rest, logger: toLogger(logger) }
}

let shared: Config | undefined

/**
 * The process-wide defaults. `new Config()` always returns the same object, so settings made anywhere apply
 * to every client created without its own overrides.
 * @example new Config().configure({ defaultTimeout: [3, 60], logger: new StreamLogger({ level: 'debug' }) })
 */
export class Config implements ConfigOptions {
  defaultTimeout: Timeout = DEFAULTS.defaultTimeout
  defaultMaxRetries = DEFAULTS.defaultMaxRetries
  defaultInitialRetryDelay = DEFAULTS.defaultInitialRetryDelay
  defaultRetryDelayIncrement = DEFAULTS.defaultRetryDelayIncrement
  logger: Logger = DEFAULTS.logger
  validateArguments = DEFAULTS.validateArguments
  maxQueueWait = DEFAULTS.maxQueueWait

  constructor() {
    // biome-ignore lint/correctness/noConstructorReturn: `new Config()` is the process-wide singleton by design
    if (shared) return shared
    shared = this
  }

  /**
   * Changes the given settings and keeps the others; returns this config. Throws `BitrixValidationError` naming
   * the setting when a value is out of range (a negative timeout, a non-integer retry count, …).
   */
  configure(options: Partial<ConfigInit>): this {
    checkConfig(options)
    for (const [key, value] of Object.entries(toConfigOptions(options))) {
      if (value !== undefined) Object.assign(this, { [key]: value })
    }
    return this
  }

  /** Puts every setting back to its built-in default. */
  reset(): this {
    return this.configure(DEFAULTS)
  }
}

/** Shortcut for `new Config().configure(options)`. */
export function configure(options: Partial<ConfigInit>): Config {
  return new Config().configure(options)
}

export function timeoutToMs(timeout: Timeout): { connectMs: number; readMs: number } {
  if (typeof timeout === 'number') return { connectMs: timeout * 1000, readMs: timeout * 1000 }
  return { connectMs: timeout[0] * 1000, readMs: timeout[1] * 1000 }
}

const KNOWN_KEYS = new Set<string>(Object.keys(DEFAULTS))

function checkSeconds(name: string, value: unknown, allowZero: boolean): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new BitrixValidationError({
      parameter: name,
      expected: allowZero ? 'a number of seconds ≥ 0' : 'a number of seconds > 0',
      received: value,
    })
  }
}

/** Rejects settings that would break every call, naming the setting and what it takes. */
export function checkConfig(options: Partial<ConfigInit>): void {
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new BitrixValidationError({ message: `unknown setting "${key}"; known: ${[...KNOWN_KEYS].join(', ')}` })
    }
  }
  const {
    defaultTimeout,
    defaultMaxRetries,
    defaultInitialRetryDelay,
    defaultRetryDelayIncrement,
    logger,
    maxQueueWait,
  } = options
  if (defaultTimeout !== undefined) {
    if (Array.isArray(defaultTimeout)) {
      if (defaultTimeout.length !== 2) {
        throw new BitrixValidationError({
          parameter: 'defaultTimeout',
          expected: 'seconds or [connect, read]',
          received: defaultTimeout,
        })
      }
      checkSeconds('defaultTimeout[0]', defaultTimeout[0], false)
      checkSeconds('defaultTimeout[1]', defaultTimeout[1], false)
    } else checkSeconds('defaultTimeout', defaultTimeout, false)
  }
  if (defaultMaxRetries !== undefined && !(Number.isInteger(defaultMaxRetries) && defaultMaxRetries >= 0)) {
    throw new BitrixValidationError({
      parameter: 'defaultMaxRetries',
      expected: 'an integer ≥ 0',
      received: defaultMaxRetries,
    })
  }
  if (defaultInitialRetryDelay !== undefined) checkSeconds('defaultInitialRetryDelay', defaultInitialRetryDelay, true)
  if (defaultRetryDelayIncrement !== undefined)
    checkSeconds('defaultRetryDelayIncrement', defaultRetryDelayIncrement, true)
  if (maxQueueWait !== undefined) checkMaxQueueWait(maxQueueWait)
  if (logger !== undefined && !isConsoleLike(logger)) {
    throw new BitrixValidationError({
      parameter: 'logger',
      expected: 'a logger with debug, info, warn and error methods (StreamLogger, NullLogger, console, pino, winston)',
      received: logger,
    })
  }
}

/** `maxQueueWait`: seconds > 0, or `Infinity` for no bound. */
export function checkMaxQueueWait(value: unknown): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new BitrixValidationError({
      parameter: 'maxQueueWait',
      expected: 'a number of seconds > 0 (Infinity: no bound)',
      received: value,
    })
  }
}
