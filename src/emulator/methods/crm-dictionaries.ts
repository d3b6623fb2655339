/**
 * The CRM's reference data, derived from what the seed generator uses so that every code a seeded row carries
 * can be looked up: statuses and stages (`crm.status.*`), pipelines (`crm.category.*`, `crm.dealcategory.*`);
 * (user fields, `crm.<entity>.userfield.*`, are the generic store's: methods/generic/crm-user-fields.ts).
 * Read-only: the seeded portal has a fixed set of each.
 */
import { type MethodDefinition, type Params, RestError } from '../kernel.js'
import { CRM_ENTITIES, DEAL, LEAD, SMART, SMART_CATEGORY_ID } from './crm-schema.js'
import {
  COMPANY_TYPES,
  CONTACT_TYPES,
  DEAL_STAGES,
  DEAL_TYPES,
  dealStagePrefix,
  EMPLOYEES,
  HONORIFICS,
  INDUSTRIES,
  LEAD_STATUSES,
  SMART_STAGES,
  SOURCES,
  stageSemantic,
} from './crm-seed.js'
import type { PortalEnv } from './env.js'
import { formatIso, isRecord, pickParam, positiveId } from './util.js'

/** The one extra deal pipeline of the seeded portal (20 % of seeded deals are in it, with `C1:` stages). */
export const DEAL_PIPELINE = { id: 1, name: 'Partner sales', sort: 200 } as const

/** A row of `crm.status.list`. */
export interface StatusRow {
  ID: string
  ENTITY_ID: string
  STATUS_ID: string
  NAME: string
  NAME_INIT: string
  SORT: string
  SYSTEM: 'Y' | 'N'
  CATEGORY_ID: string | null
  COLOR: string | null
  SEMANTICS: 'S' | 'F' | null
  EXTRA?: { SEMANTICS: 'process' | 'success' | 'failure'; COLOR: string }
}

const NAMES: Readonly<Record<string, string>> = {
  NEW: 'New',
  PREPARATION: 'Document preparation',
  PREPAYMENT_INVOICE: 'Prepayment invoice',
  EXECUTING: 'In progress',
  FINAL_INVOICE: 'Final invoice',
  WON: 'Deal successful',
  LOSE: 'Deal failed',
  IN_PROCESS: 'In progress',
  PROCESSED: 'Processed',
  CONVERTED: 'Good lead',
  JUNK: 'Junk lead',
  CLIENT: 'Client',
  SUCCESS: 'Success',
  FAIL: 'Failure',
  HNR_EN_1: 'Mr.',
  HNR_EN_2: 'Mrs.',
  HNR_EN_3: 'Ms.',
  HNR_EN_4: 'Dr.',
  EMPLOYEES_1: 'fewer than 50',
  EMPLOYEES_2: '50-250',
  EMPLOYEES_3: '250-500',
  EMPLOYEES_4: 'over 500',
  IT: 'Information Technology',
  TELECOM: 'Telecommunication',
}

function nameOf(code: string): string {
  const bare = code.replace(/^.*:/, '')
  return NAMES[bare] ?? bare.charAt(0) + bare.slice(1).toLowerCase().replace(/_/g, ' ')
}

const STAGE_COLORS = ['#39A8EF', '#2FC6F6', '#55D0E0', '#47E4C2', '#FFA900', '#7BD500', '#FF5752']

/** One dictionary: its ENTITY_ID, codes, and (for stages) the pipeline it belongs to. */
interface Dictionary {
  entityId: string
  name: string
  codes: readonly string[]
  stages: boolean
  categoryId: number | null
  entityTypeId?: number
}

function dictionaries(): Dictionary[] {
  const dealStages = (category: number) => DEAL_STAGES.map((code) => dealStagePrefix(category) + code)
  return [
    { entityId: 'STATUS', name: 'Lead stages', codes: LEAD_STATUSES, stages: true, categoryId: null, entityTypeId: 1 },
    { entityId: 'SOURCE', name: 'Sources', codes: SOURCES, stages: false, categoryId: null },
    { entityId: 'CONTACT_TYPE', name: 'Contact type', codes: CONTACT_TYPES, stages: false, categoryId: null },
    { entityId: 'COMPANY_TYPE', name: 'Company type', codes: COMPANY_TYPES, stages: false, categoryId: null },
    { entityId: 'EMPLOYEES', name: 'Number of employees', codes: EMPLOYEES, stages: false, categoryId: null },
    { entityId: 'INDUSTRY', name: 'Industry', codes: INDUSTRIES, stages: false, categoryId: null },
    { entityId: 'DEAL_TYPE', name: 'Deal type', codes: DEAL_TYPES, stages: false, categoryId: null },
    { entityId: 'HONORIFIC', name: 'Salutations', codes: HONORIFICS, stages: false, categoryId: null },
    { entityId: 'DEAL_STAGE', name: 'Deal stages', codes: dealStages(0), stages: true, categoryId: 0, entityTypeId: 2 },
    {
      entityId: `DEAL_STAGE_${DEAL_PIPELINE.id}`,
      name: `Deal stages (${DEAL_PIPELINE.name})`,
      codes: dealStages(DEAL_PIPELINE.id),
      stages: true,
      categoryId: DEAL_PIPELINE.id,
      entityTypeId: 2,
    },
    {
      entityId: `DYNAMIC_${SMART.entityTypeId}_STAGE_${SMART_CATEGORY_ID}`,
      name: 'Demo smart process stages',
      codes: SMART_STAGES,
      stages: true,
      categoryId: SMART_CATEGORY_ID,
      entityTypeId: SMART.entityTypeId,
    },
  ]
}

