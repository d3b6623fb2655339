/**
 * Family discovery: which documented CRUD families (`<prefix>.add|get|list|update|delete|fields`) the generic
 * store can serve, and how each one looks on the wire — its ID parameter, the parameter holding the fields, the
 * scoping parameters (`entityTypeId` of `crm.category.*`), the wrapper keys of its answers and the typed field
 * table — all read from the catalogue's parameter trees and documented examples.
 */
import { type CatalogueMethod, type CatalogueParam, catalogueIndex, exampleResult } from './catalogue.js'
import { type Style, type Wire, wireOfExample, wireOfParam } from './wire.js'

/** What a field is filled with by the store itself. */
export type FieldRole = 'id' | 'created' | 'modified' | 'author' | 'editor' | null

export interface FieldDef {
  name: string
  wire: Wire
  required: boolean
  readOnly: boolean
  role: FieldRole
  /** The documented example shows a non-null value (an unset field then prints its type's zero value). */
  shown: boolean
  /** Documented type, for `*.fields`. */
  type: string
  /** The items of an enumeration user field. */
  items?: ReadonlyArray<{ ID: string; VALUE: string }>
}

/**
 * How an answer is shaped: the new ID as a number or string (`id`), `{ [key]: ID }` (`idObject`), the row
 * (`row`), the row under a key (`wrapped`) or a fixed value (`constant`).
 */
export type Shape =
  | { kind: 'id' }
  | { kind: 'idObject'; key: string }
  | { kind: 'row' }
  | { kind: 'wrapped'; key: string }
  | { kind: 'constant'; value: unknown }

export type CrudOp = 'add' | 'get' | 'list' | 'update' | 'delete' | 'fields'

