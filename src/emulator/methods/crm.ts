/**
 * CRM methods: legacy `crm.deal|lead|contact|company.*` (UPPER_CASE, every value a string) and the universal
 * `crm.item.*` (camelCase, typed values) over the same stored rows, plus the demo smart process 128.
 */

import { type CallContext, type MethodDefinition, type Params, RestError } from '../kernel.js'
import { crmDictionaryMethods } from './crm-dictionaries.js'
import type { CrmFileHooks } from './crm-files.js'
import {
  COMPANY,
  CONTACT,
  CRM_ENTITIES,
  type CrmEntity,
  type CrmField,
  customSmartProcess,
  DEAL,
  DYNAMIC_DEFAULTS,
  describeField,
  isDynamic,
  LEAD,
  QUOTE,
  SMART,
  SMART_CATEGORY_ID,
  SMART_INVOICE,
  valueKind,
} from './crm-schema.js'
import {
  companyGenerator,
  contactGenerator,
  dealGenerator,
  dealStagePrefix,
  firstMultifieldIdAfterSeed,
  leadGenerator,
  type Multifield,
  type SeedContext,
  SMART_STAGES,
  smartGenerator,
  stageSemantic,
} from './crm-seed.js'
import { type PortalEnv, queryPage } from './env.js'
import { type FilterGroup, type OrderKey, parseFilter } from './query.js'
import { type Row, Table } from './table.js'
import {
  formatIso,
  intval,
  isPhpArray,
  isRecord,
  parseDate,
  pickParam,
  positiveId,
  readStart,
  toFlag,
  toList,
  toNumber,
} from './util.js'

export interface CrmTables {
  deal: Table
  lead: Table
  contact: Table
  company: Table
  smart: Table
  invoice: Table
  quote: Table
}

/** The user fields (`UF_CRM_*`) created for an entity on this portal, and a number that changes when they do. */
export type UserFieldSource = (entity: CrmEntity) => { revision: number; fields: readonly CrmField[] }

/** Whether a smart process of this `entityTypeId` was created on this portal (`crm.type.add`). */
export type SmartProcessSource = (entityTypeId: number) => boolean

export class CrmStore {
  readonly tables: CrmTables
  private nextMultifieldId: number

  constructor(
    readonly env: PortalEnv,
    seed: SeedContext,
  ) {
    const names = (e: CrmEntity): string[] => e.fields.map((f) => f.name)
    this.tables = {
      deal: new Table(seed.counts.deals, dealGenerator(seed), names(DEAL)),
      lead: new Table(seed.counts.leads, leadGenerator(seed), names(LEAD)),
      contact: new Table(seed.counts.contacts, contactGenerator(seed), names(CONTACT)),
      company: new Table(seed.counts.companies, companyGenerator(seed), names(COMPANY)),
      smart: new Table(seed.counts.smartItems, smartGenerator(seed), names(SMART)),
      invoice: new Table(0, () => null, names(SMART_INVOICE)),
      quote: new Table(0, () => null, names(QUOTE)),
    }
    this.nextMultifieldId = firstMultifieldIdAfterSeed(seed.counts)
  }

  table(entity: CrmEntity): Table {
    if (entity.key !== 'custom') return this.tables[entity.key]
    let table = this.#customTables.get(entity.entityTypeId)
    if (!table) {
      table = new Table(
        0,
        () => null,
        entity.fields.map((f) => f.name),
      )
      this.#customTables.set(entity.entityTypeId, table)
    }
    return table
  }

  /** Where user fields come from (the generic store's `crm.<entity>.userfield` rows); none until set. */
  userFields: UserFieldSource | undefined
  /** File user fields: stores their files and shapes their links; none until set. */
  files: CrmFileHooks | undefined
  /** Which smart processes `crm.type.add` created (the generic store's `crm.type` rows); none until set. */
  smartProcesses: SmartProcessSource | undefined
  readonly #views = new Map<number, { revision: number; view: CrmEntity }>()
  readonly #customTables = new Map<number, Table>()
  readonly #customEntities = new Map<number, CrmEntity>()