function statusRows(): StatusRow[] {
  const rows: StatusRow[] = []
  for (const dictionary of dictionaries()) {
    dictionary.codes.forEach((code, index) => {
      const semantic = dictionary.stages ? stageSemantic(code) : 'P'
      const color = dictionary.stages ? STAGE_COLORS[Math.min(index, STAGE_COLORS.length - 1)] : null
      const row: StatusRow = {
        ID: String(rows.length + 1),
        ENTITY_ID: dictionary.entityId,
        STATUS_ID: code,
        NAME: nameOf(code),
        NAME_INIT: index === 0 || semantic !== 'P' ? nameOf(code) : '',
        SORT: String((index + 1) * 10),
        SYSTEM: index === 0 || semantic !== 'P' ? 'Y' : 'N',
        CATEGORY_ID: dictionary.categoryId === null ? null : String(dictionary.categoryId),
        COLOR: color,
        SEMANTICS: semantic === 'P' ? null : semantic,
      }
      if (dictionary.stages && color !== null) {
        row.EXTRA = { SEMANTICS: semantic === 'S' ? 'success' : semantic === 'F' ? 'failure' : 'process', COLOR: color }
      }
      rows.push(row)
    })
  }
  return rows
}

/** `filter` of crm.status.list: keys compared case-insensitively, `=` prefix allowed, a list means "any of". */
function matchesFilter(row: StatusRow, filter: unknown): boolean {
  if (!isRecord(filter)) return true
  for (const [rawKey, expected] of Object.entries(filter)) {
    const key = rawKey.replace(/^=/, '').toUpperCase()
    if (!Object.hasOwn(row, key)) throw new RestError('', `Invalid filter field: ${rawKey}`, 400)
    const actual = row[key as keyof StatusRow]
    const wanted = Array.isArray(expected) || isRecord(expected) ? Object.values(expected) : [expected]
    if (!wanted.some((value) => String(value ?? '') === String(actual ?? ''))) return false
  }
  return true
}

function sortRows(rows: StatusRow[], order: unknown): StatusRow[] {
  if (!isRecord(order)) return rows
  const keys = Object.entries(order).map(([key, direction]) => ({
    key: key.toUpperCase() as keyof StatusRow,
    sign: String(direction).toUpperCase() === 'DESC' ? -1 : 1,
  }))
  const numeric = new Set(['ID', 'SORT', 'CATEGORY_ID'])
  return [...rows].sort((a, b) => {
    for (const { key, sign } of keys) {
      const x = a[key]
      const y = b[key]
      const cmp = numeric.has(key) ? Number(x ?? 0) - Number(y ?? 0) : String(x ?? '').localeCompare(String(y ?? ''))
      if (cmp !== 0) return cmp * sign
    }
    return Number(a.ID) - Number(b.ID)
  })
}

/** A pipeline as crm.category.* shows it. */
interface Category {
  id: number
  name: string
  sort: number
  entityTypeId: number
  isDefault: 'Y' | 'N'
}

/** Pipelines per entity type: deals have the general one and {@link DEAL_PIPELINE}; the smart process one. */
function categoriesOf(entityTypeId: number): Category[] {
  if (entityTypeId === DEAL.entityTypeId) {
    return [
      { id: 0, name: 'General', sort: 100, entityTypeId, isDefault: 'Y' },
      { ...DEAL_PIPELINE, entityTypeId, isDefault: 'N' },
    ]
  }
  if (entityTypeId === SMART.entityTypeId) {
    return [{ id: SMART_CATEGORY_ID, name: 'General', sort: 100, entityTypeId, isDefault: 'Y' }]
  }
  return [{ id: 0, name: 'General', sort: 100, entityTypeId, isDefault: 'Y' }]
}

/** The entity type of a crm.category.* call; leads have no pipelines (crm-category-get.md error table). */
function categoryEntityType(params: Params): number {
  const id = positiveId(pickParam(params, 'entityTypeId', 'ENTITY_TYPE_ID'))
  if (id === null || !CRM_ENTITIES[id]) throw new RestError('NOT_FOUND', 'Smart process not found', 400)
  if (id === LEAD.entityTypeId) {
    throw new RestError('ENTITY_TYPE_NOT_SUPPORTED', 'Entity type `Lead` is not supported', 400)
  }
  return id
}

