/**
 * Small helpers shared by the method implementations: PHP-like parameter coercion, deterministic hashing and
 * portal-time formatting. Parameters may come from form encoding (everything a string, lists as objects with
 * numeric keys) or from JSON (real types), so every reader here accepts both.
 */

import type { Params } from '../kernel.js'

/** Fixed REST page size. */
export const PAGE_SIZE = 50

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A PHP array: a list or a map (what `is_array` accepts). */
export function isPhpArray(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null
}

/** The first present parameter among `names` (exact spelling), e.g. `filter|FILTER`. */
export function pickParam(params: Params, ...names: string[]): unknown {
  for (const name of names) {
    if (Object.hasOwn(params, name) && params[name] !== undefined) return params[name]
  }
  return undefined
}

/** A list from a JSON array, a PHP-style map with numeric keys, a scalar (one element) or nothing (empty). */
export function toList(value: unknown): unknown[] {
  if (value === undefined || value === null) return []
  if (Array.isArray(value)) return value
  if (isRecord(value)) return Object.values(value)
  return [value]
}

/** PHP `intval` for the usual inputs: `"12"` → 12, `"12abc"` → 12, `"abc"` → 0, `true` → 1. */
export function intval(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string') {
    const m = /^\s*([+-]?\d+)/.exec(value)
    return m ? Number.parseInt(m[1], 10) : 0
  }
  return 0
}

/** A strictly positive integer ID, or `null` when the value is missing or not a positive integer. */
export function positiveId(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : null
  if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
    const n = Number.parseInt(value, 10)
    return n > 0 && Number.isSafeInteger(n) ? n : null
  }
  return null
}

/** A number from a JSON number or a numeric string; `null` otherwise. */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string') {
    const s = value.trim().replace(',', '.')
    if (s === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null
    return Number(s)
  }
  return null
}

/** Bitrix truthiness for flags: `Y`, `true`, `1`, `on` (any case) and `true`/`1`. */
export function truthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value
  if (typeof value === 'number') return value !== 0
  if (typeof value === 'string') return ['y', 'yes', 'true', '1', 'on'].includes(value.trim().toLowerCase())
  return false
}

/** `Y`/`N` from any flag-like input. */
export function toFlag(value: unknown): 'Y' | 'N' {
  return truthy(value) ? 'Y' : 'N'
}

/** PHP_INT_MAX as a JS number: where PHP's `intval` saturates. */
const PHP_INT_MAX = 2 ** 63 - 1

/** The `start` parameter: `-1` (no count) for any negative value, otherwise PHP `intval` (saturating). */
export function readStart(params: Params, ...names: string[]): number {
  const raw = pickParam(params, ...(names.length > 0 ? names : ['start']))
  const n = intval(raw)
  return n < 0 ? -1 : Math.min(n, PHP_INT_MAX)
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic hashing: every seeded value is a pure function of (portal seed, entity, row id, field).

function fmix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Uniform 32-bit hash of (seed, entity, id, salt). */
export function hash32(seed: number, entity: number, id: number, salt: number): number {
  let h = fmix((seed ^ Math.imul(entity + 0x3c6ef372, 0x27d4eb2d)) >>> 0)
  h = fmix((h ^ Math.imul(id, 0x9e3779b1) ^ Math.floor(id / 4294967296)) >>> 0)
  return fmix((h ^ Math.imul(salt + 0x165667b1, 0x61c88647)) >>> 0)
}

/** A deterministic random source bound to one entity of one portal. */
export class SeededRandom {
  constructor(
    private readonly seed: number,
    private readonly entity: number,
  ) {}

  /** Uniform float in [0, 1). */
  unit(id: number, salt: number): number {
    return hash32(this.seed, this.entity, id, salt) / 4294967296
  }

  /** Uniform integer in [0, n). */
  int(id: number, salt: number, n: number): number {
    return Math.floor(this.unit(id, salt) * n)
  }

  /** Uniform integer in [lo, hi]. */
  range(id: number, salt: number, lo: number, hi: number): number {
    return lo + this.int(id, salt, hi - lo + 1)
  }

  pick<T>(id: number, salt: number, items: readonly T[]): T {
    return items[this.int(id, salt, items.length)]
  }

  /** True with probability `p`. */
  chance(id: number, salt: number, p: number): boolean {
    return this.unit(id, salt) < p
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Portal time: values are Unix seconds; output is ISO-8601 with the portal's UTC offset.

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

export function offsetSuffix(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

function shifted(ts: number, offsetMinutes: number): Date {
  return new Date((Math.floor(ts) + offsetMinutes * 60) * 1000)
}

/** `2024-08-30T14:29:00+02:00` */
export function formatIso(ts: number, offsetMinutes: number): string {
  const d = shifted(ts, offsetMinutes)
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${offsetSuffix(offsetMinutes)}`
  )
}

/** `2024-07-23 08:08:50` (portal local time, no offset) */
export function formatSql(ts: number, offsetMinutes: number): string {
  const d = shifted(ts, offsetMinutes)
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  )
}

/** `04/17/2025 19:37:55` — the site format of an English portal. */
export function formatSite(ts: number, offsetMinutes: number): string {
  const d = shifted(ts, offsetMinutes)
  return (
    `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  )
}

/** `24.08.2023 13:19:39` — the site format of a European portal. */
export function formatDmy(ts: number, offsetMinutes: number): string {
  const d = shifted(ts, offsetMinutes)
  return (
    `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  )
}

/** Local midnight (in portal time) of the day containing `ts`. */
export function startOfDay(ts: number, offsetMinutes: number): number {
  const local = Math.floor(ts) + offsetMinutes * 60
  return local - (((local % 86400) + 86400) % 86400) - offsetMinutes * 60
}

/**
 * Parses the date forms clients send: ISO-8601 with or without offset (`2024-01-01T10:00:00+02:00`,
 * `2024-01-01`, `2024-01-01 10:00:00`), the site formats `DD.MM.YYYY [HH:MI:SS]` and `MM/DD/YYYY [HH:MI:SS]`,
 * and Unix seconds as a number. Values without an offset are portal local time. `null` when unrecognised.
 */
export function parseDate(value: unknown, offsetMinutes: number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value !== 'string') return null
  const s = value.trim()
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(s)
  let parts: number[] | null = null
  let tz: string | undefined
  if (m) {
    parts = [+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)]
    tz = m[7]
  } else {
    m = /^(\d{2})([./])(\d{2})\2(\d{4})(?:\s+(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s)
    if (m) {
      const [a, b] = [+m[1], +m[3]]
      const [day, month] = m[2] === '.' ? [a, b] : [b, a]
      parts = [+m[4], month, day, +(m[5] ?? 0), +(m[6] ?? 0), +(m[7] ?? 0)]
    }
  }
  if (!parts) return null
  const [y, mo, d, h, mi, se] = parts
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return null
  let offset = offsetMinutes
  if (tz !== undefined) {
    if (tz === 'Z') offset = 0
    else {
      const t = /^([+-])(\d{2}):?(\d{2})$/.exec(tz)
      if (!t) return null
      offset = (t[1] === '-' ? -1 : 1) * (+t[2] * 60 + +t[3])
    }
  }
  return Date.UTC(y, mo - 1, d, h, mi, se) / 1000 - offset * 60
}

/** `assignedById` → `ASSIGNED_BY_ID` */
export function camelToUpper(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toUpperCase()
}

/** `ASSIGNED_BY_ID` → `assignedById` */
export function upperToCamel(name: string): string {
  return name.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
}