  /** The entity of an `entityTypeId`: a built-in one or a smart process created on this portal. */
  entity(entityTypeId: number): CrmEntity | undefined {
    const builtIn = CRM_ENTITIES[entityTypeId]
    if (builtIn) return builtIn
    if (!this.smartProcesses?.(entityTypeId)) return undefined
    let custom = this.#customEntities.get(entityTypeId)
    if (!custom) {
      custom = customSmartProcess(entityTypeId)
      this.#customEntities.set(entityTypeId, custom)
    }
    return custom
  }

  /** The entity with this portal's user fields appended (the entity itself when it has none). */
  view(base: CrmEntity): CrmEntity {
    const source = this.userFields?.(base)
    if (!source || source.fields.length === 0) return base
    const cached = this.#views.get(base.entityTypeId)
    if (cached && cached.revision === source.revision) return cached.view
    const fields = [...base.fields, ...source.fields.filter((f) => !base.byName.has(f.name))]
    const view: CrmEntity = {
      ...base,
      fields,
      byName: new Map(fields.map((f) => [f.name, f])),
      byCamel: new Map(fields.filter((f) => f.camel !== null).map((f) => [f.camel as string, f])),
      itemLayout: [...base.itemLayout, ...source.fields.flatMap((f) => (f.camel ? [f.camel] : []))],
    }
    this.#views.set(base.entityTypeId, { revision: source.revision, view })
    return view
  }

