/**
 * The package as an app gets it: installed from this folder into a fresh project (npm packs it, which runs
 * `prepare`, the one build of the run), then
 * - TypeScript consumers, ESM and CJS, `node16` and `bundler` resolution, compiled and run under Node against the
 *   package's own emulator: calls, typed errors shared across entry points, class and function names as in the sources;
 * - the README's Install snippet, as written, under Node, Bun and Deno against an emulator this test runs;
 * - `dist/` bundled for the browser with no externals: no Node built-in, and the bundle works (over `fetch`).
 * Offline: the package has no runtime dependencies; TypeScript and @types/node come from this checkout.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleForBrowser, nodeBuiltinsIn } from '../../scripts/bundle-size.js'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import * as sourceErrors from '../../src/errors/index.js'
import * as sourceCore from '../../src/index.js'
import * as sourceLog from '../../src/log/index.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
const SEED = { seed: { deals: 3 }, randomSeed: 11 } as const

interface Run {
  stdout: string
  stderr: string
}

/** Runs a program to its end (bounded by `timeoutMs`), failing with its output when it exits non-zero. */
function run(
  file: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 120_000,
): Promise<Run> {
  return new Promise((done, fail) => {
    execFile(
      file,
      args,
      { cwd, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) fail(new Error(`${file} ${args.join(' ')} failed in ${cwd}: ${error.message}\n${stdout}\n${stderr}`))
        else done({ stdout, stderr })
      },
    )
  })
}

/** The names of the functions (classes among them) a module exports, keyed by export name. */
function functionNames(module: object): Record<string, string> {
  const names: Record<string, string> = {}
  for (const [key, value] of Object.entries(module)) if (typeof value === 'function') names[key] = value.name
  return names
}

/** A TypeScript app: starts the installed package's emulator, calls it, prints what it saw as one JSON line. */
const CONSUMER = `import * as core from 'b24tssdk'
import { BitrixWebhook, Client, Config } from 'b24tssdk'
import { startEmulator } from 'b24tssdk/emulator'
import * as errors from 'b24tssdk/errors'
import * as log from 'b24tssdk/log'

function functionNames(module: object): Record<string, string> {
  const names: Record<string, string> = {}
  for (const [key, value] of Object.entries(module)) if (typeof value === 'function') names[key] = value.name
  return names
}

async function main(): Promise<void> {
  new Config().configure({ logger: new log.NullLogger() })
  const emu = await startEmulator(${JSON.stringify(SEED)})
  try {
    const client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl))
    const deal = await client.crm.deal.get({ id: 1 })
    const title: string | null | undefined = deal.result.TITLE
    let caught: unknown
    try {
      await client.call('crm.nothing.here')
    } catch (error) {
      caught = error
    }
    console.log(JSON.stringify({
      title,
      typedError: caught instanceof errors.BitrixAPIMethodNotFound && caught instanceof errors.BitrixAPIError,
      errorName: caught instanceof Error ? caught.name : undefined,
      errorClass: caught instanceof Error ? caught.constructor.name : undefined,
      names: { core: functionNames(core), errors: functionNames(errors), log: functionNames(log) },
    }))
  } finally {
    await emu.close()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
`

interface ConsumerReport {
  title: string
  typedError: boolean
  errorName: string
  errorClass: string
  names: { core: Record<string, string>; errors: Record<string, string>; log: Record<string, string> }
}

const CONSUMERS = {
  'esm-node16': { type: 'module', module: 'node16', moduleResolution: 'node16' },
  'cjs-node16': { type: 'commonjs', module: 'node16', moduleResolution: 'node16' },
  'esm-bundler': { type: 'module', module: 'esnext', moduleResolution: 'bundler' },
} as const

/** An app's compiler options; TypeScript and @types/node come from this checkout (the test runs offline). */
function tsOptions(module: string, moduleResolution: string): Record<string, unknown> {
  return {
    module,
    moduleResolution,
    target: 'es2022',
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    outDir: 'out',
    typeRoots: [join(ROOT, 'node_modules', '@types')],
    types: ['node'],
  }
}

/** The first ```js block of the README's Install section. */
function installSnippet(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Install'))
  const match = /```js\n([\s\S]*?)```/.exec(section)
  if (!match) throw new Error('README.md: no ```js block in the Install section')
  return match[1]
}

/** Every ```ts block of the README, in order. */
function typescriptSnippets(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1])
}

let app: string
let emu: Emulator
let expectedTitle: string | null | undefined

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'b24tssdk-app-'))
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'an-app', private: true, type: 'module' }))
  // A path install with --install-links packs the folder like a release: `prepare` builds dist/ in it.
  await run(
    'npm',
    ['install', '--install-links', '--offline', '--no-audit', '--no-fund', ROOT],
    app,
    { npm_config_ignore_scripts: 'false' },
    900_000,
  )
  emu = await startEmulator(SEED)
  const { BitrixWebhook, Client } = sourceCore
  expectedTitle = (await new Client(BitrixWebhook.fromUrl(emu.webhookUrl)).crm.deal.get({ id: 1 })).result.TITLE
}, 960_000)

afterAll(async () => {
  await emu?.close()
  if (app) rmSync(app, { recursive: true, force: true })
})

