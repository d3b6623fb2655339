/** Portal-wide settings shared by all method groups, and the common list-paging routine. */

import type { CallContext, CostModel } from '../kernel.js'
import type { SeedCounts } from './crm-seed.js'
import { type FilterGroup, listCost, type OrderKey, runQuery, type ValueKind } from './query.js'
import type { Table } from './table.js'
import { PAGE_SIZE } from './util.js'

export interface PortalEnv {
  costs: CostModel
  /** Portal time zone as a UTC offset in minutes (dates are printed with it). */
  tz: number
  /** End of the seeded timeline, Unix seconds. */
  anchor: number
  randomSeed: number
  counts: SeedCounts
}

export interface PageSpec {
  table: Table
  kindOf: (field: string) => ValueKind
  filter: FilterGroup
  order: OrderKey[]
  /** The `start` parameter (`-1` = no count). */
  start: number
  /**
   * `legacy`: CDBResult paging — `start` is rounded down to a page boundary and `next` is the next boundary.
   * `orm`: exact offset, `next = offset + returned rows`.
   */
  paging: 'legacy' | 'orm'
  defaultDesc?: boolean
  idField?: string
}

export interface Page {
  ids: number[]
  /** `total` / `next` as the envelope should carry them (`total: 0` and no `next` for `start=-1`). */
  meta: { total?: number; next?: number }
}

/** Runs one list page, charges its simulated cost and computes `total` / `next`. */
export function queryPage(env: PortalEnv, ctx: CallContext, spec: PageSpec): Page {
  const counted = spec.start >= 0
  const offset = !counted ? 0 : spec.paging === 'legacy' ? Math.floor(spec.start / PAGE_SIZE) * PAGE_SIZE : spec.start
  const result = runQuery({
    table: spec.table,
    kindOf: spec.kindOf,
    idField: spec.idField ?? 'ID',
    filter: spec.filter,
    order: spec.order,
    defaultDesc: spec.defaultDesc,
    offset,
    limit: PAGE_SIZE,
    count: counted,
    tzOffset: env.tz,
  })
  ctx.cost(listCost(env.costs, result, offset))
  if (!counted) return { ids: result.ids, meta: { total: 0 } }
  const next = spec.paging === 'legacy' ? offset + PAGE_SIZE : offset + result.ids.length
  const meta: Page['meta'] = { total: result.total }
  if (next < result.total && result.ids.length > 0) meta.next = next
  return { ids: result.ids, meta }
}
