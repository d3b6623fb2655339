/**
 * Express: mount the node:http adapter on the route before any body parser (the handler reads the body itself).
 *   npx tsx examples/apps/express.ts   → POST portal calls to http://127.0.0.1:3000/bitrix24
 */
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { toNodeListener } from 'b24tssdk'
import express from 'express'
import { createExampleApp, type RunningExample } from './app.js'

export async function start(port = 0): Promise<RunningExample> {
  const app = createExampleApp()
  const server = express()
  const listener = toNodeListener(app.handler)
  server.post('/bitrix24', (request, response) => listener(request, response))
  const http = server.listen(port, '127.0.0.1')
  await new Promise<void>((resolve) => http.once('listening', () => resolve()))
  const { port: bound } = http.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${bound}/bitrix24`,
    app,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  start(3000).then((running) => console.log(`Express app listening on ${running.url}`))
}
