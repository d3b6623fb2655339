/**
 * A field as the portal describes it in `crm.<entity>.fields` / `crm.item.fields` (`{ type, isMultiple,
 * isReadOnly, items, upperName, … }`), reduced to what typing and value conversion need.
 */

/** Legacy methods (`crm.deal.*`: every number and ID a string) or typed ones (`crm.item.*`: numbers as numbers). */
export type WireStyle = 'legacy' | 'typed'

/** An item of an enumeration field: its ID (what values hold) and its label. */
export interface EnumItem {
  id: string
  label: string
}

/** One field of an entity, read from the portal's own description of it. */
export interface FieldSpec {
  /** The name the methods use (`UF_CRM_COLOR`, `ufCrm5Weight`, `OPPORTUNITY`). */
  name: string
  /** The portal's type name (`integer`, `char`, `enumeration`, `crm_status`, …). */
  type: string
  /** Holds a list of values (`isMultiple`). */
  multiple: boolean
  /** Set by the portal only (`isReadOnly`). */
  readOnly: boolean
  /** A user field (`UF_*`) of this portal. */
  dynamic: boolean
  /** The portal's label of the field. */
  title: string
  /** The items of an enumeration field. */
  items?: EnumItem[]
}

/** How a value of a field converts: which family of types its values belong to. */
export type ValueFamily =
  | 'flag' // 'Y' / 'N'
  | 'boolean' // a user field of type boolean: 1 / 0 ('Y' / 'N' accepted)
  | 'integer' // integers and IDs (users, CRM records, categories)
  | 'decimal' // doubles, money amounts: kept exact
  | 'date'
  | 'datetime'
  | 'enum' // an enumeration item's ID
  | 'string'
  | 'file'
  | 'multifield' // PHONE, EMAIL, WEB, IM
  | 'other'

const INTEGER_TYPES = new Set([
  'integer',
  'user',
  'employee',
  'crm_category',
  'crm_company',
  'crm_contact',
  'crm_lead',
  'crm_deal',
  'crm_quote',
])
const STRING_TYPES = new Set(['string', 'text', 'url', 'crm_status', 'crm_currency', 'crm_entity', 'money', 'location'])

/** The value family of a field. */
export function valueFamily(field: Pick<FieldSpec, 'type' | 'dynamic'>): ValueFamily {
  const { type } = field
  if (type === 'char') return 'flag'
  if (type === 'boolean') return field.dynamic ? 'boolean' : 'flag'
  if (INTEGER_TYPES.has(type)) return 'integer'
  if (type === 'double') return 'decimal'
  if (type === 'date') return 'date'
  if (type === 'datetime') return 'datetime'
  if (type === 'enumeration') return 'enum'
  if (type === 'file') return 'file'
  if (type === 'crm_multifield') return 'multifield'
  if (STRING_TYPES.has(type)) return 'string'
  return 'other'
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function enumItems(raw: unknown): EnumItem[] | undefined {
  if (!Array.isArray(raw)) return undefined
  return raw.filter(isRecord).map((item) => ({
    id: String(item.ID ?? item.id ?? ''),
    label: String(item.VALUE ?? item.value ?? ''),
  }))
}

/**
 * The fields of an entity from its `*.fields` answer: the legacy map (`{ TITLE: {…} }`) or `crm.item.fields`'
 * `{ fields: {…} }`. Entries that are not field descriptions are skipped.
 */
export function parseFieldsDescription(description: unknown): FieldSpec[] {
  const map = isRecord(description) && isRecord(description.fields) ? description.fields : description
  if (!isRecord(map)) return []
  const out: FieldSpec[] = []
  for (const [name, raw] of Object.entries(map)) {
    if (!isRecord(raw) || typeof raw.type !== 'string') continue
    const upper = typeof raw.upperName === 'string' ? raw.upperName : name
    const spec: FieldSpec = {
      name,
      type: raw.type,
      multiple: raw.isMultiple === true,
      readOnly: raw.isReadOnly === true,
      dynamic: raw.isDynamic === true || upper.startsWith('UF_'),
      title: typeof raw.title === 'string' ? raw.title : name,
    }
    const items = enumItems(raw.items)
    if (items) spec.items = items
    out.push(spec)
  }
  return out
}
