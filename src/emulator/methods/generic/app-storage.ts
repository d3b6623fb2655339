/**
 * App storage: `entity.add|get|update|delete|rights` (storages keyed by their `ENTITY` code),
 * `entity.item.property.*` (properties of a storage, keyed by `PROPERTY`), `app.option.get|set` and
 * `user.option.get|set` (per user). Rows of a storage (`entity.item.*`, `entity.section.*`) live in the generic
 * store, scoped by `ENTITY`; deleting a storage drops them. Storages belong to the portal, not to one application.
 */
import { type MethodDefinition, type Params, RestError } from '../../kernel.js'
import type { PortalEnv } from '../env.js'
import { isRecord, pickParam } from '../util.js'
import { baseCostMethods } from './base-cost.js'
import type { GenericStore } from './store.js'
import { scopeKey } from './store.js'

interface Storage {
  id: number
  name: string
  access: Record<string, string>
  properties: Map<string, { NAME: string; TYPE: string; SORT: string }>
}

function argument(name: string): RestError {
  return new RestError('ERROR_ARGUMENT', `Argument '${name}' is null or empty`, 400)
}

/** A required string parameter, trimmed. */
function code(params: Params, name: string): string {
  const value = pickParam(params, name, name.toLowerCase())
  const text = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : ''
  if (text === '') throw argument(name)
  return text
}

function optional(params: Params, name: string): string | undefined {
  const value = pickParam(params, name, name.toLowerCase())
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
}

/** `{ key: value }` options (`options` of app.option.set); an empty list sets nothing. */
function options(params: Params): Record<string, unknown> {
  const value = pickParam(params, 'options', 'OPTIONS')
  if (Array.isArray(value) && value.length === 0) return {}
  if (!isRecord(value)) throw new RestError('ERROR_ARGUMENT', "Argument 'options' is null or empty", 400)
  return value
}

