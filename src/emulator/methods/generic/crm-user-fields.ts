/**
 * User fields of the hand-written CRM entities: the rows of `crm.deal.userfield` (and lead, contact, company) in
 * the generic store, as fields of `crm.deal.*` and of `crm.item.*` (`UF_CRM_COLOR` / `ufCrmColor`).
 */

import type { UserFieldSource } from '../crm.js'
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

function crmField(field: FieldDef): CrmField {
  return {
    name: field.name,
    camel: upperToCamel(field.name),
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
}

/** The source `CrmStore.userFields` reads, over `store`; fields are rebuilt only when a user field changes. */
export function crmUserFields(store: GenericStore): UserFieldSource {
  const cache = new Map<string, { revision: number; fields: CrmField[] }>()
  return (entity) => {
    const prefix = LEGACY_PREFIX[entity.key]
    const revision = store.userFieldRevision
    if (prefix === undefined) return { revision, fields: [] }
    const cached = cache.get(prefix)
    if (cached && cached.revision === revision) return cached
    const entry = { revision, fields: store.userFields(prefix, 'legacy').map(crmField) }
    cache.set(prefix, entry)
    return entry
  }
}
