import { formatJson, formatText, type LogFormat } from './format.js'
import { isLogLevel, type LogLevel, type LogRecordLevel, levelEnabled } from './levels.js'
import { maskSecretKeys, redact } from './redact.js'
import { secretRegistry } from './secrets.js'

/** Structured fields of a log record (`{ method: 'crm.deal.get', status: 200 }`); secret-named keys are masked. */
export type LogContext = Record<string, unknown>

/** What the SDK needs from a logger. Any object of this shape works; the classes below are conveniences. */
export interface Logger {
  /** Logs a debug record (the SDK logs each call and each failed call here). */
  debug(message: string, context?: LogContext): void
  /** Logs an info record (the SDK: retries, renewed tokens, portal moves). */
  info(message: string, context?: LogContext): void
  /** Logs a warning. */
  warn(message: string, context?: LogContext): void
  /** Logs an error record. */
  error(message: string, context?: LogContext): void
  /** The SDK asks first and skips building the context of records that would be dropped. */
  isEnabled(level: LogLevel): boolean
}

/**
 * Base of every logger: implement `log` and `isEnabled` to send records anywhere. (pino, winston and `console`
 * need no class: pass them as `logger` as they are; `ConsoleLogger` redacts and forwards.)
 * Records reaching `log` are not redacted; use `redact` / `redactContext` in `log` if the target does not.
 *
 * @example
 * class PinoLogger extends AbstractLogger {
 *   constructor(private readonly pino: import('pino').Logger) { super() }
 *   isEnabled(level: LogLevel) { return level !== 'silent' && this.pino.isLevelEnabled(level) }
 *   log(level: LogRecordLevel, message: string, context?: LogContext) { this.pino[level](context ?? {}, message) }
 * }
 */
export abstract class AbstractLogger implements Logger {
  abstract isEnabled(level: LogLevel): boolean
  /** Receives every record the level methods (`debug`, `info`, …) produce; implement it to send records anywhere. */
  abstract log(level: LogRecordLevel, message: string, context?: LogContext): void

  debug(message: string, context?: LogContext): void {
    this.log('debug', message, context)
  }

  info(message: string, context?: LogContext): void {
    this.log('info', message, context)
  }

  warn(message: string, context?: LogContext): void {
    this.log('warn', message, context)
  }

  error(message: string, context?: LogContext): void {
    this.log('error', message, context)
  }
}

/** What every `BaseLogger` takes: the level, the line format, the secrets to mask and the clock. */
export interface BaseLoggerOptions {
  /** Records below this level are dropped. Default `'info'`. */
  level?: LogLevel
  /** `'text'`: `time LEVEL message key=value …`; `'json'`: one JSON object per line. Default `'text'`. */
  format?: LogFormat
  /** Values masked in every line. Default: the global `secretRegistry`. */
  secrets?: Iterable<string>
  /** Clock for the timestamp (tests, custom time sources). Default `() => new Date()`. */
  now?: () => Date
}

/**
 * Level filtering, one-line formatting and redaction; subclasses only `write` finished lines.
 * Every line passes through `redact` as the last step, so a secret logged by mistake still comes out as `***`.
 *
 * @example
 * class ArrayLogger extends BaseLogger {
 *   readonly lines: string[] = []
 *   protected write(line: string) { this.lines.push(line) }
 * }
 */
export abstract class BaseLogger extends AbstractLogger {
  readonly format: LogFormat
  readonly #secrets: Iterable<string>
  readonly #now: () => Date
  #level: LogLevel = 'info'

  constructor(options: BaseLoggerOptions = {}) {
    super()
    this.level = options.level ?? 'info'
    this.format = options.format ?? 'text'
    if (this.format !== 'text' && this.format !== 'json') {
      throw new TypeError(`Unknown log format ${JSON.stringify(this.format)}; expected "text" or "json"`)
    }
    this.#secrets = options.secrets ?? secretRegistry
    this.#now = options.now ?? (() => new Date())
  }

  /** The threshold: records below it are dropped. Setting an unknown level throws a `TypeError`. */
  get level(): LogLevel {
    return this.#level
  }

  /** Changes the threshold; throws a `TypeError` for anything but `debug`, `info`, `warn`, `error` or `silent`. */
  set level(level: LogLevel) {
    if (!isLogLevel(level)) {
      throw new TypeError(`Unknown log level ${JSON.stringify(level)}; expected debug, info, warn, error or silent`)
    }
    this.#level = level
  }

  isEnabled(level: LogLevel): boolean {
    return levelEnabled(level, this.#level)
  }

  /** Formats an enabled record into one line, redacts it and hands it to `write`; a throwing `write` is ignored. */
  log(level: LogRecordLevel, message: string, context?: LogContext): void {
    if (!this.isEnabled(level)) return
    const line = redact(this.formatLine(level, String(message), context), this.#secrets)
    try {
      this.write(line, level)
    } catch {
      // Logging must never break the request that is being logged.
    }
  }

  /** The line before redaction; override for a custom layout. */
  protected formatLine(level: LogRecordLevel, message: string, context: LogContext | undefined): string {
    const safeContext = context === undefined || isEmpty(context) ? undefined : maskSecretKeys(context)
    const format = this.format === 'json' ? formatJson : formatText
    return format(this.#now(), level, message, safeContext)
  }

  /** Sends one finished, redacted line (no trailing newline) wherever the subclass writes. */
  protected abstract write(line: string, level: LogRecordLevel): void
}

function isEmpty(object: object): boolean {
  for (const _ in object) return false
  return true
}

/** Drops everything; `isEnabled` is always false, so the SDK does not even build log contexts. The default. */
export class NullLogger extends AbstractLogger {
  isEnabled(_level: LogLevel): boolean {
    return false
  }

  /** Does nothing. */
  log(_level: LogRecordLevel, _message: string, _context?: LogContext): void {}
}
