/**
 * The REST 3.0 query language over a DTO (api-reference/rest-v3.md): `select` with related fields by dot,
 * `filter` arrays of `[field, operator, value]` with `logic: 'or'` groups, `order`, `pagination`
 * `{ page, limit, offset }` and the `cursor` of `*.tail` methods. Items are plain objects keyed by the DTO's
 * field names; relations are resolved only when selected.
 */
import { isRecord } from '../util.js'
import {
  invalidFilter,
  invalidOrder,
  invalidPagination,
  requiredField,
  unknownDtoProperty,
  unknownFilterOperator,
  type ValidationEntry,
  validationError,
  wrongType,
} from './errors.js'

/** JSON type of a DTO field, as the OpenAPI document names it (`datetime` is an ISO-8601 string). */
export type V3FieldType = 'integer' | 'string' | 'datetime' | 'boolean' | 'array'

export interface V3Field {
  name: string
  type: V3FieldType
  description: string
  /** May appear in `filter`. */
  filterable?: boolean
  /** May appear in `order` and as a `cursor.field`. */
  sortable?: boolean
  /** May be written by `*.update` (and `*.add`). */
  editable?: boolean
  /** Required by `*.add`. */
  required?: boolean
}

/** One item of a DTO: field name → wire value. */
export type V3Item = Record<string, unknown>

/** A field that holds another object (`responsible` → UserDto), selected with a dot (`responsible.name`). */
export interface V3Relation {
  dto: V3Dto
  description: string
  /** The related object(s) of `item`; null when there is none. */
  resolve: (item: V3Item) => V3Item | V3Item[] | null
}

export interface V3Dto {
  /** As error messages name it: `TaskDto`, `UserDto`. */
  name: string
  fields: readonly V3Field[]
  relations?: Readonly<Record<string, V3Relation>>
}

function fieldOf(dto: V3Dto, name: string): V3Field | undefined {
  return dto.fields.find((field) => field.name === name)
}

// ---------------------------------------------------------------- select

/** What `select` asked for: own fields and, per relation, a selection on the related DTO (in request order). */
export interface Selection {
  entries: ({ kind: 'own'; name: string } | { kind: 'relation'; name: string; selection: Selection })[]
}

/**
 * Parses `select`. An unknown own field is dropped silently (rest-v3.md: "not treated as an error"); an unknown
 * field of a related object is `UNKNOWNDTOPROPERTYEXCEPTION`. `fallback` is the selection when none is given.
 */
export function parseSelect(raw: unknown, dto: V3Dto, fallback: readonly string[]): Selection {
  if (raw === undefined || raw === null) return parsePaths(fallback, dto)
  if (!Array.isArray(raw) || raw.some((entry) => typeof entry !== 'string')) {
    throw validationError([wrongType('select', 'array')])
  }
  return parsePaths(raw as string[], dto)
}

function parsePaths(paths: readonly string[], dto: V3Dto): Selection {
  const selection: Selection = { entries: [] }
  const nested = new Map<string, string[]>()
  for (const path of paths) {
    const dot = path.indexOf('.')
    if (dot < 0) {
      const isRelation = dto.relations?.[path] !== undefined
      if (isRelation) {
        if (!nested.has(path)) nested.set(path, [])
        if (!selection.entries.some((e) => e.name === path))
          selection.entries.push({ kind: 'relation', name: path, selection: { entries: [] } })
      } else if (fieldOf(dto, path) && !selection.entries.some((e) => e.name === path)) {
        selection.entries.push({ kind: 'own', name: path })
      }
      continue
    }
    const head = path.slice(0, dot)
    if (dto.relations?.[head] === undefined) continue
    const list = nested.get(head) ?? []
    list.push(path.slice(dot + 1))
    nested.set(head, list)
    if (!selection.entries.some((e) => e.name === head)) {
      selection.entries.push({ kind: 'relation', name: head, selection: { entries: [] } })
    }
  }
  for (const entry of selection.entries) {
    if (entry.kind !== 'relation') continue
    const relation = dto.relations?.[entry.name] as V3Relation
    const paths = nested.get(entry.name) ?? []
    for (const sub of paths) {
      const name = sub.split('.')[0]
      if (!fieldOf(relation.dto, name) && relation.dto.relations?.[name] === undefined) {
        throw unknownDtoProperty(name, relation.dto.name)
      }
    }
    // A bare relation (`"responsible"`) selects every own field of the related object.
    entry.selection = parsePaths(paths.length > 0 ? paths : relation.dto.fields.map((f) => f.name), relation.dto)
  }
  return selection
}

