/**
 * Deterministic seed rows for CRM entities: each field of each seeded row is a pure function of
 * (portal random seed, entity, row ID), so rows never need to be stored until they are changed.
 */

import { SMART_CATEGORY_ID } from './crm-schema.js'
import {
  CITIES,
  COMMENTS,
  COMPANY_FORMS,
  COMPANY_KINDS,
  COMPANY_WORDS,
  DEAL_PRODUCTS,
  FIRST_NAMES,
  LAST_NAMES,
  LEAD_TOPICS,
  POSITIONS,
  SMART_TOPICS,
} from './names.js'
import type { SeedGenerator } from './table.js'
import { SeededRandom, startOfDay } from './util.js'

export interface Multifield {
  id: number
  typeId: string
  valueType: string
  value: string
}

export interface SeedCounts {
  deals: number
  leads: number
  contacts: number
  companies: number
  users: number
  departments: number
  tasks: number
  smartItems: number
  groups: number
}

export interface SeedContext {
  seed: number
  counts: SeedCounts
  /** End of the seeded timeline (Unix seconds); seeded rows were created during the 3 years before it. */
  anchor: number
  /** Portal UTC offset, minutes. */
  tz: number
}

const DAY = 86400
const SEEDED_SPAN = 3 * 365 * DAY

export const DEAL_STAGES = ['NEW', 'PREPARATION', 'PREPAYMENT_INVOICE', 'EXECUTING', 'FINAL_INVOICE', 'WON', 'LOSE']
const DEAL_STAGE_WEIGHTS = [0.2, 0.13, 0.1, 0.1, 0.07, 0.25, 0.15]
const DEAL_STAGE_PROBABILITY = [10, 30, 50, 70, 90, 100, 0]
export const LEAD_STATUSES = ['NEW', 'IN_PROCESS', 'PROCESSED', 'CONVERTED', 'JUNK']
const LEAD_STATUS_WEIGHTS = [0.3, 0.25, 0.15, 0.15, 0.15]
export const SMART_STAGES = ['NEW', 'PREPARATION', 'CLIENT', 'SUCCESS', 'FAIL'].map(
  (s) => `DT128_${SMART_CATEGORY_ID}:${s}`,
)
export const SOURCES = [
  'CALL',
  'EMAIL',
  'WEB',
  'ADVERTISING',
  'PARTNER',
  'RECOMMENDATION',
  'TRADE_SHOW',
  'WEBFORM',
  'CALLBACK',
]
export const DEAL_TYPES = ['SALE', 'COMPLEX', 'GOODS', 'SERVICES', 'SERVICE']
export const CONTACT_TYPES = ['CLIENT', 'SUPPLIER', 'PARTNER', 'OTHER']
export const COMPANY_TYPES = ['CUSTOMER', 'SUPPLIER', 'COMPETITOR', 'PARTNER', 'OTHER']
export const INDUSTRIES = [
  'IT',
  'TELECOM',
  'MANUFACTURING',
  'BANKING',
  'CONSULTING',
  'FINANCE',
  'GOVERNMENT',
  'DELIVERY',
]
export const EMPLOYEES = ['EMPLOYEES_1', 'EMPLOYEES_2', 'EMPLOYEES_3', 'EMPLOYEES_4']
export const HONORIFICS = ['HNR_EN_1', 'HNR_EN_2', 'HNR_EN_3', 'HNR_EN_4']
const UTM_SOURCES = ['google', 'facebook', 'newsletter', 'linkedin']
const UTM_MEDIUMS = ['CPC', 'email', 'social', 'banner']

/** Semantic group of a stage code: `S` success, `F` failure, `P` in progress. */
export function stageSemantic(stage: string | null | undefined): 'P' | 'S' | 'F' {
  const code = String(stage ?? '').replace(/^.*:/, '')
  if (code === 'WON' || code === 'CONVERTED' || code === 'SUCCESS') return 'S'
  if (code === 'LOSE' || code === 'JUNK' || code === 'FAIL' || code === 'APOLOGY') return 'F'
  return 'P'
}

/** Stage prefix of a deal category: `''` for the general pipeline, `C1:` for category 1. */
export function dealStagePrefix(categoryId: number): string {
  return categoryId > 0 ? `C${categoryId}:` : ''
}

function weighted(r: number, weights: readonly number[]): number {
  let acc = 0
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]
    if (r < acc) return i
  }
  return weights.length - 1
}

