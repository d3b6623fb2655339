/**
 * The generic entity store: one table per served family, created on the family's first write or read, holding
 * only the rows callers added (memory follows what is touched). Rows keep typed values (numbers, Unix seconds,
 * `Y`/`N`); the values of a family's scoping parameters (`entityTypeId` of `crm.category.*`) are kept beside the
 * fields under a key no field can have. User fields created through `<prefix>.userfield.add` become fields of
 * `<prefix>` rows.
 */
import type { PortalEnv } from '../env.js'
import { Table } from '../table.js'
import type { Family, FieldDef } from './families.js'
import type { Style, Wire } from './wire.js'

/** Row key of a scoping parameter's value. */
export function scopeKey(name: string): string {
  return `\u0000${name.toLowerCase()}`
}

const NO_SEED = (): undefined => undefined

/**
 * The wire type of a user field's values: lists when `MULTIPLE`; legacy families send numbers as strings and
 * texts as strings, so form and JSON input read back alike; typed families keep what was written.
 */
export function userFieldWire(type: string, multiple: boolean, style: Style): Wire {
  if (multiple) return 'list'
  if (style === 'typed') return 'any'
  if (type === 'integer') return 'intString'
  if (type === 'double') return 'floatString'
  if (type === 'datetime') return 'datetime'
  if (type === 'date') return 'date'
  return 'string'
}

/** An item of an enumeration user field, as `*.fields` lists it. */
export interface EnumItem {
  ID: string
  VALUE: string
}

function enumItems(list: unknown, idKey: string, valueKey: string): EnumItem[] | undefined {
  if (!Array.isArray(list)) return undefined
  const out: EnumItem[] = []
  for (const item of list) {
    if (item === null || typeof item !== 'object') continue
    const entry = item as Record<string, unknown>
    out.push({ ID: String(entry[idKey] ?? ''), VALUE: String(entry[valueKey] ?? '') })
  }
  return out
}

/** Where a user-field row keeps what a field definition needs: `*.userfield` rows or `userfieldconfig` rows. */
interface UserFieldKeys {
  name: string
  type: string
  multiple: string
  mandatory: string
  list: string
  itemId: string
  itemValue: string
}

const LEGACY_KEYS: UserFieldKeys = {
  name: 'FIELD_NAME',
  type: 'USER_TYPE_ID',
  multiple: 'MULTIPLE',
  mandatory: 'MANDATORY',
  list: 'LIST',
  itemId: 'ID',
  itemValue: 'VALUE',
}

const CONFIG_KEYS: UserFieldKeys = {
  name: 'fieldName',
  type: 'userTypeId',
  multiple: 'multiple',
  mandatory: 'mandatory',
  list: 'enum',
  itemId: 'id',
  itemValue: 'value',
}

function isYes(value: unknown): boolean {
  return value === 'Y' || value === true
}

/** The user-field rows of `table` that `wanted` accepts, as field definitions. */
function userFieldRows(table: Table, keys: UserFieldKeys, style: Style, wanted: (id: number) => boolean): FieldDef[] {
  const out: FieldDef[] = []
  table.forEachId(1, table.maxId, false, (id) => {
    const name = table.value(id, keys.name)
    if (typeof name !== 'string' || name === '' || !wanted(id)) return true
    const type = String(table.value(id, keys.type) ?? 'string')
    const multiple = isYes(table.value(id, keys.multiple))
    out.push({
      name,
      wire: userFieldWire(type, multiple, style),
      required: isYes(table.value(id, keys.mandatory)),
      readOnly: false,
      role: null,
      shown: false,
      type,
      items: type === 'enumeration' ? enumItems(table.value(id, keys.list), keys.itemId, keys.itemValue) : undefined,
    })
    return true
  })
  return out
}

export class GenericStore {
  readonly #tables = new Map<string, Table>()
  #userFieldRevision = 0
  #enumItemId = 0

  /** The next ID of an enumeration item (one counter per portal, as the portal's own table). */
  nextEnumItemId(): number {
    return ++this.#enumItemId
  }

  /** Changes whenever a `*.userfield` family is written (cached field views compare it). */
  get userFieldRevision(): number {
    return this.#userFieldRevision
  }

  /** Records a write to a family's rows. */
  written(family: Pick<Family, 'prefix'>): void {
    if (family.prefix.endsWith('.userfield') || family.prefix === 'userfieldconfig' || family.prefix === 'crm.type') {
      this.#userFieldRevision++
    }
  }

  constructor(readonly env: PortalEnv) {}

  /** The family's table, created empty on first use. */
  table(family: Pick<Family, 'prefix'>): Table {
    let table = this.#tables.get(family.prefix)
    if (!table) {
      table = new Table(0, NO_SEED, [])
      this.#tables.set(family.prefix, table)
    }
    return table
  }

  /** Whether a family has a table yet (without creating one). */
  touched(prefix: string): boolean {
    return this.#tables.has(prefix)
  }

  /**
   * User fields of the entity `prefix` (`crm.quote`): the rows of `<prefix>.userfield` as field definitions.
   * Values keep the type they were written with (`UF_*` values travel as given, lists for `MULTIPLE`).
   */
  userFields(prefix: string, style: Style): FieldDef[] {
    const table = this.#tables.get(`${prefix}.userfield`)
    if (!table) return []
    return userFieldRows(table, LEGACY_KEYS, style, () => true)
  }

  /**
   * User fields created with `userfieldconfig.add` for the entity `entityId` (`CRM_5`, the fields of the smart
   * process whose `crm.type` row has ID 5), as field definitions.
   */
  configUserFields(entityId: string): FieldDef[] {
    const table = this.#tables.get('userfieldconfig')
    if (!table) return []
    return userFieldRows(table, CONFIG_KEYS, 'typed', (id) => table.value(id, 'entityId') === entityId)
  }

  /** The `entityTypeId` a new smart process gets when `crm.type.add` names none: even numbers from 1030 on. */
  nextSmartProcessEntityTypeId(): number {
    const table = this.#tables.get('crm.type')
    let next = 1030
    table?.forEachId(1, table.maxId, false, (id) => {
      const used = Number(table.value(id, 'entityTypeId'))
      if (used >= next) next = used + 2
      return true
    })
    return next
  }

  /** The ID of the `crm.type` row of the smart process `entityTypeId` (`crm.type.add`), or `null`. */
  smartProcessTypeId(entityTypeId: number): number | null {
    const table = this.#tables.get('crm.type')
    if (!table) return null
    let found: number | null = null
    table.forEachId(1, table.maxId, false, (id) => {
      if (Number(table.value(id, 'entityTypeId')) !== entityTypeId) return true
      found = id
      return false
    })
    return found
  }
}
