/**
 * Every code block of docs/guides and docs/migration compiles against the SDK's types, and every runnable one
 * runs to the end against a fresh emulator, reading the portal from the environment as the guides say.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { readSnippets } from './snippets.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const snippetsDir = fileURLToPath(new URL('.snippets', import.meta.url))
const snippets = readSnippets(fileURLToPath(new URL('../../docs', import.meta.url)), ['guides', 'migration'])

/** What a guide reads from the environment, pointed at one emulator. */
function portalEnvironment(emu: Emulator): Record<string, string> {
  const app = emu.createApp()
  const issued = emu.issueToken({ clientId: app.clientId })
  return {
    B24_WEBHOOK_URL: emu.webhookUrl,
    B24_DOMAIN: emu.url,
    B24_CLIENT_ID: app.clientId,
    B24_CLIENT_SECRET: app.clientSecret,
    B24_ACCESS_TOKEN: issued.accessToken,
    B24_REFRESH_TOKEN: issued.refreshToken,
    B24_OAUTH_SERVER: emu.url,
  }
}

beforeAll(() => {
  rmSync(snippetsDir, { recursive: true, force: true })
  mkdirSync(snippetsDir, { recursive: true })
  for (const snippet of snippets) writeFileSync(`${snippetsDir}/${snippet.fileName}`, snippet.code)
})

describe('the guides', () => {
  it('have code blocks in every guide and migration table', () => {
    const pages = new Set(snippets.map((snippet) => snippet.id.split('#')[0]))
    expect(pages.size).toBeGreaterThanOrEqual(12)
    expect(snippets.filter((snippet) => snippet.run).length).toBeGreaterThanOrEqual(20)
  })

  it('compile, every block', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
    try {
      execFileSync(process.execPath, [tsc, '-p', 'test/docs/tsconfig.json'], { cwd: root, encoding: 'utf8' })
    } catch (error) {
      const output = (error as { stdout?: string }).stdout ?? String(error)
      expect.fail(`the guides' code does not compile:\n${output}`)
    }
  }, 180_000)

  describe('run against the emulator', () => {
    let emu: Emulator | undefined
    afterEach(async () => {
      vi.unstubAllEnvs()
      vi.restoreAllMocks()
      await emu?.close()
      emu = undefined
    })

    for (const snippet of snippets.filter((s) => s.run)) {
      it(snippet.id, async () => {
        emu = await startEmulator({ seed: { deals: 300, users: 6, departments: 3 }, plan: 'off' })
        for (const [name, value] of Object.entries(portalEnvironment(emu))) vi.stubEnv(name, value)
        const printed: unknown[][] = []
        vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
          printed.push(args)
        })
        await import(pathToFileURL(`${snippetsDir}/${snippet.fileName}`).href)
        expect(printed.length, 'a guide program prints what it shows').toBeGreaterThan(0)
      }, 60_000)
    }
  })
})
