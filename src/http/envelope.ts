/**
 * Reads the portal's JSON envelope: `{ result, total?, next?, time }` on success, `{ error, error_description }`
 * (or REST v3 `{ error: { code, message } }`) on failure. A body that is not JSON becomes a typed parse error.
 */
import { BitrixResponseParseError } from '../errors/index.js'
import type { RawTime } from '../requests/response.js'

export interface SuccessEnvelope {
  ok: true
  result: unknown
  total: number | undefined
  next: number | undefined
  time: RawTime | undefined
}

export interface ErrorEnvelope {
  ok: false
  status: number
  body: { error: string; error_description?: string; [key: string]: unknown }
}

export type Envelope = SuccessEnvelope | ErrorEnvelope

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function parseEnvelope(status: number, text: string, contentType: string | undefined): Envelope {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new BitrixResponseParseError({ status, contentType, body: text })
  }
  if (!isRecord(parsed)) throw new BitrixResponseParseError({ status, contentType, body: text })
  if ('error' in parsed && !('result' in parsed)) {
    const error = parsed.error
    if (isRecord(error)) {
      return {
        ok: false,
        status,
        body: { ...parsed, error: String(error.code ?? ''), error_description: String(error.message ?? '') },
      }
    }
    return { ok: false, status, body: { ...parsed, error: String(error ?? '') } as ErrorEnvelope['body'] }
  }
  if (!('result' in parsed)) {
    if (status >= 400) return { ok: false, status, body: { error: '', error_description: `HTTP ${status}` } }
    throw new BitrixResponseParseError({ status, contentType, body: text })
  }
  return {
    ok: true,
    result: parsed.result,
    total: parsed.total === undefined ? undefined : Number(parsed.total),
    next: parsed.next === undefined ? undefined : Number(parsed.next),
    time: isRecord(parsed.time) ? (parsed.time as RawTime) : undefined,
  }
}
