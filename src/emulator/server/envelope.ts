/** The shapes of the portal's answers: `{result, total?, next?, time}` on success, `{error, error_description}` on failure. */
import type { RestError } from '../kernel.js'
import { formatIsoSeconds } from './clock.js'

export interface TimeBlock {
  start: number
  finish: number
  duration: number
  processing: number
  date_start: string
  date_finish: string
  operating_reset_at?: number
  operating?: number
}

/** Operating-time figures for one (credential, method); `resetAt` only when there is recorded usage. */
export interface OperatingInfo {
  operating: number
  resetAt?: number
}

export function timeBlock(
  start: number,
  finish: number,
  processing: number,
  operating?: OperatingInfo,
  tzMinutes = 0,
): TimeBlock {
  const block: TimeBlock = {
    start,
    finish,
    duration: finish - start,
    processing,
    date_start: formatIsoSeconds(start, tzMinutes),
    date_finish: formatIsoSeconds(finish, tzMinutes),
  }
  if (operating) {
    if (operating.resetAt !== undefined) block.operating_reset_at = operating.resetAt
    block.operating = operating.operating
  }
  return block
}

export interface SuccessEnvelope {
  result: unknown
  total?: number
  next?: number
  time: TimeBlock
}

/** `total` / `next` are `intval`-ed and lifted to the top level like the real server does (key order kept). */
export function successEnvelope(result: unknown, time: TimeBlock, total?: unknown, next?: unknown): SuccessEnvelope {
  return {
    result,
    ...(total === undefined || total === null ? {} : { total: toInt(total) }),
    ...(next === undefined || next === null ? {} : { next: toInt(next) }),
    time,
  }
}

export function toInt(value: unknown): number {
  const n = Math.trunc(Number(value))
  return Number.isFinite(n) ? n : 0
}

export interface ErrorEnvelope {
  error: string
  error_description: string
  [extra: string]: unknown
}

export function errorEnvelope(error: RestError): ErrorEnvelope {
  return { error: error.code, error_description: error.description, ...(error.extra ?? {}) }
}
