/**
 * Measures what the SDK adds to an application bundle: an app that makes one webhook call, bundled with
 * esbuild (minified) for the browser and for Node, then gzipped. `npx tsx scripts/bundle-size.ts`
 */
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const app = `
import { BitrixWebhook, Client } from './src/index.ts'
const client = new Client(BitrixWebhook.fromUrl('https://example.bitrix24.com/rest/1/key/'))
client.crm.deal.get({ id: 1 }).then((response) => console.log(response.result.TITLE))
`

export async function measure(
  platform: 'browser' | 'node',
): Promise<{ minified: number; gzip: number; lazyChunks: number }> {
  const result = await build({
    stdin: { contents: app, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    splitting: true,
    outdir: 'bundle-size-out',
    write: false,
    external: ['node:*'],
  })
  const entry = result.outputFiles.find((file) => file.path.endsWith('stdin.js'))!
  const chunks = result.outputFiles.filter((file) => file !== entry && file.path.endsWith('.js'))
  return {
    minified: entry.contents.length,
    gzip: gzipSync(entry.contents).length,
    lazyChunks: chunks.reduce((sum, file) => sum + gzipSync(file.contents).length, 0),
  }
}

if (process.argv[1]?.endsWith('bundle-size.ts')) {
  for (const platform of ['browser', 'node'] as const) {
    const size = await measure(platform)
    console.log(
      `${platform}: ${(size.minified / 1024).toFixed(1)} KiB minified, ${(size.gzip / 1024).toFixed(1)} KiB gzip` +
        ` (+ ${(size.lazyChunks / 1024).toFixed(1)} KiB gzip of chunks loaded on demand: validation rules, node transport)`,
    )
  }
}
