/**
 * User fields of the hand-written CRM entities: the rows of `crm.deal.userfield` (and lead, contact, company) in
 * the generic store, as fields of `crm.deal.*` and of `crm.item.*` (`UF_CRM_COLOR` / `ufCrmColor`); and the fields
 * `userfieldconfig.add` created for a smart process of `crm.type.add` (`UF_CRM_5_WEIGHT` / `ufCrm5Weight`).
 */

import type { SmartProcessSource, UserFieldSource } from '../crm.js'
import type { CrmEntity, CrmField, CrmKind } from '../crm-schema.js'
import { upperToCamel } from '../util.js'
import type { FieldDef } from './families.js'
import type { GenericStore } from './store.js'

const LEGACY_PREFIX: Partial<Record<CrmEntity['key'], string>> = {
  deal: 'crm.deal',
  lead: 'crm.lead',
  contact: 'crm.contact',
  company: 'crm.company',
}

function kindOf(field: FieldDef): CrmKind {
  if (field.type === 'file') return 'file'
  if (field.wire === 'list') return 'strings'
  switch (field.type) {
    case 'integer':
    case 'boolean':
      return 'int'
    case 'double':
      return 'float'
    case 'date':
      return 'date'
    case 'datetime':
      return 'datetime'
    default:
      return 'string'
  }
}

/**
 * The crm.item name of a smart process's user field, as the portal spells it: the type's number joins `ufCrm`
 * and other numeric parts keep their underscore (`UF_CRM_44_1721812948498` → `ufCrm44_1721812948498`).
 */
export function smartUserFieldCamel(name: string): string {
  const [, , typeId, ...rest] = name.split('_')
  const tail = rest.map((part) => (/^\d/.test(part) ? `_${part}` : upperToCamel(`_${part}`))).join('')
  return `ufCrm${typeId ?? ''}${tail}`
}

function crmField(field: FieldDef, camel: string): CrmField {
  const out: CrmField = {
    name: field.name,
    camel,
    type: field.type,
    itemType: field.type,
    kind: kindOf(field),
    required: field.required,
    readOnly: false,
    immutable: false,
    multiple: field.wire === 'list',
    title: field.name,
    legacy: true,
    star: false,
    dynamic: true,
  }
  if (field.items) out.items = field.items
  return out
}

/** The source `CrmStore.userFields` reads, over `store`; fields are rebuilt only when a user field changes. */
export function crmUserFields(store: GenericStore): UserFieldSource {
  const cache = new Map<number, { revision: number; fields: CrmField[] }>()
  return (entity) => {
    const revision = store.userFieldRevision
    const cached = cache.get(entity.entityTypeId)
    if (cached && cached.revision === revision) return cached
    const prefix = LEGACY_PREFIX[entity.key]
    let fields: CrmField[] = []
    if (prefix !== undefined) {
      fields = store.userFields(prefix, 'legacy').map((f) => crmField(f, upperToCamel(f.name)))
    } else if (entity.key === 'custom') {
      const typeId = store.smartProcessTypeId(entity.entityTypeId)
      if (typeId !== null) {
        fields = store.configUserFields(`CRM_${typeId}`).map((f) => crmField(f, smartUserFieldCamel(f.name)))
      }
    }
    const entry = { revision, fields }
    cache.set(entity.entityTypeId, entry)
    return entry
  }
}

/** The source `CrmStore.smartProcesses` reads: whether `crm.type.add` created a smart process of that type. */
export function crmSmartProcesses(store: GenericStore): SmartProcessSource {
  return (entityTypeId) => store.smartProcessTypeId(entityTypeId) !== null
}
