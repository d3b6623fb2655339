import type { LogRecordLevel } from './levels.js'
import { BaseLogger, type BaseLoggerOptions } from './logger.js'

/** Anything with `write(string)`: `process.stderr`, a file stream, a test buffer. */
export interface LogStream {
  /** Takes one finished line, `\n` included; the return value is ignored. */
  write(chunk: string): unknown
}

/** What `new StreamLogger(…)` takes: the `BaseLogger` options and the stream to write to. */
export interface StreamLoggerOptions extends BaseLoggerOptions {
  /** Where lines go, each ending in `\n`. Default `process.stderr` where it exists, else the console. */
  stream?: LogStream
}

function defaultStream(): LogStream | undefined {
  const runtime = globalThis as { process?: { stderr?: LogStream } }
  const stderr = runtime.process?.stderr
  return typeof stderr?.write === 'function' ? stderr : undefined
}

/**
 * Writes one line per record to a stream.
 *
 * @example
 * const logger = new StreamLogger({ level: 'debug', format: 'json' })
 * logger.info('deal loaded', { method: 'crm.deal.get', id: 2 })
 */
export class StreamLogger extends BaseLogger {
  /** `undefined` when the runtime has no `process.stderr` (browsers): lines then go to `console`. */
  readonly stream: LogStream | undefined

  constructor(options: StreamLoggerOptions = {}) {
    super(options)
    this.stream = options.stream ?? defaultStream()
  }

  /** Writes the line and a `\n` to `stream`, or to `console[level]` when there is no stream. */
  protected write(line: string, level: LogRecordLevel): void {
    if (this.stream !== undefined) this.stream.write(`${line}\n`)
    else console[level](line)
  }
}