/** Multifield IDs of seeded rows: unique per (entity, row, slot); new values are numbered after them. */
export function seedMultifieldId(entityIndex: number, rowId: number, slot: number): number {
  return (rowId * 5 + entityIndex) * 8 + slot
}

export function firstMultifieldIdAfterSeed(counts: SeedCounts): number {
  return (Math.max(counts.leads, counts.contacts, counts.companies) + 1) * 40 + 8
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '')
}

/** Shared pieces: timeline, people, companies. */
class SeedBase {
  readonly r: SeededRandom
  constructor(
    readonly ctx: SeedContext,
    entity: number,
    readonly count: number,
  ) {
    this.r = new SeededRandom(ctx.seed, entity)
  }

  /** Creation time grows with the ID across the seeded span, like a real table. */
  created(id: number): number {
    const start = this.ctx.anchor - SEEDED_SPAN
    return Math.floor(start + (SEEDED_SPAN * (id - 1 + this.r.unit(id, 1))) / Math.max(1, this.count))
  }

  modified(id: number): number {
    const created = this.created(id)
    return Math.min(this.ctx.anchor, created + Math.floor(this.r.unit(id, 2) * 120 * DAY))
  }

  user(id: number, salt: number): number {
    return 1 + this.r.int(id, salt, Math.max(1, this.ctx.counts.users))
  }

  ref(id: number, salt: number, count: number, probability: number): number | null {
    if (count <= 0 || !this.r.chance(id, salt, probability)) return null
    return 1 + this.r.int(id, salt + 1000, count)
  }

  firstName(id: number): string {
    return this.r.pick(id, 3, FIRST_NAMES)
  }

  lastName(id: number): string {
    return this.r.pick(id, 4, LAST_NAMES)
  }

  currency(id: number): string {
    const u = this.r.unit(id, 5)
    return u < 0.6 ? 'USD' : u < 0.9 ? 'EUR' : 'GBP'
  }

  utm(id: number, field: string): string | null {
    if (!this.r.chance(id, 40, 0.25)) return null
    if (field === 'UTM_SOURCE') return this.r.pick(id, 41, UTM_SOURCES)
    if (field === 'UTM_MEDIUM') return this.r.pick(id, 41, UTM_MEDIUMS)
    if (field === 'UTM_CAMPAIGN') return this.r.chance(id, 42, 0.5) ? `campaign_${1 + this.r.int(id, 43, 12)}` : null
    return null
  }

  city(id: number): (typeof CITIES)[number] | null {
    return this.r.chance(id, 50, 0.6) ? this.r.pick(id, 51, CITIES) : null
  }

  phone(id: number, salt: number): string {
    return `+1${String(2000000000 + this.r.int(id, salt, 7999999999)).slice(0, 10)}`
  }
}

/** Title of a seeded company; also used to name deals after their client. */
export function seededCompanyTitle(r: SeededRandom, id: number): string {
  return `${r.pick(id, 10, COMPANY_WORDS)} ${r.pick(id, 11, COMPANY_KINDS)} ${r.pick(id, 12, COMPANY_FORMS)}`
}

function common(b: SeedBase, id: number, field: string): unknown {
  switch (field) {
    case 'ID':
      return id
    case 'ASSIGNED_BY_ID':
    case 'MODIFY_BY_ID':
    case 'MOVED_BY_ID':
    case 'LAST_ACTIVITY_BY':
    case 'UPDATED_BY':
    case 'MOVED_BY':
      return b.user(id, 20)
    case 'CREATED_BY_ID':
    case 'CREATED_BY':
      return b.user(id, 21)
    case 'DATE_CREATE':
    case 'CREATED_TIME':
      return b.created(id)
    case 'DATE_MODIFY':
    case 'UPDATED_TIME':
    case 'MOVED_TIME':
    case 'LAST_ACTIVITY_TIME':
      return b.modified(id)
    case 'OPENED':
      return 'Y'
    case 'CURRENCY_ID':
      return b.currency(id)
    case 'SOURCE_ID':
      return b.r.pick(id, 22, SOURCES)
    case 'UTM_SOURCE':
    case 'UTM_MEDIUM':
    case 'UTM_CAMPAIGN':
    case 'UTM_CONTENT':
    case 'UTM_TERM':
      return b.utm(id, field)
    case 'OBSERVERS':
      return b.r.chance(id, 23, 0.1) ? [b.user(id, 24)] : []
    case 'COMMENTS':
      return b.r.chance(id, 25, 0.3) ? b.r.pick(id, 26, COMMENTS) : null
    case 'HAS_IMOL':
      return 'N'
    case 'WEB':
    case 'IM':
    case 'LINK':
      return []
    default:
      return null
  }
}

