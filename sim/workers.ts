/**
 * The worker processes: `worker.ts` bundled once with esbuild (so eight processes start in a moment), started
 * with `node`, talking JSON lines on stdout; `stop` on stdin makes one finish its items and report.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
// The Redis tests' bundler (esbuild, ioredis inside); paths are relative to test/redis/.
import { bundleWorker } from '../test/redis/child.js'
import type { ItemResult, WorkerFinal } from './results.js'

export interface SimWorker {
  readonly id: string
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>
  onItem(listener: (result: ItemResult) => void): void
  /** Asks it to finish and report; SIGKILL after `ms`. */
  stop(ms: number): Promise<WorkerFinal>
  /** SIGKILL. */
  kill(): void
}

function startOne(file: string, id: string, env: Record<string, string>): Promise<SimWorker> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [file], {
    env: { ...process.env, ...env, WORKER_ID: id },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const itemListeners: Array<(result: ItemResult) => void> = []
  let final: ((value: WorkerFinal) => void) | undefined
  let stderr = ''
  let buffer = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${id} not ready in 30 s: ${stderr}`)), 30_000)
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000)
    })
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`worker ${id} exited: ${stderr}`))
    })
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end)
        buffer = buffer.slice(end + 1)
        let message: Record<string, unknown>
        try {
          message = JSON.parse(line) as Record<string, unknown>
        } catch {
          continue
        }
        if (message.t === 'item') for (const listener of itemListeners) listener(message as unknown as ItemResult)
        if (message.t === 'final') final?.(message as unknown as WorkerFinal)
        if (message.t === 'ready') {
          clearTimeout(timer)
          resolve(worker)
        }
      }
    })
    const worker: SimWorker = {
      id,
      exited,
      onItem: (listener) => void itemListeners.push(listener),
      kill: () => void child.kill('SIGKILL'),
      stop(ms) {
        return new Promise<WorkerFinal>((resolveFinal, rejectFinal) => {
          const killer = setTimeout(() => {
            child.kill('SIGKILL')
            rejectFinal(new Error(`worker ${id} did not stop within ${ms} ms: ${stderr}`))
          }, ms)
          final = (value) => {
            clearTimeout(killer)
            resolveFinal(value)
          }
          child.stdin.write('stop\n')
        })
      },
    }
  })
}

/** Bundles the worker and starts `count` of them; resolves once every one said it is ready. */
export async function spawnWorkers(count: number, env: Record<string, string>): Promise<SimWorker[]> {
  const file = await bundleWorker('../../sim/worker.ts')
  return Promise.all(Array.from({ length: count }, (_, n) => startOne(file, `w${n + 1}`, env)))
}