/** Deal stages of one pipeline, as `crm.dealcategory.stage.list` and `crm.status.entity.items` show them. */
function entityItems(
  rows: readonly StatusRow[],
  entityId: string,
): Array<{ NAME: string; SORT: number; STATUS_ID: string }> {
  return rows
    .filter((row) => row.ENTITY_ID === entityId)
    .map((row) => ({ NAME: row.NAME, SORT: Number(row.SORT), STATUS_ID: row.STATUS_ID }))
}

export function crmDictionaryMethods(env: PortalEnv): Record<string, MethodDefinition> {
  const { costs } = env
  const rows = statusRows()
  const method = (handler: MethodDefinition['handler']): MethodDefinition => ({ scope: 'crm', handler })
  const created = formatIso(env.anchor - 3 * 365 * 86400, env.tz)
  const dealCategoryRow = (category: Category) => ({
    ID: String(category.id),
    CREATED_DATE: created,
    NAME: category.name,
    IS_LOCKED: 'N',
    SORT: String(category.sort),
  })
  const dealCategory = (params: Params): Category => {
    const id = positiveId(pickParam(params, 'id', 'ID'))
    const found = categoriesOf(DEAL.entityTypeId).find((category) => category.id === id && id !== 0)
    if (!found) throw new RestError('', 'Not found', 400)
    return found
  }
  return {
    'crm.status.list': method((params, ctx) => {
      ctx.cost(costs.base + costs.perRow * rows.length)
      const filter = pickParam(params, 'filter', 'FILTER')
      const list = sortRows(
        rows.filter((row) => matchesFilter(row, filter)),
        pickParam(params, 'order', 'ORDER'),
      )
      return { result: list, total: list.length }
    }),
    'crm.status.get': method((params, ctx) => {
      ctx.cost(costs.base)
      const id = positiveId(pickParam(params, 'id', 'ID'))
      const row = rows.find((candidate) => Number(candidate.ID) === id)
      if (!row) throw new RestError('', 'Not found', 400)
      const { EXTRA: _extra, ...plain } = row
      return { result: plain }
    }),
    'crm.status.entity.types': method((_params, ctx) => {
      ctx.cost(costs.base)
      const result = dictionaries().map((dictionary) => {
        const out: Record<string, unknown> = { ID: dictionary.entityId, NAME: dictionary.name }
        if (dictionary.entityTypeId !== undefined) out.ENTITY_TYPE_ID = dictionary.entityTypeId
        if (dictionary.categoryId !== null && dictionary.categoryId > 0) {
          out.PARENT_ID = dictionary.entityTypeId === DEAL.entityTypeId ? 'DEAL_STAGE' : undefined
          out.CATEGORY_ID = dictionary.categoryId
        }
        return Object.fromEntries(Object.entries(out).filter(([, value]) => value !== undefined))
      })
      return { result }
    }),
    'crm.status.entity.items': method((params, ctx) => {
      ctx.cost(costs.base)
      const entityId = String(pickParam(params, 'entityId', 'ENTITY_ID') ?? '')
      return { result: entityItems(rows, entityId) }
    }),
    'crm.category.list': method((params, ctx) => {
      ctx.cost(costs.base)
      const categories = categoriesOf(categoryEntityType(params)).sort((a, b) => a.sort - b.sort || a.id - b.id)
      return { result: { categories }, total: categories.length }
    }),
    'crm.category.get': method((params, ctx) => {
      ctx.cost(costs.base)
      const id = Number(pickParam(params, 'id', 'ID'))
      const category = categoriesOf(categoryEntityType(params)).find((candidate) => candidate.id === id)
      if (!category) throw new RestError('NOT_FOUND', 'Element not found', 400)
      return { result: { category } }
    }),
    'crm.dealcategory.list': method((_params, ctx) => {
      ctx.cost(costs.base)
      const list = categoriesOf(DEAL.entityTypeId)
        .filter((category) => category.id !== 0)
        .map(dealCategoryRow)
      return { result: list, total: list.length }
    }),
    'crm.dealcategory.get': method((params, ctx) => {
      ctx.cost(costs.base)
      return { result: dealCategoryRow(dealCategory(params)) }
    }),
    'crm.dealcategory.default.get': method((_params, ctx) => {
      ctx.cost(costs.base)
      return { result: { ID: 0, NAME: 'General' } }
    }),
    'crm.dealcategory.stage.list': method((params, ctx) => {
      ctx.cost(costs.base)
      const id = positiveId(pickParam(params, 'id', 'ID')) ?? 0
      if (id !== 0) dealCategory(params)
      return { result: entityItems(rows, id === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${id}`) }
    }),
  }
}
