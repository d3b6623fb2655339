/** Reading a request body with a size limit; an oversized body is drained and dropped, never buffered. */
import type { IncomingMessage } from 'node:http'

export interface ReadBody {
  body: Buffer
  tooLarge: boolean
  /** The client went away before the body ended; nobody is left to answer. */
  aborted: boolean
}

export function readBody(req: IncomingMessage, limit: number): Promise<ReadBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limit
    let done = false
    const finish = (aborted: boolean) => {
      if (done) return
      done = true
      resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge, aborted })
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) tooLarge = true
      if (tooLarge) chunks.length = 0
      else chunks.push(chunk)
    })
    req.on('end', () => finish(false))
    req.on('error', () => finish(true))
    req.on('close', () => finish(!req.complete))
  })
}
