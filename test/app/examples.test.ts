/**
 * The framework examples under examples/apps are tests too: each starts its framework on 127.0.0.1 and receives the
 * docs' own install and deal events exactly as PHP encodes them (committed fixtures), then a forged one. The same
 * handler runs natively on Bun and Deno.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { RunningExample } from '../../examples/apps/app.js'
import { start as startExpress } from '../../examples/apps/express.js'
import { start as startFastify } from '../../examples/apps/fastify.js'
import { start as startHono } from '../../examples/apps/hono.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const encodings = (
  JSON.parse(readFileSync(join(ROOT, 'test/fixtures/php/event-encodings.json'), 'utf8')) as {
    events: { code: string; encoded: string }[]
  }
).events
const portalSends = (code: string): string => {
  const row = encodings.find((item) => item.code === code)
  if (row === undefined) throw new Error(`no docs example for ${code}`)
  return row.encoded
}
const INSTALL = portalSends('ONAPPINSTALL')
const DEAL = portalSends('ONCRMDEALADD')
const FORGED = DEAL.replace('51856fefc120afa4b628cc82d3935cce', 'ffffffffffffffffffffffffffffffff')

const post = (url: string, body: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })

describe.each([
  ['Express', startExpress],
  ['Fastify', startFastify],
  ['Hono', startHono],
])('the %s example', (_name, start: (port?: number) => Promise<RunningExample>) => {
  it('installs, takes a verified deal event and refuses a forged one', async () => {
    const running = await start(0)
    try {
      expect(running.url.startsWith('http://127.0.0.1:')).toBe(true)
      expect((await post(running.url, INSTALL)).status).toBe(200)
      expect(running.app.installations.get('a223c6b3710f85df22e9377d6c4f7553')?.version).toBe('1.0.0')
      const deal = await post(running.url, DEAL)
      expect([deal.status, await deal.text()]).toEqual([200, 'OK'])
      expect(running.app.deals).toEqual(['6641'])
      const forged = await post(running.url, FORGED)
      expect(forged.status).toBe(401)
      expect(((await forged.json()) as { error: string }).error).toBe('forged')
      expect(running.app.deals).toEqual(['6641'])
    } finally {
      await running.close()
    }
  })
})

/** Runs examples/apps/runtimes.ts under a runtime, waits (bounded) for the URL it prints, posts, then stops it. */
async function onRuntime(command: string, args: string[]): Promise<{ install: number; deal: number; deals: string }> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = ''
      const timer = setTimeout(() => reject(new Error(`no URL from ${command} within 60 s:\n${output}`)), 60_000)
      const read = (chunk: Buffer) => {
        output += chunk.toString()
        const match = /listening (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)
        if (match !== null) {
          clearTimeout(timer)
          resolve(match[1])
        }
      }
      child.stdout.on('data', read)
      child.stderr.on('data', read)
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`${command} exited with ${code}:\n${output}`))
      })
    })
    const install = await post(url, INSTALL)
    const deal = await post(url, DEAL)
    return { install: install.status, deal: deal.status, deals: deal.headers.get('x-deals') ?? '' }
  } finally {
    child.kill('SIGTERM')
  }
}

describe('the handler on other runtimes', () => {
  it('Bun serves it natively', async () => {
    const bun = join(ROOT, 'node_modules', '.bin', 'bun')
    expect(await onRuntime(bun, ['examples/apps/runtimes.ts'])).toEqual({ install: 200, deal: 200, deals: '6641' })
  }, 90_000)

  it('Deno serves it natively', async () => {
    const deno = join(ROOT, 'node_modules', '.bin', 'deno')
    const dir = mkdtempSync(join(tmpdir(), 'b24tssdk-deno-'))
    const importMap = join(dir, 'import-map.json')
    writeFileSync(importMap, JSON.stringify({ imports: { b24tssdk: pathToFileURL(join(ROOT, 'src/index.ts')).href } }))
    const args = [
      'run',
      '--no-lock',
      '--sloppy-imports',
      `--import-map=${importMap}`,
      '--allow-net=127.0.0.1',
      '--allow-env',
      '--allow-read',
    ]
    try {
      expect(await onRuntime(deno, [...args, 'examples/apps/runtimes.ts'])).toEqual({
        install: 200,
        deal: 200,
        deals: '6641',
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 90_000)
})
