/**
 * Contact–company–deal links: `crm.deal.contact.*`, `crm.lead.contact.*` and `crm.contact.company.*` over the
 * link columns the CRM rows already hold (`CONTACT_IDS` / `CONTACT_ID`, `COMPANY_IDS` / `COMPANY_ID`), so a link
 * made here shows in `crm.deal.get` and the other way round. The first linked ID is the primary one; `SORT` is
 * the position (10, 20, …).
 */
import { type MethodDefinition, type Params, RestError } from '../../kernel.js'
import type { CrmStore } from '../crm.js'
import { CONTACT, type CrmEntity, DEAL, LEAD } from '../crm-schema.js'
import { intval, isRecord, pickParam, positiveId, toFlag, toList } from '../util.js'
import { baseCostMethods } from './base-cost.js'

interface Link {
  prefix: string
  owner: CrmEntity
  /** Column holding every linked ID, in order. */
  many: string
  /** Column holding the primary linked ID. */
  primary: string
  /** Name of the linked ID in items (`CONTACT_ID`). */
  key: string
}

const LINKS: readonly Link[] = [
  { prefix: 'crm.deal.contact', owner: DEAL, many: 'CONTACT_IDS', primary: 'CONTACT_ID', key: 'CONTACT_ID' },
  { prefix: 'crm.lead.contact', owner: LEAD, many: 'CONTACT_IDS', primary: 'CONTACT_ID', key: 'CONTACT_ID' },
  { prefix: 'crm.contact.company', owner: CONTACT, many: 'COMPANY_IDS', primary: 'COMPANY_ID', key: 'COMPANY_ID' },
]

const FIELD = (type: string, title: string, required = false) => ({
  type,
  isRequired: required,
  isReadOnly: false,
  isImmutable: false,
  isMultiple: false,
  isDynamic: false,
  title,
})

function notFound(): RestError {
  return new RestError('', 'Not found', 400)
}

interface Item {
  id: number
  sort: number
  primary: boolean
}

/** Items given as `{ CONTACT_ID, SORT, IS_PRIMARY }` records, ordered: the primary first, then by SORT. */
function readItems(raw: unknown, key: string): Item[] {
  const items = toList(raw)
    .filter(isRecord)
    .map((item, index) => ({
      id: intval(item[key]),
      sort: item.SORT === undefined ? (index + 1) * 10 : intval(item.SORT),
      primary: item.IS_PRIMARY !== undefined && toFlag(item.IS_PRIMARY) === 'Y',
    }))
  if (items.some((item) => item.id <= 0)) throw new RestError('', `The field ${key} is not defined or invalid.`, 400)
  return items.sort((a, b) => Number(b.primary) - Number(a.primary) || a.sort - b.sort)
}

export function crmLinkMethods(crm: CrmStore): Record<string, MethodDefinition> {
  const method = baseCostMethods(crm.env)
  const out: Record<string, MethodDefinition> = {}
  for (const link of LINKS) {
    const table = crm.table(link.owner)
    const ownerOf = (params: Params): number => {
      const id = positiveId(pickParam(params, 'id', 'ID'))
      if (id === null) throw new RestError('', 'ID is not defined or invalid.', 400)
      if (!table.has(id)) throw notFound()
      return id
    }
    const linked = (id: number): number[] => {
      const value = table.value(id, link.many)
      return Array.isArray(value) ? value.filter((x): x is number => typeof x === 'number') : []
    }
    const save = (id: number, ids: number[]): void => {
      const unique = [...new Set(ids)]
      table.update(id, { [link.many]: unique, [link.primary]: unique[0] ?? null })
    }
    const fields = (params: Params): Record<string, unknown> => {
      const value = pickParam(params, 'fields', 'FIELDS')
      if (!isRecord(value)) throw new RestError('', "Parameter 'fields' must be array.", 400)
      return value
    }
    out[`${link.prefix}.fields`] = method('crm', () => ({
      result: {
        [link.key]: FIELD('integer', link.key === 'CONTACT_ID' ? 'Contact' : 'Company', true),
        SORT: FIELD('integer', 'Sorting'),
        ROLE_ID: FIELD('integer', 'Role'),
        IS_PRIMARY: FIELD('char', 'Primary'),
      },
    }))
    out[`${link.prefix}.items.get`] = method('crm', (params) => ({
      result: linked(ownerOf(params)).map((id, index) => ({
        [link.key]: id,
        SORT: (index + 1) * 10,
        ROLE_ID: 0,
        IS_PRIMARY: index === 0 ? 'Y' : 'N',
      })),
    }))
    out[`${link.prefix}.items.set`] = method('crm', (params) => {
      const id = ownerOf(params)
      save(
        id,
        readItems(pickParam(params, 'items', 'ITEMS'), link.key).map((item) => item.id),
      )
      return { result: true }
    })
    out[`${link.prefix}.items.delete`] = method('crm', (params) => {
      save(ownerOf(params), [])
      return { result: true }
    })
    out[`${link.prefix}.add`] = method('crm', (params) => {
      const id = ownerOf(params)
      const [item] = readItems([fields(params)], link.key)
      const rest = linked(id).filter((x) => x !== item.id)
      save(id, item.primary || rest.length === 0 ? [item.id, ...rest] : [...rest, item.id])
      return { result: true }
    })
    out[`${link.prefix}.delete`] = method('crm', (params) => {
      const id = ownerOf(params)
      const target = intval(fields(params)[link.key])
      save(
        id,
        linked(id).filter((x) => x !== target),
      )
      return { result: true }
    })
  }
  return out
}
