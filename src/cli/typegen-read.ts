/**
 * What `b24tssdk typegen` reads from a portal: `crm.<entity>.fields` of the legacy CRM entities (with
 * `crm.<entity>.userfield.list` for enumeration items the description leaves out), and `crm.type.list` +
 * `crm.item.fields` for each smart process.
 */
import type { Client } from '../client/client.js'
import { type FieldSpec, parseFieldsDescription } from '../values/field-spec.js'
import type { DescribedEntity } from './typegen-render.js'

/** The legacy CRM entities typegen knows, by method prefix. */
export const LEGACY_ENTITIES = ['crm.deal', 'crm.lead', 'crm.contact', 'crm.company'] as const

/** What to read: legacy entities by prefix, and smart processes (`'all'` or the listed `entityTypeId`s). */
export interface TypegenSelection {
  legacy: ReadonlyArray<(typeof LEGACY_ENTITIES)[number]>
  smartProcesses: 'all' | readonly number[]
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Enumeration items from `<prefix>.userfield.list` for the enumeration fields whose description has none. */
async function fillEnumItems(client: Client, prefix: string, fields: FieldSpec[]): Promise<void> {
  const missing = fields.filter((field) => field.type === 'enumeration' && !field.items?.length)
  if (missing.length === 0) return
  const rows = await client.call(`${prefix}.userfield.list`, {}).asList()
  for (const row of rows) {
    if (!isRecord(row) || !Array.isArray(row.LIST)) continue
    const field = missing.find((candidate) => candidate.name === row.FIELD_NAME)
    if (!field) continue
    field.items = row.LIST.filter(isRecord).map((item) => ({
      id: String(item.ID ?? ''),
      label: String(item.VALUE ?? ''),
    }))
  }
}

async function legacyEntity(client: Client, prefix: string): Promise<DescribedEntity> {
  const fields = parseFieldsDescription((await client.call(`${prefix}.fields`, {})).result)
  await fillEnumItems(client, prefix, fields)
  return { title: prefix, fields }
}

interface SmartProcessType {
  entityTypeId: number
  title: string
}

async function smartProcessTypes(client: Client): Promise<SmartProcessType[]> {
  const rows = await client.call('crm.type.list', {}).asList()
  const out: SmartProcessType[] = []
  for (const row of rows) {
    if (!isRecord(row)) continue
    const entityTypeId = Number(row.entityTypeId)
    if (!Number.isSafeInteger(entityTypeId) || entityTypeId <= 0) continue
    out.push({ entityTypeId, title: typeof row.title === 'string' ? row.title : `Smart process ${entityTypeId}` })
  }
  return out
}

/**
 * Reads the selected entities' fields from the portal, legacy entities first, then smart processes by ID (a
 * listed `entityTypeId` the portal does not have is left out; the caller compares).
 */
export async function readPortalEntities(client: Client, selection: TypegenSelection): Promise<DescribedEntity[]> {
  const out: DescribedEntity[] = []
  for (const prefix of selection.legacy) out.push(await legacyEntity(client, prefix))
  const wanted = selection.smartProcesses
  if (wanted !== 'all' && wanted.length === 0) return out
  const types = await smartProcessTypes(client)
  const chosen = wanted === 'all' ? types : types.filter((type) => wanted.includes(type.entityTypeId))
  for (const type of chosen.sort((a, b) => a.entityTypeId - b.entityTypeId)) {
    const answer = await client.call('crm.item.fields', { entityTypeId: type.entityTypeId })
    out.push({ title: type.title, entityTypeId: type.entityTypeId, fields: parseFieldsDescription(answer.result) })
  }
  return out
}