  newMultifieldId(): number {
    return this.nextMultifieldId++
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Value conversion

const DISABLED = Symbol('disabled')

function legacyValue(field: CrmField, v: unknown, tz: number): unknown {
  switch (field.kind) {
    case 'id':
    case 'int':
    case 'user':
    case 'ref':
      return v === null || v === undefined ? null : String(v)
    case 'money':
      return v === null || v === undefined ? null : Number(v).toFixed(2)
    case 'float':
      return v === null || v === undefined ? null : String(v)
    case 'date':
    case 'datetime':
      return typeof v === 'number' ? formatIso(v, tz) : ''
    case 'refs':
    case 'strings':
      return Array.isArray(v) ? v.map(String) : []
    case 'multifield':
      return (Array.isArray(v) ? (v as Multifield[]) : []).map((m) => ({
        ID: String(m.id),
        VALUE_TYPE: m.valueType,
        VALUE: m.value,
        TYPE_ID: m.typeId,
      }))
    case 'flag':
      return v ?? 'N'
    default:
      return v ?? null
  }
}

function itemValue(field: CrmField, v: unknown, tz: number): unknown {
  switch (field.kind) {
    case 'ref':
      return v === null || v === undefined ? (field.itemZero ? 0 : null) : v
    case 'date':
    case 'datetime':
      return typeof v === 'number' ? formatIso(v, tz) : null
    case 'refs':
    case 'strings':
      return Array.isArray(v) ? v : []
    case 'flag':
      return v ?? 'N'
    default:
      return v ?? null
  }
}

/** Parses one input value for a column; `DISABLED` means "ignore this input". */
function inputValue(field: CrmField, v: unknown, tz: number): unknown {
  const empty = v === null || v === undefined || v === ''
  switch (field.kind) {
    case 'id':
      return DISABLED
    case 'int': {
      if (empty) return null
      const n = toNumber(v)
      return n === null ? null : Math.trunc(n)
    }
    case 'user':
    case 'ref': {
      if (empty) return null
      const n = intval(v)
      return n > 0 ? n : null
    }
    case 'money':
    case 'float': {
      if (empty) return field.kind === 'money' ? 0 : null
      return toNumber(v) ?? 0
    }
    case 'flag':
      return toFlag(v)
    case 'date':
    case 'datetime':
      return empty ? null : parseDate(v, tz)
    case 'refs':
      return toList(v)
        .map((x) => intval(x))
        .filter((n) => n > 0)
    case 'strings':
      return toList(v)
        .filter((x) => x !== null && x !== undefined && x !== '' && typeof x !== 'object')
        .map(String)
    case 'multifield':
      return DISABLED // merged separately
    default:
      return empty && v !== '' ? null : typeof v === 'object' ? JSON.stringify(v) : String(v)
  }
}

function mergeMultifields(store: CrmStore, typeId: string, current: Multifield[], input: unknown): Multifield[] {
  const out = current.map((m) => ({ ...m }))
  for (const raw of toList(input)) {
    if (!isRecord(raw)) continue
    const get = (...k: string[]): unknown => {
      for (const key of k) if (raw[key] !== undefined) return raw[key]
      return undefined
    }
    const id = positiveId(get('ID', 'id'))
    const value = get('VALUE', 'value')
    const valueType = get('VALUE_TYPE', 'valueType')
    const remove = toFlag(get('DELETE', 'delete')) === 'Y' || value === ''
    const index = id === null ? -1 : out.findIndex((m) => m.id === id)
    if (index >= 0) {
      if (remove) out.splice(index, 1)
      else {
        if (value !== undefined && value !== null) out[index].value = String(value)
        if (valueType !== undefined && valueType !== null) out[index].valueType = String(valueType)
      }
    } else if (!remove && value !== undefined && value !== null) {
      out.push({
        id: store.newMultifieldId(),
        typeId,
        valueType: valueType ? String(valueType) : 'WORK',
        value: String(value),
      })
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Writes

/** Columns set automatically after every write (derived values, audit columns). */
function derive(entity: CrmEntity, row: Row, before: Row | null, ctx: CallContext): void {
  const now = Math.floor(ctx.now())
  const stageField = entity.key === 'lead' ? 'STATUS_ID' : 'STAGE_ID'
  if (isDynamic(entity)) {
    row.UPDATED_TIME = now
    row.UPDATED_BY = ctx.userId
  } else {
    row.DATE_MODIFY = now
    row.MODIFY_BY_ID = ctx.userId
  }
  row.LAST_ACTIVITY_TIME = now
  row.LAST_ACTIVITY_BY = ctx.userId
  if (entity.byName.has(stageField) && (before === null || before[stageField] !== row[stageField])) {
    if (isDynamic(entity)) {
      row.MOVED_TIME = now
      row.MOVED_BY = ctx.userId
      row.PREVIOUS_STAGE_ID = before === null ? null : before.STAGE_ID
    } else if (entity.byName.has('MOVED_TIME')) {
      row.MOVED_TIME = now
      row.MOVED_BY_ID = ctx.userId
    }
  }
  switch (entity.key) {
    case 'deal': {
      const stage = String(row.STAGE_ID ?? '')
      row.STAGE_SEMANTIC_ID = stageSemantic(stage)
      row.CLOSED = row.STAGE_SEMANTIC_ID === 'P' ? 'N' : 'Y'
      row.IS_NEW = stage.replace(/^.*:/, '') === 'NEW' ? 'Y' : 'N'
      break
    }
    case 'lead': {
      row.STATUS_SEMANTIC_ID = stageSemantic(String(row.STATUS_ID ?? ''))
      if (row.STATUS_SEMANTIC_ID === 'P') row.DATE_CLOSED = null
      else if (before === null || before.STATUS_ID !== row.STATUS_ID) row.DATE_CLOSED = now
      break
    }
  }
  if (entity.byName.has('HAS_PHONE')) {
    row.HAS_PHONE = Array.isArray(row.PHONE) && row.PHONE.length > 0 ? 'Y' : 'N'
    row.HAS_EMAIL = Array.isArray(row.EMAIL) && row.EMAIL.length > 0 ? 'Y' : 'N'
    row.HAS_IMOL = Array.isArray(row.IM) && row.IM.some((m: Multifield) => m.valueType === 'OPENLINE') ? 'Y' : 'N'
  }
}

/** Keeps a single-value link column (`CONTACT_ID`) and its multiple twin (`CONTACT_IDS`) consistent. */
function syncLinks(row: Row, patch: Row, single: string, multiple: string): void {
  if (Object.hasOwn(patch, multiple)) {
    const list = Array.isArray(row[multiple]) ? (row[multiple] as number[]) : []
    row[single] = list[0] ?? null
  } else if (Object.hasOwn(patch, single)) {
    const id = row[single]
    const list = Array.isArray(row[multiple]) ? (row[multiple] as number[]).filter((x) => x !== id) : []
    row[multiple] = typeof id === 'number' ? [id, ...list] : list
  }
}

function defaults(entity: CrmEntity, ctx: CallContext): Row {
  const now = Math.floor(ctx.now())
  const row: Row = {}
  for (const f of entity.fields) {
    row[f.name] =
      f.kind === 'refs' || f.kind === 'multifield' ? [] : f.kind === 'flag' ? 'N' : f.kind === 'money' ? 0 : null
  }
  const set = (name: string, value: unknown): void => {
    if (entity.byName.has(name)) row[name] = value
  }
  set('OPENED', 'Y')
  set('CURRENCY_ID', 'USD')
  set('ASSIGNED_BY_ID', ctx.userId)
  set('CREATED_BY_ID', ctx.userId)
  set('CREATED_BY', ctx.userId)
  set('DATE_CREATE', now)
  set('CREATED_TIME', now)
  set('EXPORT', 'Y')
  switch (entity.key) {
    case 'deal':
      row.CATEGORY_ID = 0
      row.TYPE_ID = 'SALE'
      break
    case 'lead':
      row.STATUS_ID = 'NEW'
      break
    case 'contact':
      row.TYPE_ID = 'CLIENT'
      break
    case 'company':
      row.COMPANY_TYPE = 'CUSTOMER'
      break
    case 'smart':
      row.CATEGORY_ID = SMART_CATEGORY_ID
      row.STAGE_ID = SMART_STAGES[0]
      break
    case 'invoice':
    case 'quote': {
      const dynamic = DYNAMIC_DEFAULTS[entity.key]
      row.CATEGORY_ID = dynamic?.categoryId ?? 0
      row.STAGE_ID = dynamic?.stages[0] ?? null
      break
    }
    case 'custom':
      row.CATEGORY_ID = 0
      row.STAGE_ID = customStage(entity)
      break
  }
  return row
}

/**
 * Applies client input to a row. `fields` maps client names to values; `resolve` turns a client name into a
 * column (legacy: UPPER names, item: camel or UPPER names).
 */
function applyInput(
  store: CrmStore,
  entity: CrmEntity,
  row: Row,
  fields: Record<string, unknown>,
  resolve: (name: string) => CrmField | undefined,
  isNew: boolean,
): Row {
  const tz = store.env.tz
  const patch: Row = {}
  for (const [name, raw] of Object.entries(fields)) {
    if (name === 'fm' && entity.byName.has('PHONE')) {
      for (const m of toList(raw)) {
        if (!isRecord(m)) continue
        const typeId = String(m.typeId ?? m.TYPE_ID ?? '').toUpperCase()
        if (!entity.byName.has(typeId) || entity.byName.get(typeId)?.kind !== 'multifield') continue
        const current = (patch[typeId] ?? row[typeId] ?? []) as Multifield[]
        patch[typeId] = mergeMultifields(store, typeId, current, [m])
      }
      continue
    }
    const field = resolve(name)
    if (field === undefined || field.readOnly) continue
    if (!isNew && field.immutable) continue
    if (field.kind === 'multifield') {
      patch[field.name] = mergeMultifields(store, field.name, (row[field.name] ?? []) as Multifield[], raw)
      continue
    }
    if (field.kind === 'file') {
      if (store.files)
        patch[field.name] = store.files.accept(entity.key, field.name, field.multiple, raw, row[field.name])
      continue
    }
    const value = inputValue(field, raw, tz)
    if (value === DISABLED) continue
    patch[field.name] = value
  }
  const before = isNew ? null : { ...row }
  Object.assign(row, patch)
  switch (entity.key) {
    case 'deal': {
      syncLinks(row, patch, 'CONTACT_ID', 'CONTACT_IDS')
      const category = typeof row.CATEGORY_ID === 'number' ? row.CATEGORY_ID : 0
      row.CATEGORY_ID = category
      const prefix = dealStagePrefix(category)
      const stage = row.STAGE_ID
      if (typeof stage !== 'string' || stage === '') row.STAGE_ID = `${prefix}NEW`
      else if (prefix !== '' && !stage.startsWith(prefix)) row.STAGE_ID = prefix + stage.replace(/^C\d+:/, '')
      break
    }
    case 'lead':
      syncLinks(row, patch, 'CONTACT_ID', 'CONTACT_IDS')
      if (typeof row.STATUS_ID !== 'string' || row.STATUS_ID === '') row.STATUS_ID = 'NEW'
      break
    case 'contact':
      syncLinks(row, patch, 'COMPANY_ID', 'COMPANY_IDS')
      break
    case 'smart':
    case 'invoice':
    case 'quote':
    case 'custom': {
      syncLinks(row, patch, 'CONTACT_ID', 'CONTACT_IDS')
      const first =
        entity.key === 'smart'
          ? SMART_STAGES[0]
          : entity.key === 'custom'
            ? customStage(entity)
            : DYNAMIC_DEFAULTS[entity.key]?.stages[0]
      if (typeof row.STAGE_ID !== 'string' || row.STAGE_ID === '') row.STAGE_ID = first ?? null
      break
    }
  }
  return before ?? {}
}

/** The first stage of a smart process created on the portal (its default pipeline). */
function customStage(entity: CrmEntity): string {
  return `DT${entity.entityTypeId}_0:NEW`
}

const DEFAULT_TITLES: Record<string, string> = {
  deal: 'Deal',
  lead: 'Lead',
  company: 'Company',
  smart: 'Item',
  custom: 'Item',
  invoice: 'Invoice',
  quote: 'Estimate',
}

function createRow(
  store: CrmStore,
  entity: CrmEntity,
  fields: Record<string, unknown>,
  resolve: (name: string) => CrmField | undefined,
  ctx: CallContext,
): number {
  const table = store.table(entity)
  const row = defaults(entity, ctx)
  applyInput(store, entity, row, fields, resolve, true)
  derive(entity, row, null, ctx)
  const id = table.insert(row)
  if (entity.byName.has('TITLE') && (row.TITLE === null || row.TITLE === '') && DEFAULT_TITLES[entity.key]) {
    table.update(id, { TITLE: `${DEFAULT_TITLES[entity.key]} #${id}` })
  }
  return id
}

function updateRow(
  store: CrmStore,
  entity: CrmEntity,
  id: number,
  fields: Record<string, unknown>,
  resolve: (name: string) => CrmField | undefined,
  ctx: CallContext,
): void {
  const table = store.table(entity)
  const row = table.row(id) as Row
  const before = applyInput(store, entity, row, fields, resolve, false)
  derive(entity, row, before, ctx)
  table.update(id, row)
}

// ---------------------------------------------------------------------------------------------------------------
// Reads

function legacyRow(store: CrmStore, entity: CrmEntity, id: number, fields: readonly CrmField[]): Row {
  const table = store.table(entity)
  const out: Row = {}
  for (const f of fields) {
    const value = table.value(id, f.name)
    out[f.name] =
      f.kind === 'file' && store.files
        ? store.files.legacy(entity.key, id, f.name, value)
        : legacyValue(f, value, store.env.tz)
  }
  return out
}

function legacyGetFields(entity: CrmEntity, store: CrmStore, id: number): CrmField[] {
  const table = store.table(entity)
  const star = entity.fields.filter((f) => f.star)
  const multi = entity.fields.filter((f) => f.legacy && f.kind === 'multifield')
  const user = entity.fields.filter((f) => f.dynamic)
  return [...star, ...multi.filter((f) => (table.value(id, f.name) as unknown[]).length > 0), ...user]
}

/** Legacy `select`: `*` = all single-value standard fields, `UF_*` = custom fields (none), unknown names ignored. */
function legacySelect(entity: CrmEntity, raw: unknown): CrmField[] {
  const names = toList(raw).map((x) => String(x))
  if (names.length === 0) return entity.fields.filter((f) => f.star)
  const picked = new Map<string, CrmField>()
  for (const name of names) {
    if (name === '*') {
      for (const f of entity.fields) if (f.star) picked.set(f.name, f)
      continue
    }
    if (name.toUpperCase() === 'UF_*') {
      for (const f of entity.fields) if (f.dynamic) picked.set(f.name, f)
      continue
    }
    const f = entity.byName.get(name)
    if (f?.legacy && !(entity.key === 'deal' && f.name === 'CONTACT_IDS')) picked.set(f.name, f)
  }
  const id = entity.byName.get('ID') as CrmField
  return picked.has('ID') ? [...picked.values()] : [id, ...picked.values()]
}

function computedItemValue(name: string, table: Table, id: number): unknown {
  const mf = (type: string): Multifield[] => (table.value(id, type) ?? []) as Multifield[]
  const first = (type: string, valueType?: string): string =>
    mf(type).find((m) => valueType === undefined || m.valueType === valueType)?.value ?? ''
  switch (name) {
    case 'phoneMobile':
      return first('PHONE', 'MOBILE')
    case 'phoneWork':
      return first('PHONE', 'WORK')
    case 'phoneMailing':
      return first('PHONE', 'MAILING')
    case 'emailHome':
      return first('EMAIL', 'HOME')
    case 'emailWork':
      return first('EMAIL', 'WORK')
    case 'emailMailing':
      return first('EMAIL', 'MAILING')
    case 'imol':
      return first('IM', 'OPENLINE')
    case 'email':
      return first('EMAIL')
    case 'phone':
      return first('PHONE')
    case 'skype':
    case 'icq':
      return null
    case 'fm':
      return ['PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'].flatMap((t) =>
        mf(t).map((m) => ({ id: m.id, valueType: m.valueType, value: m.value, typeId: m.typeId })),
      )
    default:
      return undefined
  }
}

const COMPUTED_ITEM = new Set([
  'phoneMobile',
  'phoneWork',
  'phoneMailing',
  'emailHome',
  'emailWork',
  'emailMailing',
  'skype',
  'icq',
  'imol',
  'email',
  'phone',
  'fm',
])

function itemRow(store: CrmStore, entity: CrmEntity, id: number, layout: readonly string[]): Row {
  const table = store.table(entity)
  const out: Row = {}
  for (const entry of layout) {
    if (entry.startsWith('!')) {
      out[entry.slice(1)] = null
      continue
    }
    if (entry === 'entityTypeId') {
      out.entityTypeId = entity.entityTypeId
      continue
    }
    if (COMPUTED_ITEM.has(entry)) {
      out[entry] = computedItemValue(entry, table, id)
      continue
    }
    const f = entity.byCamel.get(entry)
    if (f?.kind === 'file' && store.files)
      out[entry] = store.files.item(entity.key, id, f.name, table.value(id, f.name))
    else if (f) out[entry] = itemValue(f, table.value(id, f.name), store.env.tz)
  }
  return out
}

/** crm.item `select`: field names or `*`; `fm` only with `*`; `id` always. */
function itemLayout(entity: CrmEntity, raw: unknown): string[] {
  const names = toList(raw).map((x) => String(x))
  if (names.length === 0 || names.includes('*')) return entity.itemLayout
  const wanted = new Set<string>(['id'])
  for (const name of names) {
    const f = entity.byCamel.get(name) ?? entity.byName.get(name)
    if (f?.camel) wanted.add(f.camel)
    else if (name !== 'fm' && entity.itemLayout.includes(name)) wanted.add(name)
    else if (entity.itemLayout.includes(`!${name}`)) wanted.add(`!${name}`)
  }
  return entity.itemLayout.filter((e) => wanted.has(e))
}

// ---------------------------------------------------------------------------------------------------------------
// Handlers

function legacyError(description: string): RestError {
  return new RestError('', description, 400)
}

function legacyId(params: Params): number {
  const id = positiveId(pickParam(params, 'id', 'ID', 'Id'))
  if (id === null) throw legacyError('ID is not defined or invalid.')
  return id
}

function arrayParam(params: Params, name: string, required: boolean): Record<string, unknown> | unknown[] | undefined {
  const cap = name[0].toUpperCase() + name.slice(1)
  const value = pickParam(params, name, name.toUpperCase(), cap, `ar${cap}`)
  if (value === undefined ? required : !isPhpArray(value)) throw legacyError(`Parameter '${name}' must be array.`)
  return value as Record<string, unknown> | unknown[] | undefined
}

function legacyFilterDialect(entity: CrmEntity) {
  return {
    resolve: (name: string): string | null => {
      const f = entity.byName.get(name.toUpperCase())
      if (!f?.legacy || (entity.key === 'deal' && f.name === 'CONTACT_IDS')) return null
      return f.name
    },
  }
}

function kindResolver(entity: CrmEntity) {
  return (field: string) => valueKind(entity.byName.get(field)?.kind ?? 'string')
}

export function crmLegacyMethods(store: CrmStore, prefix: string, base: CrmEntity): Record<string, MethodDefinition> {
  const { costs } = store.env
  const table = store.table(base)
  // The entity as this call sees it (with the portal's user fields); set at the start of every call. Handlers are
  // synchronous, so no other call can change it while one runs.
  let entity = base
  const resolveInput = (name: string): CrmField | undefined => {
    const f = entity.byName.get(name.toUpperCase())
    return f?.legacy ? f : undefined
  }
  const requireRow = (id: number): void => {
    if (!table.has(id)) throw legacyError('Not found')
  }
  const method = (handler: MethodDefinition['handler']): MethodDefinition => ({
    scope: 'crm',
    handler: (params, ctx) => {
      entity = store.view(base)
      return handler(params, ctx)
    },
  })

  return {
    [`${prefix}.fields`]: method((_params, ctx) => {
      ctx.cost(costs.base)
      const result: Record<string, unknown> = {}
      for (const f of entity.fields) if (f.legacy && !f.undescribed) result[f.name] = describeField(f, false)
      return { result }
    }),

    [`${prefix}.list`]: method((params, ctx) => {
      const filter = arrayParam(params, 'filter', false)
      const order = arrayParam(params, 'order', false)
      const fields = legacySelect(entity, pickParam(params, 'select', 'SELECT', 'Select', 'arSelect'))
      const orderKeys: OrderKey[] = []
      if (isRecord(order)) {
        for (const [key, dir] of Object.entries(order)) {
          const f = entity.byName.get(key.toUpperCase())
          if (!f?.legacy || f.multiple) continue
          orderKeys.push({ field: f.name, desc: String(dir).toUpperCase() === 'DESC' })
        }
      }
      const page = queryPage(store.env, ctx, {
        table,
        kindOf: kindResolver(entity),
        filter: parseFilter(filter, legacyFilterDialect(entity)),
        order: orderKeys,
        start: readStart(params),
        paging: 'legacy',
      })
      return { result: page.ids.map((id) => legacyRow(store, entity, id, fields)), ...page.meta }
    }),

    [`${prefix}.get`]: method((params, ctx) => {
      const id = legacyId(params)
      ctx.cost(costs.base + costs.perRow)
      requireRow(id)
      return { result: legacyRow(store, entity, id, legacyGetFields(entity, store, id)) }
    }),

    [`${prefix}.add`]: method((params, ctx) => {
      const fields = arrayParam(params, 'fields', true)
      arrayParam(params, 'params', false)
      ctx.cost(costs.base + costs.perRow * 10)
      return { result: createRow(store, entity, isRecord(fields) ? fields : {}, resolveInput, ctx) }
    }),

    [`${prefix}.update`]: method((params, ctx) => {
      const id = legacyId(params)
      ctx.cost(costs.base + costs.perRow * 10)
      requireRow(id)
      const fields = arrayParam(params, 'fields', true)
      arrayParam(params, 'params', false)
      updateRow(store, entity, id, isRecord(fields) ? fields : {}, resolveInput, ctx)
      return { result: true }
    }),

    [`${prefix}.delete`]: method((params, ctx) => {
      const id = legacyId(params)
      ctx.cost(costs.base + costs.perRow * 10)
      requireRow(id)
      for (const f of store.view(base).fields) {
        if (f.kind === 'file') store.files?.accept(base.key, f.name, f.multiple, null, table.value(id, f.name))
      }
      table.delete(id)
      return { result: true }
    }),
  }
}

function invalidArg(description: string): RestError {
  return new RestError('INVALID_ARG_VALUE', description, 400)
}

function itemEntity(store: CrmStore, params: Params): CrmEntity {
  const typeId = positiveId(pickParam(params, 'entityTypeId', 'ENTITY_TYPE_ID', 'entityTypeID'))
  const entity = typeId === null ? undefined : store.entity(typeId)
  if (!entity) throw new RestError('NOT_FOUND', 'Smart process not found', 400)
  return store.view(entity)
}

function itemFilterFields(entity: CrmEntity): (name: string) => CrmField | undefined {
  return (name) => {
    const f = entity.byCamel.get(name) ?? entity.byName.get(name)
    return f && f.camel !== null ? f : undefined
  }
}

export function crmItemMethods(store: CrmStore): Record<string, MethodDefinition> {
  const { costs } = store.env
  const method = (handler: MethodDefinition['handler']): MethodDefinition => ({ scope: 'crm', handler })
  const fieldsParam = (params: Params): Record<string, unknown> => {
    const fields = pickParam(params, 'fields', 'FIELDS')
    if (fields === undefined || fields === null || fields === '') return {}
    if (!isRecord(fields)) throw invalidArg("Parameter 'fields' must be an object")
    return fields
  }
  const requireItem = (entity: CrmEntity, params: Params): number => {
    const id = positiveId(pickParam(params, 'id', 'ID'))
    if (id === null || !store.table(entity).has(id)) throw new RestError('NOT_FOUND', 'Item not found', 400)
    return id
  }

  return {
    'crm.item.fields': method((params, ctx) => {
      const entity = itemEntity(store, params)
      ctx.cost(costs.base)
      const fields: Record<string, unknown> = {}
      for (const entry of entity.itemLayout) {
        if (entry.startsWith('!') || entry === 'entityTypeId' || COMPUTED_ITEM.has(entry)) continue
        const f = entity.byCamel.get(entry)
        if (f) fields[entry] = describeField(f, true)
      }
      return { result: { fields } }
    }),

    'crm.item.list': method((params, ctx) => {
      const entity = itemEntity(store, params)
      const table = store.table(entity)
      const resolveField = itemFilterFields(entity)
      const rawFilter = pickParam(params, 'filter', 'FILTER')
      if (rawFilter !== undefined && rawFilter !== '' && !isPhpArray(rawFilter)) {
        throw invalidArg('Invalid filter: filter must be an object')
      }
      const filter: FilterGroup = parseFilter(rawFilter, {
        nested: true,
        resolve: (name) => resolveField(name)?.name ?? null,
        onUnknown: (name) => {
          throw invalidArg(`Invalid filter: field '${name}' is not allowed in filter`)
        },
      })
      const order: OrderKey[] = []
      const rawOrder = pickParam(params, 'order', 'ORDER')
      if (isRecord(rawOrder)) {
        for (const [key, dir] of Object.entries(rawOrder)) {
          const f = resolveField(key)
          if (!f || f.multiple) throw invalidArg(`Invalid order: field '${key}' is not allowed in order`)
          const d = String(dir).toUpperCase()
          if (d !== 'ASC' && d !== 'DESC') {
            throw invalidArg(
              `Invalid order: allowed sort directions are ASC, DESC. But got '${String(dir)}' for field '${key}'`,
            )
          }
          order.push({ field: f.name, desc: d === 'DESC' })
        }
      }
      const layout = itemLayout(entity, pickParam(params, 'select', 'SELECT'))
      const page = queryPage(store.env, ctx, {
        table,
        kindOf: kindResolver(entity),
        filter,
        order,
        start: readStart(params),
        paging: 'orm',
      })
      return { result: { items: page.ids.map((id) => itemRow(store, entity, id, layout)) }, ...page.meta }
    }),

    'crm.item.get': method((params, ctx) => {
      const entity = itemEntity(store, params)
      ctx.cost(costs.base + costs.perRow)
      const id = requireItem(entity, params)
      return { result: { item: itemRow(store, entity, id, entity.itemLayout) } }
    }),

    'crm.item.add': method((params, ctx) => {
      const entity = itemEntity(store, params)
      const fields = fieldsParam(params)
      ctx.cost(costs.base + costs.perRow * 10)
      const id = createRow(store, entity, fields, itemFilterFields(entity), ctx)
      return { result: { item: itemRow(store, entity, id, entity.itemLayout) } }
    }),

    'crm.item.update': method((params, ctx) => {
      const entity = itemEntity(store, params)
      ctx.cost(costs.base + costs.perRow * 10)
      const id = requireItem(entity, params)
      updateRow(store, entity, id, fieldsParam(params), itemFilterFields(entity), ctx)
      return { result: { item: itemRow(store, entity, id, entity.itemLayout) } }
    }),

    'crm.item.delete': method((params, ctx) => {
      const entity = itemEntity(store, params)
      ctx.cost(costs.base + costs.perRow * 10)
      const id = requireItem(entity, params)
      store.table(entity).delete(id)
      return { result: [] }
    }),
  }
}

export function crmMethods(store: CrmStore): Record<string, MethodDefinition> {
  return {
    ...crmLegacyMethods(store, 'crm.deal', DEAL),
    ...crmLegacyMethods(store, 'crm.lead', LEAD),
    ...crmLegacyMethods(store, 'crm.contact', CONTACT),
    ...crmLegacyMethods(store, 'crm.company', COMPANY),
    ...crmItemMethods(store),
    ...crmDictionaryMethods(store.env),
  }
}
