/**
 * CRM field catalogue (deal, lead, contact, company and the demo smart process 128), taken from the official field
 * tables (crm.deal.fields, crm.lead.fields, crm.contact.fields, crm.company.fields, crm.item.fields, object-fields).
 * Rows are stored under the legacy UPPER_CASE names; `camel` is the crm.item.* name of the same column.
 */

import type { ValueKind } from './query.js'
import { upperToCamel } from './util.js'

export type CrmKind =
  | 'id'
  | 'int'
  | 'float'
  | 'money'
  | 'string'
  | 'enum'
  | 'flag'
  | 'date'
  | 'datetime'
  | 'user'
  | 'ref'
  | 'refs'
  | 'multifield'
  | 'strings'
  /** A file user field: stored file IDs, read as `{ id, showUrl, downloadUrl }` (crm-files.ts). */
  | 'file'

export interface CrmField {
  /** Storage / legacy name (`ASSIGNED_BY_ID`). */
  name: string
  /** crm.item.* name (`assignedById`), `null` when the column is not part of the item view. */
  camel: string | null
  /** `type` in crm.<entity>.fields. */
  type: string
  /** `type` in crm.item.fields. */
  itemType: string
  kind: CrmKind
  required: boolean
  readOnly: boolean
  immutable: boolean
  multiple: boolean
  title: string
  statusType?: string
  settings?: Record<string, unknown>
  deprecated?: boolean
  /** Exposed by the legacy crm.<entity>.* methods. */
  legacy: boolean
  /** Returned by legacy get/list but not described by crm.<entity>.fields (e.g. contact `FACE_ID`). */
  undescribed?: boolean
  /** Returned by legacy get and by the `*` select mask. */
  star: boolean
  /** crm.item shows `0` rather than `null` when empty (companyId, contactId). */
  itemZero?: boolean
  /** A user field (`UF_CRM_*`) created on the portal. */
  dynamic?: boolean
  /** The items of an enumeration user field, as `*.fields` lists them. */
  items?: ReadonlyArray<{ ID: string; VALUE: string }>
}

/** `custom`: a smart process created with `crm.type.add` (its `entityTypeId` tells them apart). */
export type CrmEntityKey = 'deal' | 'lead' | 'contact' | 'company' | 'smart' | 'invoice' | 'quote' | 'custom'

export interface CrmEntity {
  key: CrmEntityKey
  entityTypeId: number
  fields: CrmField[]
  byName: Map<string, CrmField>
  byCamel: Map<string, CrmField>
  /** crm.item output order: camel names; `!name` = disabled field (always `null`). */
  itemLayout: string[]
}

interface DefOptions {
  statusType?: string
  settings?: Record<string, unknown>
  camel?: string | null
  itemType?: string
  kind?: CrmKind
}

/**
 * `[name, type, flags, title, options]`; flags: `R` required, `r` read-only, `I` immutable, `M` multiple,
 * `D` deprecated, `x` not returned by legacy get/list, `i` crm.item only, `h` not described by legacy `.fields`.
 */
type Def = [name: string, type: string, flags: string, title: string, options?: DefOptions]

const CAMEL_OVERRIDES: Record<string, string> = {
  DATE_CREATE: 'createdTime',
  DATE_MODIFY: 'updatedTime',
  CREATED_BY_ID: 'createdBy',
  MODIFY_BY_ID: 'updatedBy',
  MOVED_BY_ID: 'movedBy',
}

function kindOf(name: string, type: string, multiple: boolean): CrmKind {
  if (name === 'ID') return 'id'
  if (name === 'OPPORTUNITY' || name === 'TAX_VALUE') return 'money'
  switch (type) {
    case 'integer':
    case 'crm_category':
      return 'int'
    case 'double':
      return 'float'
    case 'char':
    case 'boolean':
      return 'flag'
    case 'date':
      return 'date'
    case 'datetime':
      return 'datetime'
    case 'user':
      return multiple ? 'refs' : 'user'
    case 'crm_status':
    case 'crm_currency':
      return 'enum'
    case 'crm_company':
    case 'crm_contact':
    case 'crm_lead':
    case 'crm_quote':
    case 'crm_deal':
    case 'crm_entity':
      return multiple ? 'refs' : 'ref'
    case 'crm_multifield':
      return 'multifield'
    default:
      return 'string'
  }
}