function address(b: SeedBase, id: number, field: string, prefix: string): unknown {
  const city = b.city(id)
  if (city === null) return null
  switch (field.slice(prefix.length)) {
    case '_CITY':
      return city[0]
    case '_COUNTRY':
      return city[1]
    case '_COUNTRY_CODE':
      return city[2]
    case '':
      return `${1 + b.r.int(id, 52, 200)} ${b.r.pick(id, 53, ['Main St', 'Oak Ave', 'Park Rd', 'Market St', 'High St'])}`
    default:
      return null
  }
}

function personMultifields(b: SeedBase, entityIndex: number, id: number, field: string, email: string): unknown {
  if (field === 'PHONE' || field === 'HAS_PHONE') {
    const list: Multifield[] = []
    if (id === 1 || b.r.chance(id, 60, 0.85)) {
      list.push({
        id: seedMultifieldId(entityIndex, id, 0),
        typeId: 'PHONE',
        valueType: b.r.pick(id, 61, ['WORK', 'MOBILE']),
        value: b.phone(id, 62),
      })
      if (b.r.chance(id, 63, 0.25)) {
        list.push({
          id: seedMultifieldId(entityIndex, id, 1),
          typeId: 'PHONE',
          valueType: 'HOME',
          value: b.phone(id, 64),
        })
      }
    }
    return field === 'PHONE' ? list : list.length > 0 ? 'Y' : 'N'
  }
  if (field === 'EMAIL' || field === 'HAS_EMAIL') {
    const list: Multifield[] =
      id === 1 || b.r.chance(id, 65, 0.75)
        ? [{ id: seedMultifieldId(entityIndex, id, 2), typeId: 'EMAIL', valueType: 'WORK', value: email }]
        : []
    return field === 'EMAIL' ? list : list.length > 0 ? 'Y' : 'N'
  }
  return undefined
}

export function dealGenerator(ctx: SeedContext): SeedGenerator {
  const b = new SeedBase(ctx, 2, ctx.counts.deals)
  const companies = new SeededRandom(ctx.seed, 4)
  const category = (id: number): number => (b.r.chance(id, 100, 0.2) ? 1 : 0)
  const stageIndex = (id: number): number => weighted(b.r.unit(id, 101), DEAL_STAGE_WEIGHTS)
  const companyId = (id: number): number | null => b.ref(id, 102, ctx.counts.companies, 0.8)
  const contactIds = (id: number): number[] => {
    const first = b.ref(id, 103, ctx.counts.contacts, 0.85)
    if (first === null) return []
    const second = b.ref(id, 104, ctx.counts.contacts, 0.2)
    return second !== null && second !== first ? [first, second] : [first]
  }
  return (id, field) => {
    switch (field) {
      case 'TITLE': {
        const company = companyId(id)
        const product = b.r.pick(id, 105, DEAL_PRODUCTS)
        return company === null ? `${product} #${id}` : `${product} for ${seededCompanyTitle(companies, company)}`
      }
      case 'TYPE_ID':
        return b.r.pick(id, 106, DEAL_TYPES)
      case 'CATEGORY_ID':
        return category(id)
      case 'STAGE_ID':
        return dealStagePrefix(category(id)) + DEAL_STAGES[stageIndex(id)]
      case 'STAGE_SEMANTIC_ID':
        return stageSemantic(DEAL_STAGES[stageIndex(id)])
      case 'CLOSED':
        return stageSemantic(DEAL_STAGES[stageIndex(id)]) === 'P' ? 'N' : 'Y'
      case 'IS_NEW':
        return stageIndex(id) === 0 ? 'Y' : 'N'
      case 'IS_RECURRING':
        return 'N'
      case 'IS_RETURN_CUSTOMER':
        return b.r.chance(id, 107, 0.2) ? 'Y' : 'N'
      case 'IS_REPEATED_APPROACH':
        return b.r.chance(id, 108, 0.05) ? 'Y' : 'N'
      case 'PROBABILITY':
        return DEAL_STAGE_PROBABILITY[stageIndex(id)]
      case 'OPPORTUNITY':
        return Math.round(300 * 1000 ** b.r.unit(id, 109) * 100) / 100
      case 'IS_MANUAL_OPPORTUNITY':
        return b.r.chance(id, 110, 0.3) ? 'Y' : 'N'
      case 'TAX_VALUE':
        return 0
      case 'COMPANY_ID':
        return companyId(id)
      case 'CONTACT_ID':
        return contactIds(id)[0] ?? null
      case 'CONTACT_IDS':
        return contactIds(id)
      case 'LEAD_ID':
        return b.ref(id, 111, ctx.counts.leads, 0.3)
      case 'BEGINDATE':
        return startOfDay(b.created(id), ctx.tz)
      case 'CLOSEDATE':
        return startOfDay(b.created(id) + (14 + b.r.int(id, 112, 76)) * DAY, ctx.tz)
      default:
        return common(b, id, field)
    }
  }
}

