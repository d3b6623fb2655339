/** What every command runs with: its output streams and environment. Tests and `main` supply them. */
import type { Writable } from 'node:stream'
import { Client } from '../index.js'
import { redact } from '../log/index.js'
import { type Environment, environmentSecrets, portalFromEnvironment } from './environment.js'
import { type Sink, streamSink } from './output.js'

export interface CliContext {
  stdout: Writable
  stderr: Writable & { isTTY?: boolean }
  env: Environment
}

const stdoutSinks = new WeakMap<Writable, Sink>()

/** The sink over the context's stdout: one per stream, so a closed pipe is seen by every writer. */
export function stdoutSink(context: CliContext): Sink {
  let sink = stdoutSinks.get(context.stdout)
  if (!sink) {
    sink = streamSink(context.stdout)
    stdoutSinks.set(context.stdout, sink)
  }
  return sink
}

/** Writes text to stdout, waiting when the pipe is full; throws `OutputClosed` once the reader has gone. */
export function printOut(context: CliContext, text: string): Promise<void> {
  return stdoutSink(context).write(text)
}

/** Writes a line to stderr with every secret of the environment masked. */
export function printErr(context: CliContext, line: string): void {
  context.stderr.write(`${redact(line, environmentSecrets(context.env))}\n`)
}

/** A client of the portal the environment names. */
export function clientFromEnvironment(env: Environment): Client {
  return new Client(portalFromEnvironment(env).credentials)
}
