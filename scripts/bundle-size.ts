/**
 * What the built package adds to a browser app: an app that makes one webhook call, bundled from `dist/` with
 * esbuild for the browser (minified, no externals: a Node built-in would fail the build), then gzipped. The same
 * bundling is what test/package/install.test.ts checks, so the README's figure comes from the tested bundle.
 *
 *   npm run build && npx tsx scripts/bundle-size.ts
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { type BuildResult, build } from 'esbuild'

export const ONE_CALL_APP = `
import { BitrixWebhook, Client } from 'b24tssdk'
const client = new Client(BitrixWebhook.fromUrl('https://example.bitrix24.com/rest/1/key/'))
client.crm.deal.get({ id: 1 }).then((response) => console.log(response.result.TITLE))
`

export interface BrowserBundleOptions {
  /** A folder where `b24tssdk` resolves (its node_modules has the package). */
  resolveDir: string
  minify?: boolean
  /** Lazily imported modules (the validation rules) as their own chunks, as a bundler for the web emits them. */
  splitting?: boolean
}

export type BrowserBundle = BuildResult<{ metafile: true; write: false }>

/** Bundles `source` (ESM) for the browser with no externals; fails if anything resolves to a Node built-in. */
export async function bundleForBrowser(source: string, options: BrowserBundleOptions): Promise<BrowserBundle> {
  return build({
    stdin: { contents: source, resolveDir: options.resolveDir, loader: 'js', sourcefile: 'app.js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    minify: options.minify ?? true,
    splitting: options.splitting ?? false,
    outdir: join(options.resolveDir, 'browser-bundle'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
}

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))

/** Inputs of a bundle that are Node built-ins (none may be there for a browser). */
export function nodeBuiltinsIn(bundle: BrowserBundle): string[] {
  const inputs = Object.values(bundle.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path))
  return [...new Set(inputs.filter((path) => BUILTINS.has(path) || path.startsWith('node:')))]
}

/** The output file of the app itself (the others are chunks it loads). */
export function entryOf(bundle: BrowserBundle): BrowserBundle['outputFiles'][number] {
  const [entryPath] = Object.entries(bundle.metafile.outputs).find(([, output]) => output.entryPoint) ?? []
  // Metafile paths are relative to the working directory; output files carry absolute paths.
  const entry = bundle.outputFiles.find((file) => entryPath !== undefined && file.path === resolve(entryPath))
  if (!entry) throw new Error('esbuild wrote no entry file')
  return entry
}

export interface BundleSize {
  minified: number
  gzip: number
  /** Gzipped chunks loaded on the first call (the parameter rules used by runtime validation). */
  lazyChunks: number
}

export async function measure(resolveDir: string): Promise<BundleSize> {
  const bundle = await bundleForBrowser(ONE_CALL_APP, { resolveDir, splitting: true })
  const entry = entryOf(bundle)
  const chunks = bundle.outputFiles.filter((file) => file !== entry && file.path.endsWith('.js'))
  return {
    minified: entry.contents.length,
    gzip: gzipSync(entry.contents).length,
    lazyChunks: chunks.reduce((sum, file) => sum + gzipSync(file.contents).length, 0),
  }
}

/** A throwaway folder whose node_modules/b24tssdk is this checkout (its dist/ and package.json). */
export function checkoutAsDependency(root: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'b24tssdk-bundle-size-'))
  mkdirSync(join(folder, 'node_modules'))
  symlinkSync(root, join(folder, 'node_modules', 'b24tssdk'), 'dir')
  return folder
}

/** The bundle size of the checkout at `root` (its dist/ must be built). */
export async function measureCheckout(root: string): Promise<BundleSize> {
  const folder = checkoutAsDependency(root)
  try {
    return await measure(folder)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

if (process.argv[1]?.endsWith('bundle-size.ts')) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    console.error('dist/ is missing: run `npm run build` first')
    process.exit(1)
  }
  const size = await measureCheckout(root)
  console.log(
    `browser, from dist/: ${(size.minified / 1024).toFixed(1)} KiB minified, ${(size.gzip / 1024).toFixed(1)} KiB gzip` +
      ` (+ ${(size.lazyChunks / 1024).toFixed(1)} KiB gzip loaded on the first call: validation rules)`,
  )
}