export function leadGenerator(ctx: SeedContext): SeedGenerator {
  const b = new SeedBase(ctx, 1, ctx.counts.leads)
  const statusIndex = (id: number): number => weighted(b.r.unit(id, 200), LEAD_STATUS_WEIGHTS)
  const email = (id: number): string =>
    `${b.firstName(id)}.${b.lastName(id)}${id}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, '')
  return (id, field) => {
    const fm = personMultifields(b, 1, id, field, email(id))
    if (fm !== undefined) return fm
    if (field.startsWith('ADDRESS')) return address(b, id, field, 'ADDRESS')
    switch (field) {
      case 'TITLE':
        return `${b.r.pick(id, 201, LEAD_TOPICS)}: ${b.firstName(id)} ${b.lastName(id)}`
      case 'HONORIFIC':
        return b.r.chance(id, 202, 0.3) ? b.r.pick(id, 203, HONORIFICS) : null
      case 'NAME':
        return b.firstName(id)
      case 'LAST_NAME':
        return b.lastName(id)
      case 'COMPANY_TITLE':
        return b.r.chance(id, 204, 0.6) ? seededCompanyTitle(b.r, id) : null
      case 'STATUS_ID':
        return LEAD_STATUSES[statusIndex(id)]
      case 'STATUS_SEMANTIC_ID':
        return stageSemantic(LEAD_STATUSES[statusIndex(id)])
      case 'DATE_CLOSED':
        return stageSemantic(LEAD_STATUSES[statusIndex(id)]) === 'P' ? null : b.modified(id)
      case 'POST':
        return b.r.chance(id, 205, 0.5) ? b.r.pick(id, 206, POSITIONS) : null
      case 'OPPORTUNITY':
        return b.r.chance(id, 207, 0.6) ? Math.round(100 * 200 ** b.r.unit(id, 208)) * 10 : 0
      case 'IS_MANUAL_OPPORTUNITY':
        return 'N'
      case 'IS_RETURN_CUSTOMER':
        return 'N'
      case 'CONTACT_IDS':
        return []
      case 'IM':
      case 'HAS_IMOL': {
        // Leads that came from an open line (chat); row 1 always did, so it shows every kind of value.
        const list: Multifield[] =
          id === 1 || b.r.chance(id, 209, 0.3)
            ? [
                {
                  id: seedMultifieldId(1, id, 3),
                  typeId: 'IM',
                  valueType: 'OPENLINE',
                  value: `imol|livechat|1|${id}|${1 + b.r.int(id, 210, 99)}`,
                },
              ]
            : []
        return field === 'IM' ? list : list.length > 0 ? 'Y' : 'N'
      }
      default:
        return common(b, id, field)
    }
  }
}

export function contactGenerator(ctx: SeedContext): SeedGenerator {
  const b = new SeedBase(ctx, 3, ctx.counts.contacts)
  const companyIds = (id: number): number[] => {
    const c = b.ref(id, 300, ctx.counts.companies, 0.7)
    return c === null ? [] : [c]
  }
  const email = (id: number): string =>
    `${b.firstName(id)}.${b.lastName(id)}${id}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, '')
  return (id, field) => {
    const fm = personMultifields(b, 2, id, field, email(id))
    if (fm !== undefined) return fm
    if (field.startsWith('ADDRESS')) return address(b, id, field, 'ADDRESS')
    switch (field) {
      case 'HONORIFIC':
        return b.r.chance(id, 301, 0.3) ? b.r.pick(id, 302, HONORIFICS) : null
      case 'NAME':
        return b.firstName(id)
      case 'LAST_NAME':
        return b.lastName(id)
      case 'BIRTHDATE':
        return b.r.chance(id, 303, 0.3)
          ? startOfDay(Date.UTC(1960, 0, 1) / 1000 + b.r.int(id, 304, 40 * 365) * DAY, ctx.tz)
          : null
      case 'TYPE_ID':
        return b.r.pick(id, 305, CONTACT_TYPES)
      case 'POST':
        return b.r.chance(id, 306, 0.7) ? b.r.pick(id, 307, POSITIONS) : null
      case 'EXPORT':
        return 'Y'
      case 'COMPANY_ID':
        return companyIds(id)[0] ?? null
      case 'COMPANY_IDS':
        return companyIds(id)
      case 'LEAD_ID':
        return b.ref(id, 308, ctx.counts.leads, 0.2)
      default:
        return common(b, id, field)
    }
  }
}