export function appStorageMethods(env: PortalEnv, store: GenericStore): Record<string, MethodDefinition> {
  const storages = new Map<string, Storage>()
  const appOptions = new Map<string, unknown>()
  const userOptions = new Map<number, Map<string, unknown>>()
  let nextId = 1
  const method = baseCostMethods(env)
  const storageOf = (params: Params): [string, Storage] => {
    const entity = code(params, 'ENTITY')
    const storage = storages.get(entity)
    if (!storage) throw new RestError('ERROR_ENTITY_NOT_FOUND', 'Entity not found', 400)
    return [entity, storage]
  }
  const describe = (entity: string, storage: Storage) => ({
    ID: String(storage.id),
    IBLOCK_TYPE_ID: 'rest_entity',
    ENTITY: entity,
    NAME: storage.name,
  })
  const readOptions = (bag: Map<string, unknown>, params: Params): unknown => {
    const name = optional(params, 'option')
    if (name !== undefined) return bag.get(name) ?? null
    return Object.fromEntries(bag)
  }
  /** Drops the storage's items and sections from the generic store. */
  const dropRows = (entity: string): void => {
    for (const prefix of ['entity.item', 'entity.section']) {
      if (!store.touched(prefix)) continue
      const table = store.table({ prefix })
      const ids: number[] = []
      table.forEachId(1, table.maxId, false, (id) => {
        if (table.value(id, scopeKey('ENTITY')) === entity) ids.push(id)
        return true
      })
      for (const id of ids) table.delete(id)
    }
  }

  return {
    'entity.add': method('entity', (params, ctx) => {
      const entity = code(params, 'ENTITY')
      const name = code(params, 'NAME')
      if (storages.has(entity)) throw new RestError('ERROR_ENTITY_ALREADY_EXISTS', 'Entity already exists', 400)
      const access = pickParam(params, 'ACCESS')
      storages.set(entity, {
        id: nextId++,
        name,
        access: isRecord(access) ? Object.fromEntries(Object.entries(access).map(([k, v]) => [k, String(v)])) : {},
        properties: new Map(),
      })
      const created = storages.get(entity) as Storage
      created.access[`U${ctx.userId}`] ??= 'X'
      return { result: true }
    }),
    'entity.get': method('entity', (params) => {
      const entity = optional(params, 'ENTITY')
      if (entity === undefined) return { result: [...storages].map(([code, s]) => describe(code, s)) }
      const [key, storage] = storageOf(params)
      return { result: describe(key, storage) }
    }),
    'entity.update': method('entity', (params) => {
      const [entity, storage] = storageOf(params)
      const name = optional(params, 'NAME')
      if (name !== undefined && name !== '') storage.name = name
      const access = pickParam(params, 'ACCESS')
      if (isRecord(access)) storage.access = Object.fromEntries(Object.entries(access).map(([k, v]) => [k, String(v)]))
      const renamed = optional(params, 'ENTITY_NEW')?.trim()
      if (renamed && renamed !== entity) {
        if (storages.has(renamed)) throw new RestError('ERROR_ENTITY_ALREADY_EXISTS', 'Entity already exists', 400)
        storages.delete(entity)
        storages.set(renamed, storage)
      }
      return { result: true }
    }),
    'entity.delete': method('entity', (params) => {
      const [entity] = storageOf(params)
      storages.delete(entity)
      dropRows(entity)
      return { result: true }
    }),
    'entity.rights': method('entity', (params) => {
      const [, storage] = storageOf(params)
      const access = pickParam(params, 'ACCESS')
      if (isRecord(access)) storage.access = Object.fromEntries(Object.entries(access).map(([k, v]) => [k, String(v)]))
      return { result: { ...storage.access } }
    }),
    'entity.item.property.add': method('entity', (params) => {
      const [, storage] = storageOf(params)
      const property = code(params, 'PROPERTY')
      if (storage.properties.has(property)) {
        throw new RestError('ERROR_PROPERTY_ALREADY_EXISTS', 'Property already exists', 400)
      }
      storage.properties.set(property, {
        NAME: optional(params, 'NAME') ?? property,
        TYPE: optional(params, 'TYPE') ?? 'S',
        SORT: optional(params, 'SORT') ?? '500',
      })
      return { result: true }
    }),
    'entity.item.property.get': method('entity', (params) => {
      const [, storage] = storageOf(params)
      const property = optional(params, 'PROPERTY')
      const row = (key: string) => ({ PROPERTY: key, ...storage.properties.get(key) })
      if (property === undefined || property === '') return { result: [...storage.properties.keys()].map(row) }
      if (!storage.properties.has(property)) throw new RestError('ERROR_PROPERTY_NOT_FOUND', 'Property not found', 400)
      return { result: row(property) }
    }),
    'entity.item.property.update': method('entity', (params) => {
      const [, storage] = storageOf(params)
      const property = code(params, 'PROPERTY')
      const current = storage.properties.get(property)
      if (!current) throw new RestError('ERROR_PROPERTY_NOT_FOUND', 'Property not found', 400)
      for (const key of ['NAME', 'TYPE', 'SORT'] as const) {
        const value = optional(params, key)
        if (value !== undefined && value !== '') current[key] = value
      }
      const renamed = optional(params, 'PROPERTY_NEW')?.trim()
      if (renamed && renamed !== property) {
        storage.properties.delete(property)
        storage.properties.set(renamed, current)
      }
      return { result: true }
    }),
    'entity.item.property.delete': method('entity', (params) => {
      const [, storage] = storageOf(params)
      const property = code(params, 'PROPERTY')
      if (!storage.properties.delete(property)) {
        throw new RestError('ERROR_PROPERTY_NOT_FOUND', 'Property not found', 400)
      }
      return { result: true }
    }),
    'app.option.get': method('basic', (params) => ({ result: readOptions(appOptions, params) })),
    'app.option.set': method('basic', (params) => {
      for (const [key, value] of Object.entries(options(params))) appOptions.set(key, value)
      return { result: true }
    }),
    'user.option.get': method('basic', (params, ctx) => ({
      result: readOptions(userOptions.get(ctx.userId) ?? new Map(), params),
    })),
    'user.option.set': method('basic', (params, ctx) => {
      let bag = userOptions.get(ctx.userId)
      if (!bag) {
        bag = new Map()
        userOptions.set(ctx.userId, bag)
      }
      for (const [key, value] of Object.entries(options(params))) bag.set(key, value)
      return { result: true }
    }),
  }
}
