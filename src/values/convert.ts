/**
 * Wire values ↔ native values, driven by the portal's own field descriptions: `'Y'`/`'N'` ↔ boolean, integers and
 * IDs (`"42"`) ↔ number, dates ↔ `Date` in the portal's time zone, enumeration IDs ↔ number. Decimals (amounts,
 * `double` fields) are left exactly as the portal wrote them: a float would change `"12345678901234567.89"`.
 * A value that cannot convert without loss is a `BitrixValidationError` naming the field; nothing is guessed.
 */
import { BitrixValidationError } from '../errors/index.js'
import { type FieldSpec, parseFieldsDescription, type ValueFamily, valueFamily } from './field-spec.js'
import type { PortalFieldSet, PortalInput, PortalNative, PortalRecord, WhenDescribed } from './portal-types.js'

/** How a converter reads and writes values. */
export interface ValueConverterOptions {
  /** The portal's offset from UTC in minutes (`+180` for Moscow), for dates: `portalUtcOffset(…)` reads it. */
  utcOffsetMinutes: number
  /** Who the values are for, named in errors (`crm.deal`, `crm.item 1032`). */
  entity?: string
}

const FLAG_TRUE = new Set<unknown>(['Y', 'y', true])
const FLAG_FALSE = new Set<unknown>(['N', 'n', false])
const BOOLEAN_TRUE = new Set<unknown>(['Y', 'y', '1', 1, true])
const BOOLEAN_FALSE = new Set<unknown>(['N', 'n', '0', 0, '', false])

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === ''
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0')
}

/** `+03:00` for 180 minutes. */
function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

/** The wall-clock parts of `date` in a zone `offsetMinutes` from UTC. */
function wallClock(date: Date, offsetMinutes: number): Date {
  return new Date(date.getTime() + offsetMinutes * 60_000)
}

/** The portal's offset from UTC in minutes, read from a time it wrote (`server.time`: `…T10:00:00+03:00`). */
export function portalUtcOffset(isoTime: string): number {
  const match = /([+-])(\d{2}):?(\d{2})$/.exec(isoTime)
  if (!match) {
    if (/Z$/.test(isoTime)) return 0
    throw new BitrixValidationError({
      parameter: 'time',
      expected: 'an ISO 8601 time with an offset',
      received: isoTime,
    })
  }
  const minutes = Number(match[2]) * 60 + Number(match[3])
  return match[1] === '-' ? -minutes : minutes
}

/** Converts single values of one field family, in both directions. */
class FieldConverter {
  constructor(
    readonly field: FieldSpec,
    readonly family: ValueFamily,
    readonly offset: number,
    readonly entity: string,
  ) {}

  fail(expected: string, received: unknown): never {
    throw new BitrixValidationError({
      method: this.entity,
      parameter: this.field.name,
      expected,
      received,
    })
  }

  integer(value: unknown): number {
    const number =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^-?\d+$/.test(value)
          ? Number(value)
          : Number.NaN
    if (!Number.isSafeInteger(number)) this.fail('an integer within ±2^53 (a larger one would lose digits)', value)
    return number
  }