function build(key: CrmEntityKey, entityTypeId: number, defs: Def[], itemLayout: string[]): CrmEntity {
  const fields: CrmField[] = defs.map(([name, type, flags, title, o = {}]) => {
    const multiple = flags.includes('M')
    const itemOnly = flags.includes('i')
    const camel =
      o.camel !== undefined ? o.camel : type === 'crm_multifield' ? null : (CAMEL_OVERRIDES[name] ?? upperToCamel(name))
    const field: CrmField = {
      name,
      camel,
      type,
      itemType: o.itemType ?? (type === 'char' ? 'boolean' : type),
      kind: o.kind ?? kindOf(name, type, multiple),
      required: flags.includes('R'),
      readOnly: flags.includes('r'),
      immutable: flags.includes('I'),
      multiple,
      title,
      legacy: !itemOnly,
      star: !itemOnly && !multiple && !flags.includes('x'),
    }
    if (o.statusType) field.statusType = o.statusType
    if (o.settings) field.settings = o.settings
    if (flags.includes('D')) field.deprecated = true
    if (flags.includes('h')) field.undescribed = true
    if (camel === 'companyId' || camel === 'contactId') field.itemZero = true
    return field
  })
  return {
    key,
    entityTypeId,
    fields,
    byName: new Map(fields.map((f) => [f.name, f])),
    byCamel: new Map(fields.filter((f) => f.camel !== null).map((f) => [f.camel as string, f])),
    itemLayout,
  }
}

const UTM: Def[] = [
  ['UTM_SOURCE', 'string', '', 'Advertising System'],
  ['UTM_MEDIUM', 'string', '', 'Traffic Type'],
  ['UTM_CAMPAIGN', 'string', '', 'Campaign Identifier'],
  ['UTM_CONTENT', 'string', '', 'Campaign Content'],
  ['UTM_TERM', 'string', '', 'Campaign Search Condition'],
]

const MULTIFIELDS: Def[] = [
  ['PHONE', 'crm_multifield', 'M', 'Phone'],
  ['EMAIL', 'crm_multifield', 'M', 'E-mail'],
  ['WEB', 'crm_multifield', 'M', 'Website'],
  ['IM', 'crm_multifield', 'M', 'Messenger'],
  ['LINK', 'crm_multifield', 'M', 'LINK'],
]

const ITEM_COMMON: Def[] = [
  ['WEBFORM_ID', 'integer', 'i', 'Created by CRM form'],
  ['OBSERVERS', 'user', 'iM', 'Observers'],
]

const ADDRESS = (prefix: string, title: string): Def[] => [
  [`${prefix}`, 'string', '', title, { camel: null }],
  [`${prefix}_2`, 'string', '', `${title} (Line 2)`, { camel: null }],
  [`${prefix}_CITY`, 'string', '', 'City', { camel: null }],
  [`${prefix}_POSTAL_CODE`, 'string', '', 'Postal Code', { camel: null }],
  [`${prefix}_REGION`, 'string', '', 'Region', { camel: null }],
  [`${prefix}_PROVINCE`, 'string', '', 'Province', { camel: null }],
  [`${prefix}_COUNTRY`, 'string', '', 'Country', { camel: null }],
  [`${prefix}_COUNTRY_CODE`, 'string', '', 'Country Code', { camel: null }],
  [`${prefix}_LOC_ADDR_ID`, 'integer', '', 'Location Address ID', { camel: null }],
]

const FM_ITEM_LAYOUT = [
  'phoneMobile',
  'phoneWork',
  'phoneMailing',
  'emailHome',
  'emailWork',
  'emailMailing',
  'skype',
  'icq',
  'imol',
  'email',
  'phone',
  'fm',
]

