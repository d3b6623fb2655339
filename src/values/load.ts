/** A `ValueConverter` for an entity of a portal, from the portal itself: its `*.fields` and its time zone. */
import type { Client } from '../client/client.js'
import { portalUtcOffset, ValueConverter } from './convert.js'
import type { EntityFieldSet, FieldSetOrAny, SmartProcessFieldSet } from './portal-types.js'

/** The legacy CRM entities a converter can be loaded for. */
export type ConvertibleEntity = 'crm.deal' | 'crm.lead' | 'crm.contact' | 'crm.company'

async function portalOffset(client: Client): Promise<number> {
  const time = (await client.call('server.time', {})).result
  return portalUtcOffset(String(time))
}

/**
 * Reads `crm.<entity>.fields` (or `crm.item.fields` of a smart process) and the portal's time zone (`server.time`),
 * and returns the converter for that entity's records: two requests, once; keep the converter.
 * @example
 * const deals = await loadValueConverter(client, 'crm.deal')
 * const deal = deals.toNative((await client.crm.deal.get({ id: 2 })).result)
 */
export async function loadValueConverter<E extends ConvertibleEntity>(
  client: Client,
  entity: E,
): Promise<ValueConverter<FieldSetOrAny<EntityFieldSet<E>>>>
export async function loadValueConverter<const N extends number>(
  client: Client,
  entity: { entityTypeId: N },
): Promise<ValueConverter<FieldSetOrAny<SmartProcessFieldSet<N>>>>
export async function loadValueConverter(
  client: Client,
  entity: ConvertibleEntity | { entityTypeId: number },
): Promise<ValueConverter> {
  const utcOffsetMinutes = await portalOffset(client)
  if (typeof entity === 'string') {
    const description = (await client.call(`${entity}.fields`, {})).result
    return ValueConverter.fromDescription(description, { utcOffsetMinutes, entity })
  }
  const description = (await client.call('crm.item.fields', { entityTypeId: entity.entityTypeId })).result
  return ValueConverter.fromDescription(description, { utcOffsetMinutes, entity: `crm.item ${entity.entityTypeId}` })
}
