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

export class GenericStore {
  readonly #tables = new Map<string, Table>()
  #userFieldRevision = 0

  /** Changes whenever a `*.userfield` family is written (cached field views compare it). */
  get userFieldRevision(): number {
    return this.#userFieldRevision
  }

  /** Records a write to a family's rows. */
  written(family: Pick<Family, 'prefix'>): void {
    if (family.prefix.endsWith('.userfield')) this.#userFieldRevision++
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
    const out: FieldDef[] = []
    table.forEachId(1, table.maxId, false, (id) => {
      const name = table.value(id, 'FIELD_NAME')
      if (typeof name !== 'string' || name === '') return true
      const type = String(table.value(id, 'USER_TYPE_ID') ?? 'string')
      const multiple = table.value(id, 'MULTIPLE') === 'Y'
      out.push({
        name,
        wire: userFieldWire(type, multiple, style),
        required: table.value(id, 'MANDATORY') === 'Y',
        readOnly: false,
        role: null,
        shown: false,
        type,
      })
      return true
    })
    return out
  }
}
