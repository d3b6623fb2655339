/**
 * Hono: its request is already a WHATWG `Request`, so the handler is the route. Served here by node:http through
 * the SDK's adapter; on Bun it is `Bun.serve({ fetch: app.fetch })`, on Deno `Deno.serve(app.fetch)`.
 *   npx tsx examples/apps/hono.ts   → POST portal calls to http://127.0.0.1:3000/bitrix24
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { toNodeListener } from 'b24tssdk'
import { Hono } from 'hono'
import { createExampleApp, type RunningExample } from './app.js'

export async function start(port = 0): Promise<RunningExample> {
  const app = createExampleApp()
  const hono = new Hono()
  hono.post('/bitrix24', (context) => app.handler(context.req.raw))
  const http = createServer(toNodeListener((request) => Promise.resolve(hono.fetch(request))))
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve))
  const { port: bound } = http.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${bound}/bitrix24`,
    app,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections()
        http.close(() => resolve())
      }),
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  start(3000).then((running) => console.log(`Hono app listening on ${running.url}`))
}