  date(value: unknown): Date {
    if (value instanceof Date) return value
    if (typeof value !== 'string') return this.fail('a date', value)
    const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00${offsetText(this.offset)}` : value
    const date = new Date(text)
    if (Number.isNaN(date.getTime())) this.fail('an ISO 8601 date', value)
    return date
  }

  toNative(value: unknown): unknown {
    switch (this.family) {
      case 'flag':
        if (isEmpty(value)) return null
        if (FLAG_TRUE.has(value)) return true
        if (FLAG_FALSE.has(value)) return false
        return this.fail('"Y" or "N"', value)
      case 'boolean':
        if (value === null || value === undefined) return null
        if (BOOLEAN_TRUE.has(value)) return true
        if (BOOLEAN_FALSE.has(value)) return false
        return this.fail('"Y", "N", 1 or 0', value)
      case 'integer':
        return isEmpty(value) ? null : this.integer(value)
      case 'enum':
        return isEmpty(value) ? null : typeof value === 'string' && !/^-?\d+$/.test(value) ? value : this.integer(value)
      case 'date':
      case 'datetime':
        return isEmpty(value) ? null : this.date(value)
      default:
        return value
    }
  }

  toWire(value: unknown): unknown {
    if (value === null || value === undefined) return value
    switch (this.family) {
      case 'flag':
        return value === true ? 'Y' : value === false ? 'N' : value
      case 'boolean':
        return value === true ? 1 : value === false ? 0 : value
      case 'integer':
      case 'enum':
        return typeof value === 'number' ? this.integer(value) : value
      case 'date':
      case 'datetime': {
        if (!(value instanceof Date)) return value
        if (Number.isNaN(value.getTime())) this.fail('a valid Date', value)
        const wall = wallClock(value, this.offset)
        const day = `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`
        if (this.family === 'date') return day
        const time = `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`
        return `${day}T${time}${offsetText(this.offset)}`
      }
      default:
        return value
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Converts records of one entity between the portal's wire values and native ones, in both directions, by the
 * entity's field descriptions (`crm.deal.fields`, `crm.item.fields`). Fields it has no description of pass
 * through unchanged. With a file from `b24tssdk typegen`, `S` is the entity's fields and both directions are typed.
 * @example
 * const deals = ValueConverter.fromDescription((await client.crm.deal.fields({})).result, { utcOffsetMinutes: 180 })
 * const deal = deals.toNative((await client.crm.deal.get({ id: 2 })).result) // deal.CLOSED: boolean
 * await client.crm.deal.update({ id: 2, fields: deals.toWire({ CLOSED: true, CLOSEDATE: new Date() }) })
 */
export class ValueConverter<S extends PortalFieldSet = PortalFieldSet> {
  readonly #fields = new Map<string, FieldConverter>()

  /** `fields`: the entity's field descriptions (`parseFieldsDescription` of a `*.fields` answer). */
  constructor(fields: readonly FieldSpec[], options: ValueConverterOptions) {
    const { utcOffsetMinutes, entity = 'entity' } = options
    if (!Number.isInteger(utcOffsetMinutes) || Math.abs(utcOffsetMinutes) > 14 * 60) {
      throw new BitrixValidationError({
        parameter: 'utcOffsetMinutes',
        expected: 'whole minutes between -840 and 840',
        received: utcOffsetMinutes,
      })
    }
    for (const field of fields) {
      this.#fields.set(field.name, new FieldConverter(field, valueFamily(field), utcOffsetMinutes, entity))
    }
  }

  /** A converter from a `*.fields` answer (`crm.deal.fields` or `crm.item.fields`, as returned). */
  static fromDescription<S extends PortalFieldSet = PortalFieldSet>(
    description: unknown,
    options: ValueConverterOptions,
  ): ValueConverter<S> {
    return new ValueConverter<S>(parseFieldsDescription(description), options)
  }

  /** The record with native values: booleans, numbers, `Date`s; multiple fields as arrays. */
  toNative(
    record: WhenDescribed<S, PortalRecord<S>, object>,
  ): WhenDescribed<S, PortalNative<S>, Record<string, unknown>> {
    return this.#convert(record, 'toNative') as WhenDescribed<S, PortalNative<S>, Record<string, unknown>>
  }

  /** The fields with wire values, ready for `add` / `update`: `'Y'`/`'N'`, dates in the portal's time zone. */
  toWire(
    values: WhenDescribed<S, PortalNative<S> | PortalInput<S>, object>,
  ): WhenDescribed<S, PortalInput<S>, Record<string, unknown>> {
    return this.#convert(values, 'toWire') as WhenDescribed<S, PortalInput<S>, Record<string, unknown>>
  }

  #convert(record: unknown, direction: 'toNative' | 'toWire'): Record<string, unknown> {
    if (!isRecord(record)) {
      throw new BitrixValidationError({ parameter: 'record', expected: 'an object of fields', received: record })
    }
    const out: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(record)) {
      const field = this.#fields.get(name)
      if (!field) out[name] = value
      else if (field.field.multiple) {
        out[name] =
          isEmpty(value) || value === false
            ? []
            : Array.isArray(value)
              ? value.map((v) => field[direction](v))
              : [field[direction](value)]
      } else out[name] = field[direction](value)
    }
    return out
  }
}