export interface Family {
  /** Lower-case prefix (`crm.activity`). */
  prefix: string
  scope: string
  style: Style
  /** Catalogue names of the methods served, by operation. */
  methods: Partial<Record<CrudOp, string>>
  /** Name of the ID parameter per operation that takes one. */
  idParams: Partial<Record<'get' | 'update' | 'delete', string>>
  /** Name of the ID in rows (`ID`, `id`). */
  idField: string
  /** Where add/update take the fields (`fields`); `null`: as top-level parameters. */
  fieldsParam: string | null
  /** Required parameters of `get` besides the ID; rows belong to one value of each (`entityTypeId`). */
  scopeParams: string[]
  fields: FieldDef[]
  byName: Map<string, FieldDef>
  addResult: Shape
  getResult: Shape
  updateResult: Shape
  deleteResult: Shape
  /** `null`: the list result is the array; else the key holding it. */
  listKey: string | null
  /** The rows are an object keyed by ID (`{ templates: { "37": {…} } }`) rather than an array. */
  listByKey: boolean
  /** Key wrapping the `*.fields` description, `null` for none. */
  fieldsKey: string | null
  filterKey: string
  orderKey: string
  selectKey: string
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `{ item: {...} }` → `['item', {...}]`; anything else → `null`. */
function singleWrapped(value: unknown): [string, Record<string, unknown>] | null {
  if (!isRecord(value)) return null
  const keys = Object.keys(value)
  if (keys.length !== 1) return null
  const inner = value[keys[0]]
  return isRecord(inner) ? [keys[0], inner] : null
}

function findParam(params: readonly CatalogueParam[] | undefined, name: string): CatalogueParam | undefined {
  return params?.find((p) => p.name.toLowerCase() === name.toLowerCase())
}

const ID_NAME = /^id$/i

/** The ID parameter of a get/update/delete: `id` (any case), else the only required parameter named `…Id`. */
function idParamOf(record: CatalogueMethod | undefined, scopeParams: readonly string[]): string | null {
  const params = record?.params ?? []
  const exact = params.find((p) => ID_NAME.test(p.name))
  if (exact) return exact.name
  const candidates = params.filter(
    (p) => p.required && /id$/i.test(p.name) && !scopeParams.some((s) => s.toLowerCase() === p.name.toLowerCase()),
  )
  return candidates.length === 1 ? candidates[0].name : null
}

const CREATED = /^(date_?create|created|created_?(date|time|at)|date_?created|createdtime)$/i
const MODIFIED =
  /^(date_?modify|last_?updated|updated|date_?update|updated_?(time|at)|timestamp_?x|modified|date_?modified)$/i
const AUTHOR = /^(created_?by(_?id)?|author_?id|author)$/i
const EDITOR = /^(modify_?by(_?id)?|modified_?by(_?id)?|updated_?by(_?id)?|editor_?id|changed_?by)$/i

function roleOf(name: string, wire: Wire, idField: string): FieldRole {
  if (name === idField) return 'id'
  const date = wire === 'datetime' || wire === 'sqlDatetime' || wire === 'date'
  const number = wire === 'int' || wire === 'intString'
  if (date && CREATED.test(name)) return 'created'
  if (date && MODIFIED.test(name)) return 'modified'
  if (number && AUTHOR.test(name)) return 'author'
  if (number && EDITOR.test(name)) return 'editor'
  return null
}

function shapeOf(example: unknown, result: CatalogueMethod['result'] | undefined, idField: string): Shape | null {
  if (typeof example === 'number' || (typeof example === 'string' && /^\d+$/.test(example))) return { kind: 'id' }
  const wrapped = singleWrapped(example)
  if (wrapped) return { kind: 'wrapped', key: wrapped[0] }
  if (isRecord(example)) {
    const keys = Object.keys(example)
    if (keys.length === 1 && ID_NAME.test(keys[0])) return { kind: 'idObject', key: keys[0] }
    if (Object.hasOwn(example, idField)) return { kind: 'row' }
    return null
  }
  if (example === undefined && result?.kind === 'scalar' && result.type === 'integer') return { kind: 'id' }
  return null
}

function constantShape(example: unknown, result: CatalogueMethod['result'] | undefined): Shape {
  if (example === undefined) {
    if (result?.kind === 'scalar' && result.type === 'null') return { kind: 'constant', value: null }
    return { kind: 'constant', value: true }
  }
  if (example === null || typeof example === 'boolean' || (Array.isArray(example) && example.length === 0)) {
    return { kind: 'constant', value: example }
  }
  return { kind: 'constant', value: true }
}

/** The documented row of a get: from its example (unwrapped), else from its returned-data table. */
function documentedRow(
  get: CatalogueMethod,
): { row: Record<string, unknown>; key: string | null; table: CatalogueParam[] } | null {
  const example = exampleResult(get)
  const table = get.result.kind === 'object' ? (get.result.fields ?? []) : []
  const wrapped = singleWrapped(example)
  if (wrapped) {
    const inner = table.length === 1 && table[0].name === wrapped[0] ? (table[0].fields ?? []) : table
    return { row: wrapped[1], key: wrapped[0], table: inner }
  }
  if (isRecord(example)) return { row: example, key: null, table }
  return null
}

function fieldsParamOf(add: CatalogueMethod): CatalogueParam | null {
  const params = add.params ?? []
  const named = params.find((p) => p.name.toLowerCase() === 'fields' || p.name.toLowerCase() === 'field')
  if (named) return named
  return null
}

/** Builds one family, or `null` when the catalogue does not say enough to serve it faithfully. */
export function describeFamily(prefix: string, records: ReadonlyMap<string, CatalogueMethod>): Family | null {
  /** `getlist` stands in for an undocumented `list`, `getfields` for `fields` (task.*item, catalog.*). */
  const rec = (op: CrudOp) =>
    records.get(`${prefix}.${op}`) ?? (op === 'list' || op === 'fields' ? records.get(`${prefix}.get${op}`) : undefined)
  const add = rec('add')
  const get = rec('get')
  const del = rec('delete')
  if (!add || !get) return null
  // `get` that answers a list and takes a filter (entity.item.get, entity.section.get) is the family's list
  const getExample = exampleResult(get)
  const getIsList =
    !rec('list') &&
    Array.isArray(getExample) &&
    isRecord(getExample[0]) &&
    findParam(get.params, 'filter') !== undefined
  const list = getIsList ? get : rec('list')
  const documented = getIsList
    ? { row: getExample[0] as Record<string, unknown>, key: null, table: [] }
    : documentedRow(get)
  if (!documented) return null
  const { row } = documented
  const idField = Object.keys(row).find((k) => k === 'ID') ?? Object.keys(row).find((k) => k === 'id')
  if (idField === undefined) return null
  const idValue = row[idField]
  if (!(typeof idValue === 'number' || (typeof idValue === 'string' && /^\d+$/.test(idValue)))) return null
  const style: Style = typeof idValue === 'string' ? 'legacy' : 'typed'

  const getParams = get.params ?? []
  const exactId = getParams.find((p) => ID_NAME.test(p.name))
  const namedIds = getParams.filter((p) => p.required && /id$/i.test(p.name) && !findParam(add.params, p.name))
  const getId = getIsList ? null : exactId ? exactId.name : namedIds.length === 1 ? namedIds[0].name : null
  if (getId === null && !getIsList) return null
  const realScope = getParams.filter((p) => p.required && p.name !== getId).map((p) => p.name)
  if (!realScope.every((s) => findParam(add.params, s))) return null
  const delId = del ? idParamOf(del, realScope) : null
  const upd = rec('update')
  const updId = upd ? idParamOf(upd, realScope) : null

  const fieldsParam = fieldsParamOf(add)
  const writable: CatalogueParam[] = fieldsParam
    ? (fieldsParam.fields ?? [])
    : (add.params ?? []).filter((p) => !realScope.includes(p.name) && !p.name.endsWith('_'))
  const updatable = upd ? (findParam(upd.params, fieldsParam?.name ?? 'fields')?.fields ?? []) : []
  const writableNames = new Set([...writable, ...updatable].map((p) => p.name))
  // the `fields` example also says which fields are writable (`isReadOnly: false`), e.g. COMPLETED of activities
  const fieldsDescription = rec('fields') ? exampleResult(rec('fields')) : undefined
  const described = singleWrapped(fieldsDescription)?.[1] ?? fieldsDescription
  if (isRecord(described)) {
    for (const [name, description] of Object.entries(described)) {
      if (isRecord(description) && description.isReadOnly === false) writableNames.add(name)
    }
  }
  const openFields = fieldsParam !== null && writable.length === 0
  const table = documented.table

  const fields: FieldDef[] = []
  const byName = new Map<string, FieldDef>()
  const addField = (name: string, example: unknown, param: CatalogueParam | undefined, required: boolean): void => {
    if (byName.has(name)) return
    const type = param?.type ?? typeof example
    const wire: Wire =
      name === idField
        ? style === 'legacy'
          ? 'intString'
          : 'int'
        : param?.type.includes('|')
          ? 'any' // `string|lang_map`: either form is kept as written
          : (wireOfExample(example, param?.type) ?? wireOfParam(param?.type ?? 'any', param?.array === true, style))
    const role = roleOf(name, wire, idField)
    const readOnly = role === 'id' || (!openFields && !writableNames.has(name))
    const field: FieldDef = {
      name,
      wire,
      required,
      readOnly,
      role,
      shown: example !== null && example !== undefined,
      type,
    }
    fields.push(field)
    byName.set(name, field)
  }
  const paramOf = (name: string): CatalogueParam | undefined =>
    writable.find((p) => p.name === name) ??
    updatable.find((p) => p.name === name) ??
    table.find((p) => p.name === name)
  for (const [name, value] of Object.entries(row)) {
    const param = paramOf(name)
    addField(name, value, param, writable.find((p) => p.name === name)?.required === true)
  }
  for (const param of writable) addField(param.name, undefined, param, param.required === true)
  for (const param of table) addField(param.name, undefined, param, false)

  const addResult = shapeOf(exampleResult(add), add.result, idField)
  if (addResult === null) return null
  const getResult: Shape = documented.key === null ? { kind: 'row' } : { kind: 'wrapped', key: documented.key }
  const updExample = upd ? exampleResult(upd) : undefined
  // update answers the ID, the row (bare or under a key) or a constant, as its example (or declared result) shows
  const updateResult: Shape =
    (upd && shapeOf(updExample, upd.result, idField)) || constantShape(updExample, upd?.result)
  const deleteResult = constantShape(del ? exampleResult(del) : undefined, del?.result)

  let listKey: string | null = null
  let listByKey = false
  if (list) {
    const listExample = exampleResult(list)
    const keyed = singleWrapped(listExample)
    if (list.list) listKey = list.list.key
    else if (Array.isArray(listExample)) listKey = null
    else if (keyed && Object.entries(keyed[1]).every(([k, v]) => /^\d+$/.test(k) && isRecord(v))) {
      listKey = keyed[0]
      listByKey = true
    } else if (isRecord(listExample)) {
      const arrays = Object.keys(listExample).filter((k) => Array.isArray(listExample[k]))
      if (arrays.length !== 1) return null
      listKey = arrays[0]
    } else if (list.result.kind === 'list') listKey = list.result.key
    else {
      // no example: the returned-data table names the one array holding the rows
      const arrays = list.result.kind === 'object' ? (list.result.fields ?? []).filter((f) => f.array) : []
      if (arrays.length !== 1) return null
      listKey = arrays[0].name
    }
  }

  const fieldsRecord = rec('fields')
  const fieldsExample = fieldsRecord ? exampleResult(fieldsRecord) : undefined
  const fieldsWrapped = singleWrapped(fieldsExample)
  const fieldsKey =
    fieldsWrapped && Object.values(fieldsWrapped[1]).every((v) => isRecord(v)) && !byName.has(fieldsWrapped[0])
      ? fieldsWrapped[0]
      : null
  // `fields` is served when its answer is a map of field descriptions (bare or under one key), not another format
  const describesFields =
    fieldsRecord !== undefined &&
    (fieldsKey !== null ||
      (isRecord(fieldsExample) && Object.values(fieldsExample).every((v) => isRecord(v))) ||
      (fieldsExample === undefined && fieldsRecord.result.kind !== 'list'))

  const methods: Partial<Record<CrudOp, string>> = {}
  for (const op of ['add', 'get', 'list', 'update', 'delete', 'fields'] as const) {
    const record = rec(op)
    if (!record || (op === 'update' && updId === null) || (op === 'delete' && delId === null)) continue
    if (getIsList && op === 'get') continue
    if (op === 'fields' && !describesFields) continue
    methods[op] = record.name
  }
  if (getIsList) methods.list = get.name
  const idParams: Family['idParams'] = {}
  if (getId !== null) idParams.get = getId
  if (delId !== null) idParams.delete = delId
  if (updId !== null) idParams.update = updId
  return {
    prefix,
    scope: (add.scope ?? 'basic').toLowerCase(),
    style,
    methods,
    idParams,
    idField,
    fieldsParam: fieldsParam?.name ?? null,
    scopeParams: realScope,
    fields,
    byName,
    addResult,
    getResult,
    updateResult,
    deleteResult,
    listKey,
    listByKey,
    fieldsKey,
    filterKey: list?.list?.filterKey || findParam(list?.params, 'filter')?.name || 'filter',
    orderKey:
      list?.list?.orderKey ||
      findParam(list?.params, 'order')?.name ||
      findParam(list?.params, 'sort')?.name ||
      'order',
    selectKey: list?.list?.selectKey || findParam(list?.params, 'select')?.name || 'select',
  }
}

const CRUD = /^(.*)\.(add|get|list|update|delete|fields)$/i

let families: readonly Family[] | undefined

/** Every family the generic store can serve, discovered once per process; sorted by prefix. */
export function discoverFamilies(): readonly Family[] {
  if (families) return families
  const records = catalogueIndex()
  const prefixes = new Set<string>()
  for (const name of records.keys()) {
    const m = CRUD.exec(name)
    if (m) prefixes.add(m[1])
  }
  const found: Family[] = []
  for (const prefix of [...prefixes].sort()) {
    const family = describeFamily(prefix, records)
    if (family) found.push(family)
  }
  families = found
  return families
}