/** The item reduced to the selection, related objects resolved and reduced in turn. */
export function project(item: V3Item, selection: Selection, dto: V3Dto): V3Item {
  const out: V3Item = {}
  for (const entry of selection.entries) {
    if (entry.kind === 'own') {
      out[entry.name] = item[entry.name] ?? null
      continue
    }
    const relation = dto.relations?.[entry.name] as V3Relation
    const related = relation.resolve(item)
    out[entry.name] =
      related === null
        ? null
        : Array.isArray(related)
          ? related.map((one) => project(one, entry.selection, relation.dto))
          : project(related, entry.selection, relation.dto)
  }
  return out
}

// ---------------------------------------------------------------- filter

export const FILTER_OPERATORS = ['=', '!=', '>', '>=', '<', '<=', 'in', 'between'] as const
type Operator = (typeof FILTER_OPERATORS)[number]

/** A parsed filter: true when an item matches. */
export type ItemPredicate = (item: V3Item) => boolean

const MATCH_ALL: ItemPredicate = () => true

/**
 * Parses a v3 `filter`: an array whose elements are AND-ed; each is a condition `[field, op, value]` /
 * `[field, value]` (operator `=`, or `in` for an array value) or a group `{ logic: 'or' | 'and', conditions }`.
 * `cursorField` (tail methods) may not appear in it.
 */
export function parseFilter(raw: unknown, dto: V3Dto, cursorField?: string): ItemPredicate {
  if (raw === undefined || raw === null) return MATCH_ALL
  if (!Array.isArray(raw)) throw validationError([wrongType('filter', 'array')])
  const parts = raw.map((node) => parseNode(node, dto, cursorField))
  return (item) => parts.every((part) => part(item))
}

function parseNode(node: unknown, dto: V3Dto, cursorField: string | undefined): ItemPredicate {
  if (Array.isArray(node)) return parseCondition(node, dto, cursorField)
  if (isRecord(node) && Array.isArray(node.conditions)) {
    const logic = String(node.logic ?? 'and').toLowerCase()
    if (logic !== 'or' && logic !== 'and') throw invalidFilter(JSON.stringify(node))
    const parts = node.conditions.map((child) => parseNode(child, dto, cursorField))
    return logic === 'or' ? (item) => parts.some((p) => p(item)) : (item) => parts.every((p) => p(item))
  }
  throw invalidFilter(JSON.stringify(node) ?? String(node))
}

function parseCondition(node: unknown[], dto: V3Dto, cursorField: string | undefined): ItemPredicate {
  if (node.length < 2 || node.length > 3 || typeof node[0] !== 'string') throw invalidFilter(JSON.stringify(node))
  const name = node[0]
  const [operator, value] = node.length === 3 ? [node[1], node[2]] : [Array.isArray(node[1]) ? 'in' : '=', node[1]]
  if (typeof operator !== 'string' || !(FILTER_OPERATORS as readonly string[]).includes(operator.toLowerCase())) {
    throw unknownFilterOperator(operator)
  }
  const op = operator.toLowerCase() as Operator
  const field = fieldOf(dto, name)
  if (!field) throw unknownDtoProperty(name, dto.name)
  if (name === cursorField) throw invalidFilter(`Cursor field ${name} cannot be used at filter.`)
  if (!field.filterable) {
    throw validationError([
      {
        field: name,
        message: `In DTO \`${dto.name}\`, the \`${name}\` field requires the \`Filterable\` attribute for such a request`,
      },
    ])
  }
  const operands = op === 'in' || op === 'between' ? value : [value]
  if (!Array.isArray(operands) || (op === 'between' && operands.length !== 2)) {
    throw validationError([wrongType(name, 'array')])
  }
  if (operands.some((operand) => !fitsType(operand, field.type))) {
    throw validationError([wrongType(name, field.type === 'integer' ? 'int' : field.type)])
  }
  const keys = operands.map((operand) => sortKey(operand, field.type))
  return (item) => {
    const actual = sortKey(item[name], field.type)
    if (actual === null) return op === '!=' ? keys[0] !== null : false
    switch (op) {
      case '=':
        return actual === keys[0]
      case '!=':
        return actual !== keys[0]
      case '>':
        return actual > (keys[0] as number | string)
      case '>=':
        return actual >= (keys[0] as number | string)
      case '<':
        return actual < (keys[0] as number | string)
      case '<=':
        return actual <= (keys[0] as number | string)
      case 'in':
        return keys.includes(actual)
      case 'between':
        return actual >= (keys[0] as number | string) && actual <= (keys[1] as number | string)
    }
  }
}

/** Whether a JSON value may stand for a value of `type` in a filter or in written fields. */
export function fitsType(value: unknown, type: V3FieldType): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value)
    case 'string':
      return typeof value === 'string'
    case 'datetime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value))
    case 'boolean':
      return typeof value === 'boolean'
    case 'array':
      return Array.isArray(value)
  }
}

/** A comparable key: numbers for integers and dates (epoch ms), strings as they are. */
function sortKey(value: unknown, type: V3FieldType): number | string | null {
  if (value === null || value === undefined) return null
  if (type === 'datetime') {
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN
    return Number.isNaN(ms) ? null : ms
  }
  if (type === 'boolean') return value ? 1 : 0
  if (typeof value === 'number' || typeof value === 'string') return value
  return JSON.stringify(value)
}