const UTM_LAYOUT = ['utmSource', 'utmMedium', 'utmCampaign', 'utmContent', 'utmTerm']

export const DEAL = build(
  'deal',
  2,
  [
    ['ID', 'integer', 'r', 'ID'],
    ['TITLE', 'string', '', 'Title'],
    ['TYPE_ID', 'crm_status', '', 'Type', { statusType: 'DEAL_TYPE' }],
    ['CATEGORY_ID', 'crm_category', 'I', 'Sales Funnel'],
    ['STAGE_ID', 'crm_status', '', 'Deal Stage', { statusType: 'DEAL_STAGE' }],
    ['STAGE_SEMANTIC_ID', 'string', 'r', 'Stage Group'],
    ['IS_NEW', 'char', 'r', 'New Deal'],
    ['IS_RECURRING', 'char', '', 'Recurring Deal'],
    ['IS_RETURN_CUSTOMER', 'char', '', 'Repeat Deal'],
    ['IS_REPEATED_APPROACH', 'char', '', 'Repeated Approach'],
    ['PROBABILITY', 'integer', '', 'Probability'],
    ['CURRENCY_ID', 'crm_currency', '', 'Currency'],
    ['OPPORTUNITY', 'double', '', 'Amount'],
    ['IS_MANUAL_OPPORTUNITY', 'char', '', 'IS_MANUAL_OPPORTUNITY'],
    ['TAX_VALUE', 'double', '', 'Tax Rate'],
    ['COMPANY_ID', 'crm_company', '', 'Company', { settings: { parentEntityTypeId: 4 } }],
    ['CONTACT_ID', 'crm_contact', 'D', 'Contact'],
    ['CONTACT_IDS', 'crm_contact', 'Mx', 'Contacts'],
    ['QUOTE_ID', 'crm_quote', 'r', 'Estimate', { settings: { parentEntityTypeId: 7 } }],
    ['BEGINDATE', 'date', '', 'Start Date'],
    ['CLOSEDATE', 'date', '', 'Close Date'],
    ['OPENED', 'char', '', 'Available to All'],
    ['CLOSED', 'char', '', 'Closed'],
    ['COMMENTS', 'string', '', 'Comment', { itemType: 'text' }],
    ['ASSIGNED_BY_ID', 'user', '', 'Responsible'],
    ['CREATED_BY_ID', 'user', 'r', 'Created By'],
    ['MODIFY_BY_ID', 'user', 'r', 'Modified By'],
    ['MOVED_BY_ID', 'user', 'r', 'MOVED_BY_ID'],
    ['DATE_CREATE', 'datetime', 'r', 'Creation Date'],
    ['DATE_MODIFY', 'datetime', 'r', 'Modification Date'],
    ['MOVED_TIME', 'datetime', 'r', 'MOVED_TIME'],
    ['SOURCE_ID', 'crm_status', '', 'Source', { statusType: 'SOURCE' }],
    ['SOURCE_DESCRIPTION', 'string', '', 'Additional Info about Source', { itemType: 'text' }],
    ['LEAD_ID', 'crm_lead', 'r', 'Lead', { settings: { parentEntityTypeId: 1 } }],
    ['ADDITIONAL_INFO', 'string', '', 'Additional Information'],
    ['LOCATION_ID', 'location', '', 'Location'],
    ['ORIGINATOR_ID', 'string', '', 'External Source'],
    ['ORIGIN_ID', 'string', '', 'Identifier in External Source'],
    ...UTM,
    ['LAST_ACTIVITY_TIME', 'datetime', 'r', 'LAST_ACTIVITY_TIME'],
    ['LAST_ACTIVITY_BY', 'user', 'r', 'LAST_ACTIVITY_BY'],
    ...ITEM_COMMON,
  ],
  [
    'id',
    'createdTime',
    '!dateCreateShort',
    'updatedTime',
    '!dateModifyShort',
    'createdBy',
    'updatedBy',
    'assignedById',
    'opened',
    'leadId',
    'companyId',
    'contactId',
    'quoteId',
    'title',
    '!productId',
    'categoryId',
    'stageId',
    'stageSemanticId',
    'isNew',
    'isRecurring',
    'isReturnCustomer',
    'isRepeatedApproach',
    'closed',
    'typeId',
    'opportunity',
    'isManualOpportunity',
    'taxValue',
    'currencyId',
    'probability',
    'comments',
    'begindate',
    '!begindateShort',
    'closedate',
    '!closedateShort',
    '!eventDate',
    '!eventDateShort',
    '!eventId',
    '!eventDescription',
    'locationId',
    'webformId',
    'sourceId',
    'sourceDescription',
    'originatorId',
    'originId',
    'additionalInfo',
    '!searchContent',
    '!orderStage',
    'movedBy',
    'movedTime',
    'lastActivityBy',
    'lastActivityTime',
    '!isWork',
    '!isWon',
    '!isLose',
    '!receivedAmount',
    '!lostAmount',
    '!hasProducts',
    ...UTM_LAYOUT,
    'observers',
    'contactIds',
    'entityTypeId',
  ],
)

