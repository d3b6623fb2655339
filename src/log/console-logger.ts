import type { LogLevel, LogRecordLevel } from './levels.js'
import type { LogContext, Logger } from './logger.js'
import { redact, redactContext } from './redact.js'

/**
 * Anything with `debug`, `info`, `warn` and `error` methods: `console`, a pino or winston logger, a test spy.
 * Optional `isLevelEnabled(level)` (pino, winston) lets the SDK skip records the target would drop.
 */
export interface ConsoleLike {
  /** Receives debug records. */
  debug(...args: never[]): unknown
  /** Receives info records. */
  info(...args: never[]): unknown
  /** Receives warnings. */
  warn(...args: never[]): unknown
  /** Receives errors. */
  error(...args: never[]): unknown
  /** Whether the target keeps records of `level`; when absent, every record is forwarded. */
  isLevelEnabled?(level: string): boolean
}

/** What `logger` accepts: a `Logger` (`BaseLogger`, `StreamLogger`, `NullLogger`, …) or anything console-shaped. */
export type LoggerLike = Logger | ConsoleLike

type Forward = (...args: unknown[]) => unknown

/**
 * Feeds SDK records to a console-shaped logger, redacted like every `BaseLogger` line: the message through
 * `redact`, the context through `redactContext`. pino (recognised by `bindings()`) gets `(context, message)`,
 * the order it reads; everything else gets `(message, context)`.
 *
 * @example new Client(webhook, { logger: new ConsoleLogger(pino()) }) // the same as passing pino() directly
 */
export class ConsoleLogger implements Logger {
  readonly target: ConsoleLike
  readonly #contextFirst: boolean

  constructor(target: ConsoleLike) {
    if (!isConsoleLike(target)) {
      throw new TypeError('ConsoleLogger needs an object with debug, info, warn and error methods (console, pino, …)')
    }
    this.target = target
    this.#contextFirst = typeof (target as { bindings?: unknown }).bindings === 'function'
  }

  isEnabled(level: LogLevel): boolean {
    if (level === 'silent') return false
    const isLevelEnabled = this.target.isLevelEnabled
    return typeof isLevelEnabled === 'function' ? isLevelEnabled.call(this.target, level) !== false : true
  }

  debug(message: string, context?: LogContext): void {
    this.#forward('debug', message, context)
  }

  info(message: string, context?: LogContext): void {
    this.#forward('info', message, context)
  }

  warn(message: string, context?: LogContext): void {
    this.#forward('warn', message, context)
  }

  error(message: string, context?: LogContext): void {
    this.#forward('error', message, context)
  }

  #forward(level: LogRecordLevel, message: string, context: LogContext | undefined): void {
    if (!this.isEnabled(level)) return
    const safeMessage = redact(String(message))
    const safeContext = context === undefined ? undefined : redactContext(context)
    const write = this.target[level] as Forward
    try {
      if (this.#contextFirst) write.call(this.target, safeContext ?? {}, safeMessage)
      else if (safeContext === undefined) write.call(this.target, safeMessage)
      else write.call(this.target, safeMessage, safeContext)
    } catch {
      // Logging must never break the request that is being logged.
    }
  }
}

const LEVEL_METHODS = ['debug', 'info', 'warn', 'error'] as const

/** Whether `value` has the `debug`, `info`, `warn` and `error` methods a `ConsoleLike` needs. */
export function isConsoleLike(value: unknown): value is ConsoleLike {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return LEVEL_METHODS.every((level) => typeof record[level] === 'function')
}

const adapters = new WeakMap<object, Logger>()

/**
 * The `Logger` the SDK calls for what a user passed as `logger`: a `Logger` as it is, anything else
 * console-shaped wrapped once in a `ConsoleLogger` (the same wrapper every time for the same object).
 */
export function toLogger(value: LoggerLike): Logger {
  if (typeof (value as Partial<Logger>).isEnabled === 'function') return value as Logger
  let adapter = adapters.get(value)
  if (adapter === undefined) {
    adapter = new ConsoleLogger(value as ConsoleLike)
    adapters.set(value, adapter)
  }
  return adapter
}
