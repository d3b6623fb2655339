/**
 * Writing answers: the portal's headers, PHP-flavoured JSON (or XML), CORS. The allowed request headers are
 * exactly the portal's (`origin, content-type, accept`, protocol.md), so a browser test against the emulator fails
 * where it would fail against a real portal.
 */
import type { ServerResponse } from 'node:http'
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib'
import { encodePhpJson, JsonEncodeError } from './json.js'
import { encodeXml } from './xml.js'

export type Format = 'json' | 'xml'

const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'origin, content-type, accept',
  'X-Content-Type-Options': 'nosniff',
}

const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
}

const WRONG_ENCODING = { error: 'WRONG_ENCODING', error_description: 'Wrong request encoding' }

function encodeBody(body: unknown, format: Format): string {
  return format === 'xml' ? encodeXml(body) : encodePhpJson(body)
}

/**
 * Sends `body` with the portal's headers; a body that cannot be encoded becomes 500 `WRONG_ENCODING`.
 * `truncated` (an injected fault) sends the full Content-Length but only half the bytes, then drops the socket.
 */
export function sendBody(
  res: ServerResponse,
  status: number,
  body: unknown,
  format: Format = 'json',
  headers: Record<string, string> = {},
  truncated = false,
): void {
  let text: string
  try {
    text = encodeBody(body, format)
  } catch (error) {
    if (!(error instanceof JsonEncodeError) && !(error instanceof RangeError)) throw error
    status = 500
    text = encodeBody(WRONG_ENCODING, format)
  }
  writeRaw(res, status, text, { 'Content-Type': CONTENT_TYPES[format], ...headers }, truncated)
}

/**
 * Bodies shorter than this go out as they are, as a portal's nginx leaves small answers alone (`gzip_min_length`);
 * larger ones are compressed when the request's `Accept-Encoding` allows it.
 */
export const COMPRESS_MIN_BYTES = 1024

type Coding = 'br' | 'gzip' | 'deflate'

/**
 * The coding to answer in (`;q=0` refuses one), or none: gzip first — every client takes it and it is cheap to
 * make, so the emulator's own CPU does not weigh on the figures of the clients it serves — then br, then deflate.
 */
export function chooseEncoding(acceptEncoding: string | undefined): Coding | undefined {
  if (!acceptEncoding) return undefined
  const accepted = new Set<string>()
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';')
    const refused = params.some((param) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(param))
    if (!refused) accepted.add(name.trim())
  }
  return (['gzip', 'br', 'deflate'] as const).find((coding) => accepted.has(coding))
}

/** nginx's default gzip level (1); brotli at quality 4, which costs about what gzip level 1 does. */
function compress(payload: Buffer, coding: Coding): Buffer {
  if (coding === 'br') return brotliCompressSync(payload, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } })
  return coding === 'gzip' ? gzipSync(payload, { level: 1 }) : deflateSync(payload, { level: 1 })
}

/** Who is told each answer's body size as sent (the stats' `responseBodyBytes`), per response. */
const bodyMeters = new WeakMap<ServerResponse, (bytes: number) => void>()

/** Reports the size of the body `writeRaw` sends on `res`, compressed or not, before it is written. */
export function meterBody(res: ServerResponse, meter: (bytes: number) => void): void {
  bodyMeters.set(res, meter)
}

export function writeRaw(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string>,
  truncated = false,
): void {
  if (res.headersSent || res.destroyed) return
  let payload: Buffer = Buffer.from(text, 'utf8')
  const coding = payload.length >= COMPRESS_MIN_BYTES ? chooseEncoding(res.req?.headers['accept-encoding']) : undefined
  const encoded: Record<string, string> = {}
  if (coding) {
    payload = compress(payload, coding)
    encoded['Content-Encoding'] = coding
    encoded.Vary = 'Accept-Encoding'
  }
  bodyMeters.get(res)?.(payload.length)
  res.writeHead(status, { ...CORS_HEADERS, ...headers, ...encoded, 'Content-Length': String(payload.length) })
  if (truncated) res.write(payload.subarray(0, payload.length >> 1), () => res.destroy())
  else res.end(payload)
}

/** CORS preflight. */
export function sendPreflight(res: ServerResponse): void {
  res.writeHead(200, {
    ...CORS_HEADERS,
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Max-Age': '86400',
    'Content-Length': '0',
  })
  res.end()
}

export function sendRedirect(res: ServerResponse, location: string): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(302, { ...CORS_HEADERS, Location: location, 'Content-Length': '0' })
  res.end()
}

/** What a route answers with; the router writes it (or, for an injected fault, mangles it). */
export interface Reply {
  status: number
  body?: unknown
  format?: Format
  headers?: Record<string, string>
  /** A 302 to this address instead of a body. */
  location?: string
  /** An HTML page instead of a JSON body (what a front end answers, e.g. a gateway timeout). */
  html?: string
}