export const LEAD = build(
  'lead',
  1,
  [
    ['ID', 'integer', 'r', 'ID'],
    ['TITLE', 'string', '', 'Lead Title'],
    ['HONORIFIC', 'crm_status', '', 'Salutation', { statusType: 'HONORIFIC' }],
    ['NAME', 'string', '', 'First Name'],
    ['SECOND_NAME', 'string', '', 'Middle Name'],
    ['LAST_NAME', 'string', '', 'Last Name'],
    ['BIRTHDATE', 'date', '', 'Birthdate'],
    ['COMPANY_TITLE', 'string', '', 'Company Name'],
    ['SOURCE_ID', 'crm_status', '', 'Source', { statusType: 'SOURCE' }],
    ['SOURCE_DESCRIPTION', 'string', '', 'Source Description', { itemType: 'text' }],
    ['STATUS_ID', 'crm_status', '', 'Stage', { statusType: 'STATUS', camel: 'stageId' }],
    ['STATUS_DESCRIPTION', 'string', '', 'Stage Description', { itemType: 'text' }],
    ['STATUS_SEMANTIC_ID', 'string', 'r', 'Status Semantic', { camel: 'stageSemanticId' }],
    ['POST', 'string', '', 'Position'],
    ...ADDRESS('ADDRESS', 'Address'),
    ['CURRENCY_ID', 'crm_currency', '', 'Currency'],
    ['OPPORTUNITY', 'double', '', 'Amount'],
    ['IS_MANUAL_OPPORTUNITY', 'char', '', 'IS_MANUAL_OPPORTUNITY'],
    ['OPENED', 'char', '', 'Available to All'],
    ['COMMENTS', 'string', '', 'Comments', { itemType: 'text' }],
    ['HAS_PHONE', 'char', 'r', 'Phone Provided'],
    ['HAS_EMAIL', 'char', 'r', 'Email Provided'],
    ['HAS_IMOL', 'char', 'r', 'Open Line Assigned'],
    ['ASSIGNED_BY_ID', 'user', '', 'Responsible User'],
    ['CREATED_BY_ID', 'user', 'r', 'Created By'],
    ['MODIFY_BY_ID', 'user', 'r', 'Modified By'],
    ['MOVED_BY_ID', 'user', 'r', 'MOVED_BY_ID'],
    ['DATE_CREATE', 'datetime', 'r', 'Creation Date'],
    ['DATE_MODIFY', 'datetime', 'r', 'Modification Date'],
    ['MOVED_TIME', 'datetime', 'r', 'MOVED_TIME'],
    ['COMPANY_ID', 'crm_company', '', 'Company', { settings: { parentEntityTypeId: 4 } }],
    ['CONTACT_ID', 'crm_contact', 'D', 'Contact'],
    ['CONTACT_IDS', 'crm_contact', 'M', 'CONTACT_IDS'],
    ['IS_RETURN_CUSTOMER', 'char', 'r', 'Returning Lead'],
    ['DATE_CLOSED', 'datetime', 'r', 'Closing Date'],
    ['ORIGINATOR_ID', 'string', '', 'External Source'],
    ['ORIGIN_ID', 'string', '', 'Identifier in External Source'],
    ...UTM,
    ['LAST_ACTIVITY_TIME', 'datetime', 'r', 'LAST_ACTIVITY_TIME'],
    ['LAST_ACTIVITY_BY', 'user', 'r', 'LAST_ACTIVITY_BY'],
    ...MULTIFIELDS,
    ...ITEM_COMMON,
  ],
  [
    'id',
    'createdTime',
    '!dateCreateShort',
    'updatedTime',
    '!dateModifyShort',
    'createdBy',
    'updatedBy',
    'assignedById',
    'opened',
    'companyId',
    'contactId',
    'stageId',
    '!isConvert',
    'statusDescription',
    'stageSemanticId',
    '!productId',
    'opportunity',
    'currencyId',
    'sourceId',
    'sourceDescription',
    'title',
    'name',
    'lastName',
    'secondName',
    '!shortName',
    'companyTitle',
    'post',
    '!address',
    'comments',
    'webformId',
    'originatorId',
    'originId',
    'dateClosed',
    'birthdate',
    'honorific',
    'hasPhone',
    'hasEmail',
    'hasImol',
    '!login',
    'isReturnCustomer',
    '!searchContent',
    'isManualOpportunity',
    'movedBy',
    'movedTime',
    'lastActivityBy',
    'lastActivityTime',
    ...FM_ITEM_LAYOUT,
    ...UTM_LAYOUT,
    'observers',
    'contactIds',
    'entityTypeId',
  ],
)