export function companyGenerator(ctx: SeedContext): SeedGenerator {
  const b = new SeedBase(ctx, 4, ctx.counts.companies)
  const domain = (id: number): string => `${slug(b.r.pick(id, 10, COMPANY_WORDS))}${id}.example.com`
  return (id, field) => {
    if (field.startsWith('ADDRESS') && field !== 'ADDRESS_LEGAL') return address(b, id, field, 'ADDRESS')
    switch (field) {
      case 'TITLE':
        return seededCompanyTitle(b.r, id)
      case 'COMPANY_TYPE':
        return b.r.pick(id, 400, COMPANY_TYPES)
      case 'INDUSTRY':
        return b.r.pick(id, 401, INDUSTRIES)
      case 'EMPLOYEES':
        return b.r.pick(id, 402, EMPLOYEES)
      case 'REVENUE':
        return Math.round(50 * 2000 ** b.r.unit(id, 403)) * 1000
      case 'IS_MY_COMPANY':
        return 'N'
      case 'CONTACT_ID':
        return []
      case 'PHONE':
      case 'HAS_PHONE': {
        const list: Multifield[] = b.r.chance(id, 404, 0.9)
          ? [{ id: seedMultifieldId(3, id, 0), typeId: 'PHONE', valueType: 'WORK', value: b.phone(id, 405) }]
          : []
        return field === 'PHONE' ? list : list.length > 0 ? 'Y' : 'N'
      }
      case 'EMAIL':
      case 'HAS_EMAIL': {
        const list: Multifield[] = b.r.chance(id, 406, 0.8)
          ? [{ id: seedMultifieldId(3, id, 2), typeId: 'EMAIL', valueType: 'WORK', value: `info@${domain(id)}` }]
          : []
        return field === 'EMAIL' ? list : list.length > 0 ? 'Y' : 'N'
      }
      case 'WEB':
        return b.r.chance(id, 407, 0.7)
          ? [{ id: seedMultifieldId(3, id, 4), typeId: 'WEB', valueType: 'WORK', value: `https://${domain(id)}` }]
          : []
      default:
        return common(b, id, field)
    }
  }
}

export function smartGenerator(ctx: SeedContext): SeedGenerator {
  const b = new SeedBase(ctx, 128, ctx.counts.smartItems)
  const stage = (id: number): string => b.r.pick(id, 500, SMART_STAGES)
  return (id, field) => {
    switch (field) {
      case 'TITLE':
        return `${b.r.pick(id, 501, SMART_TOPICS)} #${id}`
      case 'XML_ID':
        return null
      case 'CATEGORY_ID':
        return SMART_CATEGORY_ID
      case 'STAGE_ID':
        return stage(id)
      case 'PREVIOUS_STAGE_ID':
        return SMART_STAGES.indexOf(stage(id)) > 0 ? SMART_STAGES[0] : null
      case 'BEGINDATE':
        return startOfDay(b.created(id), ctx.tz)
      case 'CLOSEDATE':
        return startOfDay(b.created(id) + (7 + b.r.int(id, 502, 60)) * DAY, ctx.tz)
      case 'COMPANY_ID':
        return b.ref(id, 503, ctx.counts.companies, 0.7)
      case 'CONTACT_IDS': {
        const c = b.ref(id, 504, ctx.counts.contacts, 0.6)
        return c === null ? [] : [c]
      }
      case 'CONTACT_ID': {
        return b.ref(id, 504, ctx.counts.contacts, 0.6)
      }
      case 'OPPORTUNITY':
        return Math.round(100 * 500 ** b.r.unit(id, 505) * 100) / 100
      case 'IS_MANUAL_OPPORTUNITY':
        return 'N'
      case 'TAX_VALUE':
        return 0
      case 'MYCOMPANY_ID':
        return null
      case 'WEBFORM_ID':
        return null
      case 'SOURCE_DESCRIPTION':
        return null
      default:
        return common(b, id, field)
    }
  }
}
