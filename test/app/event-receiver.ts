/** A loopback node:http server that records the event POSTs an emulator sends it, for the event tests. */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseQuery } from '../../src/http/php-query.js'
import { readBody } from '../reliability/envelope-server.js'

/** One POST as the receiver saw it: the raw form body and what PHP's `parse_str` makes of it. */
export interface ReceivedPost {
  path: string
  contentType: string | undefined
  raw: string
  body: Record<string, unknown>
}

/** How the receiver answers: a status, or `hang` (never answers; the emulator's timeout has to cut it). */
export type ReceiverMode = { status: number } | 'hang'

export interface EventReceiver {
  url: string
  posts: ReceivedPost[]
  mode: ReceiverMode
  close(): Promise<void>
}

export async function startReceiver(mode: ReceiverMode = { status: 200 }): Promise<EventReceiver> {
  const posts: ReceivedPost[] = []
  const hanging = new Set<IncomingMessage>()
  const receiver: EventReceiver = { url: '', posts, mode, close: async () => undefined }
  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (raw) => {
        posts.push({ path: req.url ?? '', contentType: req.headers['content-type'], raw, body: parseQuery(raw) })
        if (receiver.mode === 'hang') {
          hanging.add(req)
          return
        }
        res.writeHead(receiver.mode.status, { 'content-type': 'text/plain' }).end('ok')
      },
      () => res.destroy(),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const req of hanging) req.socket.destroy()
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return receiver
}
