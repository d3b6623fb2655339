/**
 * Fastify: let the form body through unparsed and hand the raw request and response to the node:http adapter.
 *   npx tsx examples/apps/fastify.ts   → POST portal calls to http://127.0.0.1:3000/bitrix24
 */
import { pathToFileURL } from 'node:url'
import { toNodeListener } from 'b24tssdk'
import Fastify from 'fastify'
import { createExampleApp, type RunningExample } from './app.js'

export async function start(port = 0): Promise<RunningExample> {
  const app = createExampleApp()
  const server = Fastify()
  const listener = toNodeListener(app.handler)
  // Every content type stays a raw stream: the handler reads (and bounds) the body itself.
  server.removeAllContentTypeParsers()
  server.addContentTypeParser('*', (_request, _payload, done) => done(null))
  server.post('/bitrix24', async (request, reply) => {
    reply.hijack()
    await listener(request.raw, reply.raw)
  })
  const address = await server.listen({ port, host: '127.0.0.1' })
  return { url: `${address}/bitrix24`, app, close: () => server.close() }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  start(3000).then((running) => console.log(`Fastify app listening on ${running.url}`))
}
