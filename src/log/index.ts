export { type ConsoleLike, ConsoleLogger, isConsoleLike, type LoggerLike, toLogger } from './console-logger.js'
export type { LogFormat } from './format.js'
export { isLogLevel, LOG_LEVELS, type LogLevel, type LogRecordLevel } from './levels.js'
export {
  AbstractLogger,
  BaseLogger,
  type BaseLoggerOptions,
  type LogContext,
  type Logger,
  NullLogger,
} from './logger.js'
export { isSecretKey, MASK, redact, redactContext } from './redact.js'
export { SecretRegistry, type SecretRegistryOptions, secretRegistry } from './secrets.js'
export { type LogStream, StreamLogger, type StreamLoggerOptions } from './stream-logger.js'
