/**
 * Field typing of the generic store: how a documented field travels on the wire (taken from the family's
 * documented example where there is one, else from the documented parameter type and the family's style), how
 * input of any encoding (JSON types or PHP form strings) is stored, and how a stored value is printed again.
 */
import type { ValueKind } from '../query.js'
import { formatIso, formatSql, intval, isRecord, parseDate, toFlag, toList, toNumber, truthy } from '../util.js'

/**
 * `intString` / `floatString`: numbers sent as strings (legacy CRM style); `flag`: `'Y'`/`'N'`; `datetime`: ISO
 * 8601 with the portal offset; `date`: `YYYY-MM-DD`; `sqlDatetime`: `YYYY-MM-DD HH:MM:SS`; `list` / `object`:
 * structures kept as given; `any`: stored and returned as given.
 */
export type Wire =
  | 'int'
  | 'intString'
  | 'float'
  | 'floatString'
  | 'flag'
  | 'bool'
  | 'datetime'
  | 'date'
  | 'sqlDatetime'
  | 'string'
  | 'list'
  | 'object'
  | 'any'

/** Whether a family sends numbers as strings (legacy `crm.deal.*` style) or as JSON numbers. */
export type Style = 'legacy' | 'typed'

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/
const SQL_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

const NUMERIC_PARAM_TYPES = new Set(['integer', 'double', 'float', 'number'])

/** Documented types whose values are IDs: `user`, `catalog_store.id`, CRM entity and enum references. */
function isIdLike(type: string): boolean {
  return (
    type.endsWith('.id') ||
    type === 'user' ||
    /^crm_(company|contact|lead|deal|quote|invoice|category|entity|enum_[a-z_]+)$/.test(type)
  )
}

/** The wire type of a documented example value; `null` when the value says nothing (`null`, a number-ish string of a text field). */
export function wireOfExample(value: unknown, paramType: string | undefined): Wire | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) && paramType !== 'double' ? 'int' : 'float'
  if (Array.isArray(value)) return 'list'
  if (typeof value === 'object') return 'object'
  if (typeof value !== 'string') return 'any'
  const type = paramType ?? ''
  if (ISO_DATETIME.test(value)) return 'datetime'
  if (SQL_DATETIME.test(value)) return 'sqlDatetime'
  if (ISO_DATE.test(value) && (type === 'date' || type === '')) return 'date'
  if ((value === 'Y' || value === 'N') && type !== 'string') return 'flag'
  if (/^-?\d+$/.test(value) && (NUMERIC_PARAM_TYPES.has(type) || isIdLike(type) || type === '')) {
    return type === 'double' ? 'floatString' : 'intString'
  }
  if (/^-?\d+\.\d+$/.test(value) && (NUMERIC_PARAM_TYPES.has(type) || type === '')) return 'floatString'
  return 'string'
}

/** The wire type of a field the example does not show, from its documented type and the family's style. */
export function wireOfParam(type: string, array: boolean, style: Style): Wire {
  if (array) return 'list'
  const first = type.split('|')[0]
  if (first === 'integer' || isIdLike(first)) return style === 'legacy' ? 'intString' : 'int'
  if (first === 'double' || first === 'float' || first === 'number') return style === 'legacy' ? 'floatString' : 'float'
  if (first === 'boolean') return style === 'legacy' ? 'flag' : 'bool'
  if (first === 'date') return 'date'
  if (first === 'datetime') return 'datetime'
  if (first === 'array') return 'list'
  if (first === 'object' || first === 'lang_map') return 'object'
  if (first === 'string' || first === 'char' || first === 'text') return 'string'
  return 'any'
}

/** How the filter/order engine compares a stored value. */
export function valueKindOf(wire: Wire): ValueKind {
  switch (wire) {
    case 'int':
    case 'intString':
    case 'float':
    case 'floatString':
      return 'number'
    case 'flag':
      return 'flag'
    case 'bool':
      return 'bool'
    case 'datetime':
    case 'date':
    case 'sqlDatetime':
      return 'date'
    case 'list':
      return 'strings'
    default:
      return 'string'
  }
}

/** Marks input that cannot be read as the field's type (the caller reports it). */
export const INVALID = Symbol('invalid')

/** Input (JSON value or PHP form string) → stored value: numbers and dates as numbers, flags as `Y`/`N`. */
export function storeValue(wire: Wire, value: unknown, tz: number): unknown {
  const empty = value === null || value === undefined || value === ''
  switch (wire) {
    case 'int':
    case 'intString': {
      // PHP casts: '12abc' → 12, 'abc' → 0; structures are refused
      if (empty) return null
      if (typeof value === 'object') return INVALID
      const n = toNumber(value)
      return n === null ? intval(value) : Math.trunc(n)
    }
    case 'float':
    case 'floatString': {
      if (empty) return null
      if (typeof value === 'object') return INVALID
      return toNumber(value) ?? intval(value)
    }
    case 'flag':
      return empty ? null : toFlag(value)
    case 'bool':
      return empty ? null : truthy(value)
    case 'datetime':
    case 'date':
    case 'sqlDatetime': {
      if (empty) return null
      const ts = parseDate(value, tz)
      return ts === null ? INVALID : ts
    }
    case 'string':
      if (value === null || value === undefined) return null
      return typeof value === 'object' ? INVALID : String(value)
    case 'list':
      return empty ? [] : toList(value)
    case 'object':
      if (empty) return null
      return isRecord(value) || Array.isArray(value) ? value : INVALID
    default:
      return value ?? null
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** Stored value → what the family sends. */
export function wireValue(wire: Wire, stored: unknown, tz: number): unknown {
  if (stored === null || stored === undefined) return wire === 'list' ? [] : null
  switch (wire) {
    case 'intString':
    case 'floatString':
      return String(stored)
    case 'datetime':
      return typeof stored === 'number' ? formatIso(stored, tz) : stored
    case 'sqlDatetime':
      return typeof stored === 'number' ? formatSql(stored, tz) : stored
    case 'date': {
      if (typeof stored !== 'number') return stored
      const d = new Date((Math.floor(stored) + tz * 60) * 1000)
      return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
    }
    default:
      return stored
  }
}

/** The value a field takes when an add does not set it. */
export function zeroValue(wire: Wire): unknown {
  switch (wire) {
    case 'int':
    case 'intString':
    case 'float':
    case 'floatString':
      return 0
    case 'flag':
      return 'N'
    case 'bool':
      return false
    case 'string':
      return ''
    case 'list':
      return []
    default:
      return null
  }
}
