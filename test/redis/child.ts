/**
 * Worker processes for the Redis tests, JSON lines on stdout, bounded waits. A worker script is bundled once with
 * esbuild (the sources as they are, ioredis inside), so twenty processes start in a moment instead of each
 * compiling the SDK with tsx.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

export type Message = Record<string, unknown>

export interface Worker {
  readonly process: ChildProcessWithoutNullStreams
  /** Resolves to the first message `match` accepts; rejects after `ms` or when the process exits first. */
  next(match: (message: Message) => boolean, ms: number): Promise<Message>
  send(line: string): void
  /** Stderr so far, for failure messages. */
  stderr(): string
}

const root = fileURLToPath(new URL('../..', import.meta.url))
const outDir = mkdtempSync(join(tmpdir(), 'b24tssdk-redis-workers-'))

/** Bundles `script` (relative to this folder) into one runnable file; resolves to its path. */
export async function bundleWorker(script: string): Promise<string> {
  const outfile = join(outDir, script.replace(/^.*\//, '').replace(/\.ts$/, '.mjs'))
  await build({
    entryPoints: [fileURLToPath(new URL(script, import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // ioredis is CommonJS and requires Node built-ins.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  })
  return outfile
}

/** Starts a bundled worker (`bundleWorker`'s path). */
export function startWorker(bundle: string, env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [bundle], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const messages: Message[] = []
  const listeners = new Set<() => void>()
  let buffer = ''
  let errors = ''
  let exited = false
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const line = buffer.slice(0, end).trim()
      buffer = buffer.slice(end + 1)
      if (line.startsWith('{')) messages.push(JSON.parse(line) as Message)
    }
    for (const listener of listeners) listener()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString()
  })
  child.once('exit', () => {
    exited = true
    for (const listener of listeners) listener()
  })
  return {
    process: child,
    stderr: () => errors,
    send(line) {
      child.stdin.write(`${line}\n`)
    },
    next(match, ms) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match)
          if (found !== undefined) return done(() => resolve(found))
          if (exited) return done(() => reject(new Error(`worker exited before the message:\n${errors}`)))
        }
        const timer = setTimeout(() => done(() => reject(new Error(`no message within ${ms} ms:\n${errors}`))), ms)
        const done = (settle: () => void) => {
          clearTimeout(timer)
          listeners.delete(check)
          settle()
        }
        listeners.add(check)
        check()
      })
    },
  }
}

/** Ends a worker still running (the test failed midway): SIGKILL, by its own pid only. */
export function stopWorker(worker: Worker): void {
  if (worker.process.exitCode === null && worker.process.signalCode === null) worker.process.kill('SIGKILL')
}