describe('installed from a path to this folder', () => {
  it('ships dist/ (built by prepare), spec/, the LICENSE and the b24tssdk command', () => {
    const installed = join(app, 'node_modules', 'b24tssdk')
    for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'spec/methods.json', 'LICENSE']) {
      expect(existsSync(join(installed, file)), file).toBe(true)
    }
    expect(existsSync(join(app, 'node_modules', '.bin', 'b24tssdk'))).toBe(true)
  })

  for (const [name, options] of Object.entries(CONSUMERS)) {
    it(`TypeScript consumer ${name}: compiles, calls the emulator, typed errors and names as in the sources`, async () => {
      const dir = join(app, name)
      mkdirSync(dir)
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: options.type }))
      writeFileSync(join(dir, 'consumer.ts'), CONSUMER)
      const compilerOptions = tsOptions(options.module, options.moduleResolution)
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }))
      await run(process.execPath, [TSC, '-p', 'tsconfig.json'], dir)
      const report = JSON.parse((await run(process.execPath, ['out/consumer.js'], dir)).stdout) as ConsumerReport
      expect(report.title).toBe(expectedTitle)
      expect(report.typedError).toBe(true)
      expect([report.errorName, report.errorClass]).toEqual(['BitrixAPIMethodNotFound', 'BitrixAPIMethodNotFound'])
      expect(report.names).toEqual({
        core: functionNames(sourceCore),
        errors: functionNames(sourceErrors),
        log: functionNames(sourceLog),
      })
    })
  }

  it("every TypeScript snippet of the README compiles as written in an app; the emulator's one runs", async () => {
    const dir = join(app, 'readme-ts')
    mkdirSync(dir)
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
    const snippets = typescriptSnippets()
    expect(snippets.length).toBeGreaterThan(1)
    const files = snippets.map((snippet, index) => {
      writeFileSync(join(dir, `snippet-${index}.ts`), snippet)
      return `snippet-${index}.ts`
    })
    const compilerOptions = tsOptions('node16', 'node16')
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }))
    await run(process.execPath, [TSC, '-p', 'tsconfig.json'], dir)
    // Only snippets that stay on loopback run: the others call example.bitrix24.com.
    const local = files.filter((_, index) => snippets[index].includes('startEmulator('))
    expect(local.length).toBeGreaterThan(0)
    for (const file of local) await run(process.execPath, [join('out', file.replace(/\.ts$/, '.js'))], dir)
  })

  const runtimes: Array<[string, (file: string) => [string, string[]]]> = [
    ['Node', (file) => [process.execPath, [file]]],
    ['Bun', (file) => [join(ROOT, 'node_modules', '.bin', 'bun'), [file]]],
    ['Deno', (file) => [join(ROOT, 'node_modules', '.bin', 'deno'), ['run', '-A', '--no-lock', file]]],
  ]
  for (const [runtime, command] of runtimes) {
    it(`the README's Install snippet runs as written under ${runtime}`, async () => {
      writeFileSync(join(app, 'readme-snippet.mjs'), installSnippet())
      const [file, args] = command('readme-snippet.mjs')
      const env = { B24_WEBHOOK_URL: emu.webhookUrl, DENO_DIR: join(app, '.deno'), NO_COLOR: '1' }
      const { stdout } = await run(file, args, app, env)
      expect(stdout.trim()).toBe(expectedTitle)
    })
  }
})

describe('dist/ bundled for the browser, no externals', () => {
  it('an app with the client, errors and logs: no Node built-in, the fetch transport, and it works', async () => {
    const source = `import { BitrixWebhook, Client } from 'b24tssdk'
import { BitrixAPIMethodNotFound } from 'b24tssdk/errors'
import { NullLogger } from 'b24tssdk/log'
export async function run(url) {
  const client = new Client(BitrixWebhook.fromUrl(url), { logger: new NullLogger() })
  const deal = await client.crm.deal.get({ id: 1 })
  let typedError = false
  try {
    await client.call('crm.nothing.here')
  } catch (error) {
    typedError = error instanceof BitrixAPIMethodNotFound
  }
  return { title: deal.result.TITLE, typedError }
}
`
    const bundle = await bundleForBrowser(source, { resolveDir: app, minify: false })
    expect(nodeBuiltinsIn(bundle)).toEqual([])
    const inputs = Object.keys(bundle.metafile.inputs)
    expect(inputs.some((path) => path.endsWith('dist/default-transport.js'))).toBe(true)
    expect(inputs.some((path) => path.includes('default-transport.node'))).toBe(false)
    const file = join(app, 'browser-app.mjs')
    writeFileSync(file, bundle.outputFiles[0].contents)
    const bundled = (await import(pathToFileURL(file).href)) as { run: (url: string) => Promise<unknown> }
    expect(await bundled.run(emu.webhookUrl)).toEqual({ title: expectedTitle, typedError: true })
  })

  it('b24tssdk/errors, b24tssdk/log and b24tssdk/frame alone bundle too', async () => {
    for (const entry of ['b24tssdk/errors', 'b24tssdk/log', 'b24tssdk/frame']) {
      const bundle = await bundleForBrowser(`export * from '${entry}'`, { resolveDir: app })
      expect(nodeBuiltinsIn(bundle), entry).toEqual([])
    }
  })
})