export const CONTACT = build(
  'contact',
  3,
  [
    ['ID', 'integer', 'r', 'ID'],
    ['HONORIFIC', 'crm_status', '', 'Salutation', { statusType: 'HONORIFIC' }],
    ['NAME', 'string', 'R', 'First Name'],
    ['SECOND_NAME', 'string', 'R', 'Middle Name'],
    ['LAST_NAME', 'string', 'R', 'Last Name'],
    ['PHOTO', 'file', '', 'Photo'],
    ['BIRTHDATE', 'date', '', 'Birthdate'],
    ['TYPE_ID', 'crm_status', '', 'Contact Type', { statusType: 'CONTACT_TYPE' }],
    ['SOURCE_ID', 'crm_status', '', 'Source', { statusType: 'SOURCE' }],
    ['SOURCE_DESCRIPTION', 'string', '', 'Additional Source Information', { itemType: 'text' }],
    ['POST', 'string', '', 'Position'],
    ...ADDRESS('ADDRESS', 'Address'),
    ['COMMENTS', 'string', '', 'Comment', { itemType: 'text' }],
    ['OPENED', 'char', '', 'Available to All'],
    ['EXPORT', 'char', '', 'Participates in Contact Export'],
    ['HAS_PHONE', 'char', 'r', 'Phone Set'],
    ['HAS_EMAIL', 'char', 'r', 'E-mail Set'],
    ['HAS_IMOL', 'char', 'r', 'Open Line Set'],
    ['ASSIGNED_BY_ID', 'user', '', 'Responsible Person'],
    ['CREATED_BY_ID', 'user', 'r', 'Created By'],
    ['MODIFY_BY_ID', 'user', 'r', 'Modified By'],
    ['DATE_CREATE', 'datetime', 'r', 'Creation Date'],
    ['DATE_MODIFY', 'datetime', 'r', 'Modification Date'],
    ['COMPANY_ID', 'crm_company', 'D', 'Company'],
    ['COMPANY_IDS', 'crm_company', 'M', 'COMPANY_IDS'],
    ['LEAD_ID', 'crm_lead', 'r', 'Lead', { settings: { parentEntityTypeId: 1 } }],
    ['ORIGINATOR_ID', 'string', '', 'External Source'],
    ['ORIGIN_ID', 'string', '', 'Identifier in External Source'],
    ['ORIGIN_VERSION', 'string', '', 'Original Version'],
    ['FACE_ID', 'integer', 'rh', 'FACE_ID', { camel: null }],
    ...UTM,
    ['LAST_ACTIVITY_TIME', 'datetime', 'r', 'Last Activity'],
    ['LAST_ACTIVITY_BY', 'user', 'r', 'Last Activity By'],
    ...MULTIFIELDS,
    ...ITEM_COMMON,
  ],
  [
    'id',
    'createdTime',
    'updatedTime',
    'createdBy',
    'updatedBy',
    'assignedById',
    'opened',
    'companyId',
    'sourceId',
    'sourceDescription',
    'name',
    'lastName',
    'secondName',
    '!shortName',
    'photo',
    'post',
    '!address',
    'comments',
    'leadId',
    'export',
    'typeId',
    'originatorId',
    'originId',
    'originVersion',
    'birthdate',
    'honorific',
    'hasPhone',
    'hasEmail',
    'hasImol',
    '!searchContent',
    '!categoryId',
    '!login',
    'webformId',
    'lastActivityBy',
    'lastActivityTime',
    ...FM_ITEM_LAYOUT,
    ...UTM_LAYOUT,
    'observers',
    'companyIds',
    'entityTypeId',
  ],
)

