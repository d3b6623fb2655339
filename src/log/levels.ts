/** Severity threshold of a logger; `silent` turns it off. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

/** Severity of one record (a record is never `silent`). */
export type LogRecordLevel = Exclude<LogLevel, 'silent'>

/** All levels, most verbose first. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent']

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: Infinity }

/** Whether `value` is one of `LOG_LEVELS` (a check for settings read from text, e.g. an environment variable). */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(RANK, value)
}

/** Whether a record of `level` passes a logger whose threshold is `threshold`. */
export function levelEnabled(level: LogLevel, threshold: LogLevel): boolean {
  return level !== 'silent' && RANK[level] >= RANK[threshold]
}