// ---------------------------------------------------------------- order, pagination, cursor

export interface OrderKey {
  field: V3Field
  desc: boolean
}

/** Parses `order` (`{ field: 'ASC' | 'DESC' }`); `fallback` when absent. */
export function parseOrder(raw: unknown, dto: V3Dto, fallback: OrderKey[]): OrderKey[] {
  if (raw === undefined || raw === null) return fallback
  if (!isRecord(raw)) throw invalidOrder(raw)
  const keys: OrderKey[] = []
  for (const [name, direction] of Object.entries(raw)) {
    const field = fieldOf(dto, name)
    const dir = String(direction).toUpperCase()
    if (!field?.sortable || (dir !== 'ASC' && dir !== 'DESC')) throw invalidOrder(raw)
    keys.push({ field, desc: dir === 'DESC' })
  }
  return keys.length > 0 ? keys : fallback
}

export function compareItems(order: readonly OrderKey[]): (a: V3Item, b: V3Item) => number {
  return (a, b) => {
    for (const { field, desc } of order) {
      const x = sortKey(a[field.name], field.type)
      const y = sortKey(b[field.name], field.type)
      if (x === y) continue
      // nulls first in ascending order, as SQL sorts them
      const cmp = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1
      return desc ? -cmp : cmp
    }
    return 0
  }
}

/** Default page size of v3 lists. */
export const V3_PAGE_SIZE = 50
/** The documented largest page (`limit` — "default 50, maximum 1000", tasks-task-list-rest-v3.md). */
export const V3_MAX_PAGE_SIZE = 1000

function readCount(value: unknown): number | undefined | null {
  if (value === undefined || value === null) return undefined
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null
}

/**
 * `pagination: { page, limit, offset }`: `limit` default 50, capped at 1000, never 0; `page` (from 1; 0 reads as
 * the first page, as the official JS SDK sends it) computes the offset, else `offset` is used as given.
 */
export function parsePagination(raw: unknown): { offset: number; limit: number } {
  if (raw === undefined || raw === null) return { offset: 0, limit: V3_PAGE_SIZE }
  if (!isRecord(raw)) throw invalidPagination(raw)
  const page = readCount(raw.page)
  const limit = readCount(raw.limit)
  const offset = readCount(raw.offset)
  if (page === null || limit === null || offset === null || limit === 0) throw invalidPagination(raw)
  const size = Math.min(limit ?? V3_PAGE_SIZE, V3_MAX_PAGE_SIZE)
  return { offset: page !== undefined && page > 0 ? (page - 1) * size : (offset ?? 0), limit: size }
}

/** The `cursor` of `*.tail` methods: `field` (default `id`), `order` (ASC), `value` (0), `limit` (50). */
export interface Cursor {
  field: V3Field
  desc: boolean
  value: unknown
  limit: number
}

export function parseCursor(raw: unknown, dto: V3Dto): Cursor {
  const cursor = raw === undefined || raw === null ? {} : raw
  if (!isRecord(cursor)) throw invalidPagination(raw)
  const field = fieldOf(dto, String(cursor.field ?? 'id'))
  const order = String(cursor.order ?? 'ASC').toUpperCase()
  if (!field?.sortable) throw unknownDtoProperty(String(cursor.field), dto.name)
  if (order !== 'ASC' && order !== 'DESC') throw invalidOrder(cursor)
  const limit = readCount(cursor.limit)
  if (limit === null || limit === 0) throw invalidPagination({ limit: cursor.limit })
  return {
    field,
    desc: order === 'DESC',
    value: cursor.value ?? 0,
    limit: Math.min(limit ?? V3_PAGE_SIZE, V3_MAX_PAGE_SIZE),
  }
}

/** Items past the cursor value (`>` ascending, `<` descending), in cursor order, at most `limit`. */
export function tail(items: V3Item[], cursor: Cursor): V3Item[] {
  const compare = compareItems([{ field: cursor.field, desc: cursor.desc }])
  const reference: V3Item = { [cursor.field.name]: cursor.value }
  return items
    .filter((item) => compare(item, reference) > 0)
    .sort(compare)
    .slice(0, cursor.limit)
}

/** Reads `id`: present and an integer, else a validation error naming it. */
export function requireId(params: Record<string, unknown>, name = 'id'): number {
  const value = params[name]
  if (value === undefined || value === null) throw validationError([requiredField(name)])
  if (typeof value !== 'number' || !Number.isInteger(value)) throw validationError([wrongType(name, 'int')])
  return value
}

/** Throws a validation error when there are entries. */
export function assertValid(entries: ValidationEntry[]): void {
  if (entries.length > 0) throw validationError(entries)
}