export const COMPANY = build(
  'company',
  4,
  [
    ['ID', 'integer', 'r', 'ID'],
    ['TITLE', 'string', 'R', 'Company Name'],
    ['COMPANY_TYPE', 'crm_status', '', 'Company Type', { statusType: 'COMPANY_TYPE', camel: 'typeId' }],
    ['LOGO', 'file', '', 'Logo'],
    ...ADDRESS('ADDRESS', 'Physical Address'),
    ['ADDRESS_LEGAL', 'string', '', 'Legal Address'],
    ...ADDRESS('REG_ADDRESS', 'Legal Address'),
    ['BANKING_DETAILS', 'string', '', 'Banking Details'],
    ['INDUSTRY', 'crm_status', '', 'Industry', { statusType: 'INDUSTRY' }],
    ['EMPLOYEES', 'crm_status', '', 'Number of Employees', { statusType: 'EMPLOYEES' }],
    ['CURRENCY_ID', 'crm_currency', '', 'Currency'],
    ['REVENUE', 'double', '', 'Annual Revenue'],
    ['OPENED', 'char', '', 'Available to Everyone'],
    ['COMMENTS', 'string', '', 'Comment', { itemType: 'text' }],
    ['HAS_PHONE', 'char', 'r', 'Phone Set'],
    ['HAS_EMAIL', 'char', 'r', 'E-mail Set'],
    ['HAS_IMOL', 'char', 'r', 'Open Line Set'],
    ['IS_MY_COMPANY', 'char', '', 'My Company'],
    ['ASSIGNED_BY_ID', 'user', '', 'Responsible Person'],
    ['CREATED_BY_ID', 'user', 'r', 'Created By'],
    ['MODIFY_BY_ID', 'user', 'r', 'Modified By'],
    ['DATE_CREATE', 'datetime', 'r', 'Creation Date'],
    ['DATE_MODIFY', 'datetime', 'r', 'Modification Date'],
    ['CONTACT_ID', 'crm_contact', 'M', 'Contact', { camel: 'contactIds' }],
    ['LEAD_ID', 'crm_lead', 'r', 'Lead', { settings: { parentEntityTypeId: 1 } }],
    ['ORIGINATOR_ID', 'string', '', 'External Source'],
    ['ORIGIN_ID', 'string', '', 'Identifier in External Source'],
    ['ORIGIN_VERSION', 'string', '', 'Original Version'],
    ...UTM,
    ['LAST_ACTIVITY_TIME', 'datetime', '', 'Last Activity Time'],
    ['LAST_ACTIVITY_BY', 'user', '', 'Last Activity Author'],
    ['LAST_COMMUNICATION_TIME', 'string', 'r', 'Last Communication Date', { camel: null }],
    ...MULTIFIELDS,
    ...ITEM_COMMON,
  ],
  [
    'id',
    'createdTime',
    'updatedTime',
    'createdBy',
    'updatedBy',
    'assignedById',
    'opened',
    'title',
    'logo',
    '!address',
    'addressLegal',
    'bankingDetails',
    'comments',
    'typeId',
    'industry',
    'revenue',
    'currencyId',
    'employees',
    'leadId',
    'webformId',
    'originatorId',
    'originId',
    'originVersion',
    'hasPhone',
    'hasEmail',
    'hasImol',
    'isMyCompany',
    '!searchContent',
    '!categoryId',
    'lastActivityBy',
    'lastActivityTime',
    ...FM_ITEM_LAYOUT,
    ...UTM_LAYOUT,
    'observers',
    'contactIds',
    'entityTypeId',
  ],
)

