/**
 * The methods of one generic family: add / get / list / update / delete / fields over the family's table, typed by
 * its field table (families.ts), with filters, order, select and paging from the shared query engine.
 */
import { type CallContext, type MethodDefinition, type Params, RestError } from '../../kernel.js'
import { docExampleScope } from '../../server/doc-examples.js'
import { queryPage } from '../env.js'
import { type FilterGroup, type OrderKey, parseFilter } from '../query.js'
import type { Row } from '../table.js'
import { isPhpArray, isRecord, pickParam, positiveId, readStart, toList } from '../util.js'
import type { Family, FieldDef, Shape } from './families.js'
import { type GenericStore, scopeKey } from './store.js'
import { INVALID, storeValue, valueKindOf, type Wire, wireValue, zeroValue } from './wire.js'

/** The family's fields plus the user fields created for it so far. */
interface FieldView {
  list: FieldDef[]
  byName: Map<string, FieldDef>
  /** Upper-cased name → field, for clients that spell names in another case. */
  byUpper: Map<string, FieldDef>
}

function viewOf(family: Family, store: GenericStore): FieldView {
  const extra = store.userFields(family.prefix, family.style)
  const list =
    extra.length === 0 ? family.fields : [...family.fields, ...extra.filter((f) => !family.byName.has(f.name))]
  const byName = extra.length === 0 ? family.byName : new Map(list.map((f) => [f.name, f]))
  return { list, byName, byUpper: new Map(list.map((f) => [f.name.toUpperCase(), f])) }
}

function resolve(view: FieldView, name: string): FieldDef | undefined {
  return view.byName.get(name) ?? view.byUpper.get(name.toUpperCase())
}

function describeType(wire: Wire, type: string): string {
  switch (wire) {
    case 'int':
    case 'intString':
      return 'integer'
    case 'float':
    case 'floatString':
      return 'double'
    case 'flag':
      return 'char'
    case 'bool':
      return 'boolean'
    case 'datetime':
    case 'sqlDatetime':
      return 'datetime'
    case 'date':
      return 'date'
    default:
      return /^[a-z_.]+$/.test(type) && type !== 'undefined' && type !== 'object' ? type : 'string'
  }
}

/**
 * A user field as the portal saves it: CRM field names get their `UF_CRM_` prefix (`MY_FIELD` → `UF_CRM_MY_FIELD`),
 * and `ENTITY_ID` names the entity (`CRM_DEAL` for `crm.deal.userfield`).
 */
function normalizeUserField(prefix: string, row: Row, store: GenericStore): void {
  const entity = prefix.slice(0, -'.userfield'.length)
  const name = typeof row.FIELD_NAME === 'string' ? row.FIELD_NAME.toUpperCase() : row.FIELD_NAME
  if (typeof name === 'string' && entity.startsWith('crm.')) {
    row.FIELD_NAME = name.startsWith('UF_CRM_') ? name : `UF_CRM_${name.replace(/^UF_/, '')}`
  }
  // a label given as one string is the label of every language
  for (const key of ['EDIT_FORM_LABEL', 'LIST_COLUMN_LABEL', 'LIST_FILTER_LABEL', 'ERROR_MESSAGE', 'HELP_MESSAGE']) {
    if (typeof row[key] === 'string') row[key] = { en: row[key] }
  }
  if (Object.hasOwn(row, 'ENTITY_ID') && (row.ENTITY_ID === null || row.ENTITY_ID === '')) {
    row.ENTITY_ID = entity.replace(/\./g, '_').toUpperCase()
  }
  numberEnumItems(row, 'LIST', 'ID', store)
}

/**
 * The items of an enumeration user field get IDs as the portal numbers them (one counter per portal), so that
 * `*.fields` can list them and a value can name one; items that already carry an ID keep it.
 */
