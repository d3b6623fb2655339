import { LIST_SHAPES } from '../methods/generated/lists.js'

/**
 * How a list method pages: where the rows sit in `result`, which field is the ID, and how to filter and sort
 * by it. Known methods come from the catalogue; anything else is read off the first response.
 */

export interface ListShape {
  /** Key of the row array inside `result` (`items`, `tasks`), or null when `result` is the array. */
  key: string | null
  /** The ID field as it appears in rows (`ID`, `id`). */
  rowId: string
  /** The ID field as the filter and order take it (`ID` for `tasks.task.list`, whose rows say `id`). */
  filterId: string
  /** Name of the filter parameter (`filter`, `FILTER`); null: filter keys go at the top level. */
  filterParam: string | null
  /** How the order is given: `{ order: { ID: 'ASC' } }` (map) or `{ sort: 'ID', order: 'ASC' }` (sortOrder). */
  orderStyle: 'map' | 'sortOrder'
  /** Whether the method honours `>ID` filters with `start=-1` (keyset paging). */
  keyset: boolean
}

/** Classic CRM lists the catalogue has no paging data for still page like the others. */
const CLASSIC_CRM: ListShape = {
  key: null,
  rowId: 'ID',
  filterId: 'ID',
  filterParam: 'filter',
  orderStyle: 'map',
  keyset: true,
}

export function knownListShape(method: string): ListShape | undefined {
  const name = method.toLowerCase()
  const shape = LIST_SHAPES[name]
  if (shape) return shape
  if (/^crm\.[a-z_.]+\.list$/.test(name) && !name.startsWith('crm.item.')) return CLASSIC_CRM
  return undefined
}

/**
 * Reads the shape off a first page when the method is not catalogued: undefined when the result holds no list.
 * Keyset paging is assumed only when the first row carries a numeric ID.
 */
export function detectListShape(result: unknown): ListShape | undefined {
  let key: string | null = null
  let rows: unknown[] | undefined
  if (Array.isArray(result)) rows = result
  else if (typeof result === 'object' && result !== null) {
    const arrays = Object.entries(result).filter(([, value]) => Array.isArray(value))
    if (arrays.length !== 1) return undefined
    key = arrays[0][0]
    rows = arrays[0][1] as unknown[]
  } else return undefined
  const first = rows[0] as Record<string, unknown> | undefined
  const rowId = typeof first === 'object' && first !== null && 'id' in first && !('ID' in first) ? 'id' : 'ID'
  const id = first === undefined ? undefined : Number(first[rowId])
  const keyset = id === undefined || (Number.isSafeInteger(id) && first?.[rowId] !== '')
  return { key, rowId, filterId: rowId, filterParam: 'filter', orderStyle: 'map', keyset }
}
