/**
 * A list ordered by fields other than the ID, read by keyset (cheap: each page touches only its own rows) and
 * sorted in the client. Offset pages sorted by such a field make the portal sort the whole table once per page —
 * 30,000 deals by TITLE is over 400 s of server time and batches that pass the portal's 60-second cut.
 *
 * The sort follows the portal's: per field, nulls first, then numbers as numbers when every value of the field
 * is numeric, dates as instants when every value is a date, otherwise strings case-insensitively; ties by ID.
 */
import { findKey } from './list-common.js'
import type { ListShape } from './list-shape.js'

export interface OrderField {
  field: string
  descending: boolean
}

/**
 * The fields of the call's order, in order (`{ order: { TITLE: 'ASC' } }`, or `{ sort, order }`); undefined when
 * the order is not in a form this reader understands (then only offsets keep the server's order).
 */
export function orderOf(params: Readonly<Record<string, unknown>>, shape: ListShape): OrderField[] | undefined {
  const orderKey = findKey(params, 'order')
  const order = orderKey === undefined ? undefined : params[orderKey]
  if (shape.orderStyle === 'sortOrder') {
    const sortKey = findKey(params, 'sort')
    const sort = sortKey === undefined ? undefined : params[sortKey]
    const field = sort === undefined || sort === null || sort === '' ? shape.filterId : String(sort)
    return [{ field, descending: String(order ?? 'ASC').toUpperCase() === 'DESC' }]
  }
  if (order === undefined || order === null) return []
  if (typeof order !== 'object') return undefined
  return Object.entries(order).map(([field, direction]) => ({
    field,
    descending: String(direction).toUpperCase() === 'DESC',
  }))
}

/** Whether the order is by the ID alone (or absent): then keyset order is the order asked for. */
export function isIdOrder(order: readonly OrderField[], shape: ListShape): boolean {
  return order.length === 0 || (order.length === 1 && order[0].field.toUpperCase() === shape.filterId.toUpperCase())
}

/**
 * The call with the order fields and the ID added to its `select` (when it has one), and the names added, so
 * they can be taken out of the rows again after sorting.
 */
export function selectForSort(
  params: Readonly<Record<string, unknown>>,
  order: readonly OrderField[],
  shape: ListShape,
): { params: Record<string, unknown>; added: string[] } {
  const selectKey = findKey(params, 'select')
  const select = selectKey === undefined ? undefined : params[selectKey]
  if (selectKey === undefined || !Array.isArray(select) || select.includes('*'))
    return { params: { ...params }, added: [] }
  const present = new Set(select.map((name) => String(name).toUpperCase()))
  const added = [shape.filterId, ...order.map((item) => item.field)].filter((name) => {
    const missing = !present.has(name.toUpperCase())
    present.add(name.toUpperCase())
    return missing
  })
  return { params: { ...params, [selectKey]: [...select, ...added] }, added }
}

type Kind = 'number' | 'date' | 'string'
type Key = number | string | null

/** A row's field, matched exactly or else case-insensitively (`TITLE` in the order, `title` in the row). */
function fieldName(row: Record<string, unknown>, field: string): string | undefined {
  if (field in row) return field
  const lower = field.toLowerCase()
  return Object.keys(row).find((name) => name.toLowerCase() === lower)
}

function rawValue(row: unknown, field: string): unknown {
  if (typeof row !== 'object' || row === null) return null
  const name = fieldName(row as Record<string, unknown>, field)
  let value = name === undefined ? null : (row as Record<string, unknown>)[name]
  // Multi-fields (`PHONE: [{ VALUE }]`) sort by their first value.
  if (Array.isArray(value)) value = value[0]
  if (typeof value === 'object' && value !== null && 'VALUE' in value) value = (value as { VALUE: unknown }).VALUE
  return value === undefined || value === '' ? null : value
}

const NUMBER = /^-?\d+(\.\d+)?$/
const DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?/

function kindOf(values: readonly unknown[]): Kind {
  const present = values.filter((value) => value !== null)
  if (present.every((value) => typeof value === 'number' || (typeof value === 'string' && NUMBER.test(value)))) {
    return 'number'
  }
  if (present.every((value) => typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value)))) {
    return 'date'
  }
  return 'string'
}

function keyOf(value: unknown, kind: Kind): Key {
  if (value === null) return null
  if (kind === 'number') return Number(value)
  if (kind === 'date') return Date.parse(String(value))
  if (typeof value === 'boolean') return value ? '1' : '0'
  return String(value).toLowerCase()
}

function compareKeys(a: Key, b: Key): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** Sorts rows read in ID order into the order asked for; `added` select fields are then removed. */
export function sortRows(
  rows: unknown[],
  order: readonly OrderField[],
  shape: ListShape,
  added: readonly string[],
): unknown[] {
  const columns = order.map((item) => {
    const values = rows.map((row) => rawValue(row, item.field))
    const kind = kindOf(values)
    return { sign: item.descending ? -1 : 1, keys: values.map((value) => keyOf(value, kind)) }
  })
  const ids = rows.map((row) => Number(rawValue(row, shape.rowId)))
  const index = Array.from(rows, (_, position) => position)
  index.sort((a, b) => {
    for (const column of columns) {
      const compared = compareKeys(column.keys[a], column.keys[b])
      if (compared !== 0) return compared * column.sign
    }
    return ids[a] - ids[b]
  })
  const sorted = index.map((position) => rows[position])
  if (added.length > 0) {
    for (const row of sorted) {
      if (typeof row !== 'object' || row === null) continue
      for (const field of added) {
        const name = fieldName(row as Record<string, unknown>, field)
        if (name !== undefined) delete (row as Record<string, unknown>)[name]
      }
    }
  }
  return sorted
}