function numberEnumItems(row: Row, listKey: string, idKey: string, store: GenericStore): void {
  const list = row[listKey]
  const items = Array.isArray(list) ? list : list !== null && typeof list === 'object' ? Object.values(list) : null
  if (!items) return
  row[listKey] = items.map((item) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item
    const entry = item as Record<string, unknown>
    return entry[idKey] === undefined || entry[idKey] === null || entry[idKey] === ''
      ? { [idKey]: String(store.nextEnumItemId()), ...entry }
      : entry
  })
}

export function genericFamilyMethods(family: Family, store: GenericStore): Record<string, MethodDefinition> {
  const env = store.env
  const { costs, tz } = env
  const legacy = family.style === 'legacy'
  const scope = docExampleScope({ name: family.prefix, scope: family.scope, result: { kind: 'unknown' } })
  const table = () => store.table(family)
  const method = (handler: MethodDefinition['handler']): MethodDefinition => ({ scope, handler })

  const notFound = (): RestError =>
    legacy ? new RestError('', 'Not found', 400) : new RestError('NOT_FOUND', 'Element not found', 400)
  const missing = (name: string): RestError =>
    legacy
      ? new RestError('', `The field ${name} is not defined or empty`, 400)
      : new RestError('FIELD_IS_REQUIRED', `Required field '${name}' is not filled`, 400)
  const invalid = (name: string, wire: Wire): RestError =>
    new RestError('INVALID_ARG_VALUE', `Invalid value of field '${name}': expected ${describeType(wire, '')}`, 400)

  const readId = (params: Params, op: 'get' | 'update' | 'delete'): number => {
    const name = family.idParams[op] ?? 'id'
    const id = positiveId(pickParam(params, name, name.toLowerCase(), name.toUpperCase()))
    if (id === null) {
      throw legacy
        ? new RestError('', 'ID is not defined or invalid.', 400)
        : new RestError('MISSING_PARAMS', `Required parameter '${name}' is missing`, 400)
    }
    return id
  }

  /** Values of the scoping parameters (`entityTypeId`), required where the docs require them. */
  const readScope = (params: Params, required: boolean): Map<string, string> => {
    const values = new Map<string, string>()
    for (const name of family.scopeParams) {
      const given = pickParam(params, name, name.toLowerCase(), name.toUpperCase())
      // an object parameter names its row by ID (`preset: { ID: 1 }` of crm.requisite.preset.field.*)
      const value = isRecord(given) ? pickParam(given, 'ID', 'id') : given
      if (value === undefined || value === null || value === '' || typeof value === 'object') {
        if (required) throw new RestError('MISSING_PARAMS', `Required parameter '${name}' is missing`, 400)
        continue
      }
      values.set(name, String(value))
    }
    return values
  }

  const requireRow = (id: number, scopeValues: Map<string, string>): void => {
    const t = table()
    if (!t.has(id)) throw notFound()
    for (const [name, value] of scopeValues) if (t.value(id, scopeKey(name)) !== value) throw notFound()
  }

  const readFields = (params: Params): Record<string, unknown> => {
    if (family.fieldsParam === null) return params
    const value = pickParam(
      params,
      family.fieldsParam,
      family.fieldsParam.toLowerCase(),
      family.fieldsParam.toUpperCase(),
    )
    if (value === undefined || value === null || value === '') return {}
    if (!isPhpArray(value) || Array.isArray(value)) {
      throw legacy
        ? new RestError('', `Parameter '${family.fieldsParam}' must be array.`, 400)
        : new RestError('INVALID_ARG_VALUE', `Parameter '${family.fieldsParam}' must be an object`, 400)
    }
    return value
  }

  /** Legacy families keep every scalar inside a structure as a string, as form input gives it (`1` → `'1'`). */
  const asLegacy = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(asLegacy)
    if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asLegacy(v)]))
    if (typeof value === 'number') return String(value)
    if (typeof value === 'boolean') return value ? '1' : '0'
    return value
  }

  /** Typed values of the writable fields present in `input`. */
  const patchOf = (view: FieldView, input: Record<string, unknown>): Row => {
    const patch: Row = {}
    for (const [name, raw] of Object.entries(input)) {
      const field = resolve(view, name)
      if (!field || field.readOnly) continue
      const value = storeValue(field.wire, raw, tz)
      if (value === INVALID) throw invalid(field.name, field.wire)
      patch[field.name] = legacy && typeof value === 'object' && value !== null ? asLegacy(value) : value
    }
    return patch
  }

  const stamp = (view: FieldView, row: Row, ctx: CallContext, created: boolean, patch: Row): void => {
    const now = Math.floor(ctx.now())
    for (const f of view.list) {
      if (f.role === 'modified' || (created && f.role === 'created')) row[f.name] = now
      else if (f.role === 'editor' && !Object.hasOwn(patch, f.name)) row[f.name] = ctx.userId
      else if (created && f.role === 'author' && !Object.hasOwn(patch, f.name)) row[f.name] = ctx.userId
    }
  }

  const print = (id: number, fields: readonly FieldDef[]): Row => {
    const t = table()
    const out: Row = {}
    for (const f of fields) out[f.name] = wireValue(f.wire, t.value(id, f.name), tz)
    return out
  }

  const answer = (shape: Shape, id: number, view: FieldView): unknown => {
    switch (shape.kind) {
      case 'id':
        return id
      case 'idObject':
        return { [shape.key]: id }
      case 'row':
        return print(id, view.list)
      case 'wrapped':
        return { [shape.key]: print(id, view.list) }
      case 'constant':
        return structuredClone(shape.value)
    }
  }

  /** `select`: names (any case), `*` for the documented fields, `UF_*` for the user fields; the ID always. */
  const selectFields = (view: FieldView, raw: unknown): FieldDef[] => {
    const names = toList(raw).map((x) => String(x))
    const own = view.list.filter((f) => family.byName.has(f.name))
    if (names.length === 0) return own
    const picked = new Set<FieldDef>()
    const id = view.byName.get(family.idField)
    if (id) picked.add(id)
    for (const name of names) {
      if (name === '*') for (const f of own) picked.add(f)
      else if (name.toUpperCase() === 'UF_*') for (const f of view.list) !family.byName.has(f.name) && picked.add(f)
      else {
        const f = resolve(view, name)
        if (f) picked.add(f)
      }
    }
    return view.list.filter((f) => picked.has(f))
  }

  const definitions: Record<string, MethodDefinition> = {}
  const { methods } = family

  if (methods.add) {
    definitions[methods.add] = method((params, ctx) => {
      ctx.cost(costs.base + costs.perRow * 10)
      const scopeValues = readScope(params, true)
      const input = readFields(params)
      const view = viewOf(family, store)
      for (const f of view.list) {
        if (!f.required) continue
        const given = Object.entries(input).find(([k]) => resolve(view, k) === f)
        const value = given?.[1]
        if (value === undefined || value === null || value === '') throw missing(f.name)
      }
      const patch = patchOf(view, input)
      const row: Row = {}
      for (const f of view.list) {
        if (f.role === 'id') continue
        row[f.name] = Object.hasOwn(patch, f.name)
          ? patch[f.name]
          : f.shown && f.wire !== 'datetime' && f.wire !== 'date' && f.wire !== 'sqlDatetime'
            ? zeroValue(f.wire)
            : null
      }
      for (const [name, value] of scopeValues) {
        row[scopeKey(name)] = value
        const twin = view.byName.get(name)
        if (twin && !Object.hasOwn(patch, name)) row[name] = storeValue(twin.wire, value, tz)
      }
      stamp(view, row, ctx, true, patch)
      if (family.prefix.endsWith('.userfield')) normalizeUserField(family.prefix, row, store)
      if (family.prefix === 'userfieldconfig') numberEnumItems(row, 'enum', 'id', store)
      if (family.prefix === 'crm.type' && !Number(row.entityTypeId)) {
        row.entityTypeId = store.nextSmartProcessEntityTypeId()
      }
      const id = table().insert(row, family.idField)
      store.written(family)
      return { result: answer(family.addResult, id, view) }
    })
  }

  if (methods.get) {
    definitions[methods.get] = method((params, ctx) => {
      ctx.cost(costs.base + costs.perRow)
      const id = readId(params, 'get')
      requireRow(id, readScope(params, false))
      return { result: answer(family.getResult, id, viewOf(family, store)) }
    })
  }

  if (methods.update) {
    definitions[methods.update] = method((params, ctx) => {
      ctx.cost(costs.base + costs.perRow * 10)
      const id = readId(params, 'update')
      requireRow(id, readScope(params, false))
      const view = viewOf(family, store)
      const patch = patchOf(view, readFields(params))
      const row: Row = { ...patch }
      stamp(view, row, ctx, false, patch)
      if (family.prefix.endsWith('.userfield')) numberEnumItems(row, 'LIST', 'ID', store)
      if (family.prefix === 'userfieldconfig') numberEnumItems(row, 'enum', 'id', store)
      table().update(id, row)
      store.written(family)
      return { result: answer(family.updateResult, id, view) }
    })
  }

  if (methods.delete) {
    definitions[methods.delete] = method((params, ctx) => {
      ctx.cost(costs.base + costs.perRow * 10)
      const id = readId(params, 'delete')
      requireRow(id, readScope(params, false))
      table().delete(id)
      store.written(family)
      return { result: answer(family.deleteResult, id, viewOf(family, store)) }
    })
  }

  if (methods.list) {
    definitions[methods.list] = method((params, ctx) => {
      const view = viewOf(family, store)
      const rawFilter = pickParam(params, family.filterKey, 'filter', 'FILTER')
      const filter: FilterGroup = parseFilter(isPhpArray(rawFilter) ? rawFilter : undefined, {
        nested: !legacy,
        resolve: (name) => resolve(view, name)?.name ?? null,
      })
      for (const [name, value] of readScope(params, false)) {
        filter.items.push({ field: scopeKey(name), op: '=', value })
      }
      const order: OrderKey[] = []
      const rawOrder = pickParam(params, family.orderKey, 'order', 'ORDER')
      if (isRecord(rawOrder)) {
        for (const [key, dir] of Object.entries(rawOrder)) {
          const f = resolve(view, key)
          if (f) order.push({ field: f.name, desc: String(dir).toUpperCase() === 'DESC' })
        }
      }
      const fields = selectFields(view, pickParam(params, family.selectKey, 'select', 'SELECT'))
      const page = queryPage(env, ctx, {
        table: table(),
        kindOf: (name) => valueKindOf(view.byName.get(name)?.wire ?? 'string'),
        filter,
        order,
        start: readStart(params),
        paging: legacy ? 'legacy' : 'orm',
        idField: family.idField,
      })
      const rows = family.listByKey
        ? Object.fromEntries(page.ids.map((id) => [String(id), print(id, fields)]))
        : page.ids.map((id) => print(id, fields))
      return { result: family.listKey === null ? rows : { [family.listKey]: rows }, ...page.meta }
    })
  }

  if (methods.fields) {
    definitions[methods.fields] = method((_params, ctx) => {
      ctx.cost(costs.base)
      const view = viewOf(family, store)
      const description: Record<string, unknown> = {}
      for (const f of view.list) {
        description[f.name] = {
          type: describeType(f.wire, f.type),
          isRequired: f.required,
          isReadOnly: f.readOnly,
          isImmutable: false,
          isMultiple: f.wire === 'list',
          isDynamic: !family.byName.has(f.name),
          title: f.name,
        }
      }
      return { result: family.fieldsKey === null ? description : { [family.fieldsKey]: description } }
    })
  }
  return definitions
}