/** The demo smart process (entityTypeId 128): its own table, item methods only. */
export const SMART_ENTITY_TYPE_ID = 128
export const SMART_CATEGORY_ID = 3

/** Fields of a dynamic type's items (smart processes, smart invoices, new estimates), stages per category. */
function dynamicDefs(entityTypeId: number, categoryId: number): Def[] {
  return [
    ['ID', 'integer', 'r', 'ID'],
    ['TITLE', 'string', '', 'Name'],
    ['XML_ID', 'string', '', 'External code'],
    ['CREATED_TIME', 'datetime', 'r', 'Created at'],
    ['UPDATED_TIME', 'datetime', 'r', 'Updated at'],
    ['CREATED_BY', 'user', 'r', 'Created by'],
    ['UPDATED_BY', 'user', 'r', 'Updated by'],
    ['ASSIGNED_BY_ID', 'user', '', 'Assigned to'],
    ['OPENED', 'boolean', 'R', 'Publicly available'],
    ['WEBFORM_ID', 'integer', '', 'Created by CRM form'],
    ['BEGINDATE', 'date', '', 'Start date'],
    ['CLOSEDATE', 'date', '', 'End date'],
    ['COMPANY_ID', 'crm_company', '', 'Company', { settings: { parentEntityTypeId: 4 } }],
    ['CONTACT_ID', 'crm_contact', 'D', 'Contact'],
    ['CONTACT_IDS', 'crm_contact', 'M', 'CONTACT_IDS'],
    ['OBSERVERS', 'user', 'M', 'Observers'],
    ['CATEGORY_ID', 'crm_category', '', 'Pipeline'],
    ['MOVED_TIME', 'datetime', 'r', 'Moved at'],
    ['MOVED_BY', 'user', 'r', 'Moved by'],
    ['STAGE_ID', 'crm_status', '', 'Stage', { statusType: `DYNAMIC_${entityTypeId}_STAGE_${categoryId}` }],
    [
      'PREVIOUS_STAGE_ID',
      'crm_status',
      'r',
      'Previous stage',
      { statusType: `DYNAMIC_${entityTypeId}_STAGE_${categoryId}` },
    ],
    ['SOURCE_ID', 'crm_status', '', 'Source', { statusType: 'SOURCE' }],
    ['SOURCE_DESCRIPTION', 'text', '', 'Additional source info'],
    ['CURRENCY_ID', 'crm_currency', '', 'Currency'],
    ['IS_MANUAL_OPPORTUNITY', 'boolean', '', 'Amount calculation mode'],
    ['OPPORTUNITY', 'double', '', 'Amount'],
    ['TAX_VALUE', 'double', '', 'Tax amount'],
    [
      'MYCOMPANY_ID',
      'crm_company',
      '',
      'Your company details',
      { settings: { isMyCompany: true, parentEntityTypeId: 4, isEmbeddedEditorEnabled: true } },
    ],
    ['LAST_ACTIVITY_BY', 'user', 'r', 'Last activity in timeline by'],
    ['LAST_ACTIVITY_TIME', 'datetime', 'r', 'Last activity'],
  ]
}

