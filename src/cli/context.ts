/** What every command runs with: its output streams and environment. Tests and `main` supply them. */
import type { Writable } from 'node:stream'
import { Client } from '../index.js'
import { redact } from '../log/index.js'
import { type Environment, environmentSecrets, portalFromEnvironment } from './environment.js'

export interface CliContext {
  stdout: Writable
  stderr: Writable & { isTTY?: boolean }
  env: Environment
}

/** Writes text to stdout, waiting when the pipe is full. */
export function printOut(context: CliContext, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (context.stdout.write(text)) resolve()
    else context.stdout.once('drain', resolve)
  })
}

/** Writes a line to stderr with every secret of the environment masked. */
export function printErr(context: CliContext, line: string): void {
  context.stderr.write(`${redact(line, environmentSecrets(context.env))}\n`)
}

/** A client of the portal the environment names. */
export function clientFromEnvironment(env: Environment): Client {
  return new Client(portalFromEnvironment(env).credentials)
}
