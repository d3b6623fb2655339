/**
 * A throw-away `redis-server` on 127.0.0.1 for one test file: a free port, no persistence, stopped afterwards.
 * Without `redis-server` on PATH the tests that need it are skipped, with the reason printed once.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'

const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })

/** Why Redis tests are skipped here, or undefined when `redis-server` is there. */
export const redisMissing: string | undefined =
  probe.status === 0
    ? undefined
    : 'redis-server is not on PATH (Debian: apt-get install redis-server; .ci/run installs it): Redis tests skipped'

if (redisMissing !== undefined) console.warn(`[test/redis] ${redisMissing}`)

export interface RedisInstance {
  port: number
  url: string
  /** A new client (closed by `stop`). */
  client(): Redis
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export async function startRedis(): Promise<RedisInstance> {
  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  await ready(child, 10_000)
  const clients: Redis[] = []
  const url = `redis://127.0.0.1:${port}`
  return {
    port,
    url,
    client() {
      const client = new Redis(port, '127.0.0.1', { lazyConnect: false, maxRetriesPerRequest: 2 })
      clients.push(client)
      return client
    },
    async stop() {
      await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())))
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
        await exited
        clearTimeout(timer)
      }
    },
  }
}

/** Resolves once the server logs that it accepts connections; rejects when it exits or `ms` pass first. */
function ready(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`redis-server did not start within ${ms} ms:\n${output}`))
    }, ms)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        child.stderr?.resume()
        resolve()
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`))
    })
  })
}

/** A redis-server for the enclosing `describe`: started before its tests, stopped after; `client` is one client. */
export function useRedis(): { readonly server: RedisInstance; readonly client: Redis } {
  let server: RedisInstance | undefined
  let client: Redis | undefined
  beforeAll(async () => {
    server = await startRedis()
    client = server.client()
  })
  afterAll(async () => {
    await server?.stop()
  })
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('redis-server is not started yet (use it inside a test)')
    return value
  }
  return {
    get server() {
      return started(server)
    },
    get client() {
      return started(client)
    },
  }
}