const DYNAMIC_LAYOUT: string[] = [
  'id',
  'xmlId',
  'title',
  'createdBy',
  'updatedBy',
  'movedBy',
  'createdTime',
  'updatedTime',
  'movedTime',
  'categoryId',
  'opened',
  'stageId',
  'previousStageId',
  'begindate',
  'closedate',
  'companyId',
  'contactId',
  'opportunity',
  'isManualOpportunity',
  'taxValue',
  'currencyId',
  'mycompanyId',
  'sourceId',
  'sourceDescription',
  'webformId',
  'assignedById',
  'lastActivityBy',
  'lastActivityTime',
  'observers',
  'contactIds',
  'entityTypeId',
]

export const SMART = build(
  'smart',
  SMART_ENTITY_TYPE_ID,
  dynamicDefs(SMART_ENTITY_TYPE_ID, SMART_CATEGORY_ID),
  DYNAMIC_LAYOUT,
)

/** Smart invoices (`entityTypeId` 31) and estimates (7) exist on every portal: item methods over empty tables. */
export const SMART_INVOICE_ENTITY_TYPE_ID = 31
export const QUOTE_ENTITY_TYPE_ID = 7
export const SMART_INVOICE = build('invoice', SMART_INVOICE_ENTITY_TYPE_ID, dynamicDefs(31, 1), DYNAMIC_LAYOUT)
export const QUOTE = build('quote', QUOTE_ENTITY_TYPE_ID, dynamicDefs(7, 0), DYNAMIC_LAYOUT)

/** A smart process created on the portal with `crm.type.add`: the fields every smart process has. */
export function customSmartProcess(entityTypeId: number): CrmEntity {
  return build('custom', entityTypeId, dynamicDefs(entityTypeId, 0), DYNAMIC_LAYOUT)
}

/** Category and stages a new item of a dynamic type gets. */
export const DYNAMIC_DEFAULTS: Partial<Record<CrmEntityKey, { categoryId: number; stages: readonly string[] }>> = {
  invoice: { categoryId: 1, stages: ['DT31_1:N', 'DT31_1:S', 'DT31_1:P', 'DT31_1:D'] },
  quote: { categoryId: 0, stages: ['DRAFT', 'SENT', 'RECEIVED', 'APPROVED', 'DECLAINED'] },
}

/** Whether items of this entity are of a dynamic type (item methods only, `UPDATED_TIME`/`MOVED_BY` columns). */
export function isDynamic(entity: CrmEntity): boolean {
  return entity.key === 'smart' || entity.key === 'invoice' || entity.key === 'quote' || entity.key === 'custom'
}

export const CRM_ENTITIES: Record<number, CrmEntity> = {
  1: LEAD,
  2: DEAL,
  3: CONTACT,
  4: COMPANY,
  7: QUOTE,
  31: SMART_INVOICE,
  128: SMART,
}

/** Comparison kind of a stored CRM column. */
export function valueKind(kind: CrmKind): ValueKind {
  switch (kind) {
    case 'id':
    case 'int':
    case 'float':
    case 'money':
    case 'user':
    case 'ref':
      return 'number'
    case 'date':
    case 'datetime':
      return 'date'
    case 'flag':
      return 'flag'
    case 'refs':
      return 'numbers'
    case 'multifield':
      return 'multifield'
    case 'strings':
      return 'strings'
    default:
      return 'string'
  }
}

/** A field description in the `crm_rest_field_description` shape. */
export function describeField(field: CrmField, item: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: item ? field.itemType : field.type,
    isRequired: field.required,
    isReadOnly: field.readOnly,
    isImmutable: field.immutable,
    isMultiple: field.multiple,
    isDynamic: field.dynamic === true,
  }
  if (field.statusType) out.statusType = field.statusType
  if (field.deprecated) out.isDeprecated = true
  if (field.items) out.items = field.items.map((entry) => ({ ...entry }))
  out.title = field.title
  if (field.dynamic) {
    out.listLabel = field.title
    out.formLabel = field.title
    out.filterLabel = field.title
  }
  if (field.settings) out.settings = field.settings
  if (item) out.upperName = field.name
  return out
}
