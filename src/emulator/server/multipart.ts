/**
 * Streams the file part of a `multipart/form-data` request into a file, a chunk at a time: the only bytes held are
 * the current chunk and a tail shorter than the boundary. Other parts are skipped.
 */

import { once } from 'node:events'
import { createWriteStream, type WriteStream } from 'node:fs'
import type { IncomingMessage } from 'node:http'

/** What came of reading the upload. */
export type MultipartOutcome =
  | { ok: true; name: string; size: number }
  | { ok: false; reason: 'no-file' | 'malformed' | 'too-large' | 'aborted' }

/** The boundary of a `multipart/form-data` content type, or undefined. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /^multipart\/form-data\s*;.*?boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '')
  return match ? (match[1] ?? match[2]) : undefined
}

function dispositionOf(headers: string): { name?: string; filename?: string } {
  const line = headers.split('\r\n').find((h) => /^content-disposition\s*:/i.test(h)) ?? ''
  const value = (key: string) => {
    const match = new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(line)
    if (!match) return undefined
    const raw = match[1].replace(/\\(.)/g, '$1')
    try {
      return decodeURIComponent(raw.replace(/%(?![0-9a-f]{2})/gi, '%25'))
    } catch {
      return raw
    }
  }
  return { name: value('name'), filename: value('filename') }
}

const HEADER_LIMIT = 16 * 1024

/**
 * Writes the part named `field` (with a file name) to `path`; at most `limit` bytes, else `too-large` (the rest
 * of the request is drained, not stored).
 */
export async function receiveMultipartFile(
  req: IncomingMessage,
  boundary: string,
  field: string,
  path: string,
  limit: number,
): Promise<MultipartOutcome> {
  const opening = Buffer.from(`--${boundary}`)
  const delimiter = Buffer.from(`\r\n--${boundary}`)
  let state: 'preamble' | 'headers' | 'body' | 'done' = 'preamble'
  let buffer: Buffer = Buffer.alloc(0)
  let out: WriteStream | undefined
  let writing = false
  let name = ''
  let size = 0
  let found: MultipartOutcome | undefined
  let failed: MultipartOutcome | undefined
  const write = async (bytes: Buffer) => {
    if (!writing || !out || bytes.length === 0) return
    size += bytes.length
    if (size > limit) {
      failed = { ok: false, reason: 'too-large' }
      return
    }
    if (!out.write(bytes)) await once(out, 'drain')
  }
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      if (failed) continue // drain the rest
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
      for (let progress = true; progress && !failed; ) {
        progress = false
        if (state === 'preamble') {
          const at = buffer.indexOf(opening)
          if (at >= 0 && buffer.length >= at + opening.length + 2) {
            buffer = buffer.subarray(at + opening.length + 2)
            state = 'headers'
            progress = true
          }
        } else if (state === 'headers') {
          const end = buffer.indexOf('\r\n\r\n')
          if (end < 0 && buffer.length > HEADER_LIMIT) failed = { ok: false, reason: 'malformed' }
          if (end >= 0) {
            const disposition = dispositionOf(buffer.subarray(0, end).toString('utf8'))
            buffer = buffer.subarray(end + 4)
            writing = found === undefined && disposition.name === field && disposition.filename !== undefined
            if (writing) {
              name = disposition.filename ?? ''
              out = createWriteStream(path)
              // A client that goes away mid-upload destroys the stream with writes pending; never an uncaught error.
              out.on('error', () => {
                failed ??= { ok: false, reason: 'aborted' }
              })
            }
            state = 'body'
            progress = true
          }
        } else if (state === 'body') {
          const at = buffer.indexOf(delimiter)
          if (at >= 0) {
            if (buffer.length < at + delimiter.length + 2) break
            await write(buffer.subarray(0, at))
            if (writing && !failed) {
              found = { ok: true, name, size }
              writing = false
              out?.end()
              if (out) await once(out, 'close')
            }
            const after = buffer.subarray(at + delimiter.length, at + delimiter.length + 2).toString()
            buffer = buffer.subarray(at + delimiter.length + 2)
            state = after === '--' ? 'done' : 'headers'
            progress = state !== 'done'
          } else {
            const keep = Math.min(buffer.length, delimiter.length - 1)
            await write(buffer.subarray(0, buffer.length - keep))
            buffer = Buffer.from(buffer.subarray(buffer.length - keep))
          }
        }
      }
    }
  } catch {
    failed ??= { ok: false, reason: 'aborted' }
  } finally {
    if (out && !out.closed) {
      out.destroy()
    }
  }
  if (failed) return failed
  if (!req.complete) return { ok: false, reason: 'aborted' }
  if (found) return found
  return { ok: false, reason: state === 'done' || state === 'preamble' ? 'no-file' : 'malformed' }
}
