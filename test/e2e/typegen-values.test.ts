/**
 * Wire-value conversion over real HTTP: native values written through `ValueConverter.toWire`, read back from
 * the emulator and converted with `toNative`, come back equal — booleans, integers, enumeration IDs, dates in
 * the portal's time zone, multiple fields, decimals as exact text; for a deal and for a smart-process item.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixWebhook, Client, loadValueConverter } from '../../src/index.js'

let emu: Emulator
let client: Client
/** The portal's zone as an ISO offset (`+02:00`), read from `server.time`: dates are midnights there. */
let zone: string

beforeAll(async () => {
  emu = await startEmulator({ plan: 'off', realDelays: false, randomSeed: 5, seed: { deals: 2 } })
  client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), { limiter: false })
  zone = /[+-]\d{2}:\d{2}$/.exec(String((await client.server.time({})).result))?.[0] ?? 'Z'
  expect(zone).not.toBe('+00:00') // the portal's zone differs from UTC, so a date in the wrong zone would show
})

afterAll(async () => {
  await emu?.close()
})

describe('ValueConverter against the emulator', () => {
  it('round-trips a deal: flags, integers, an enumeration, dates and a multiple user field', async () => {
    await client.call('crm.deal.userfield.add', {
      fields: { FIELD_NAME: 'COLOR', USER_TYPE_ID: 'enumeration', LIST: [{ VALUE: 'Red' }, { VALUE: 'Green' }] },
    })
    await client.call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'SCORE', USER_TYPE_ID: 'integer' } })
    await client.call('crm.deal.userfield.add', {
      fields: { FIELD_NAME: 'SIZES', USER_TYPE_ID: 'integer', MULTIPLE: 'Y' },
    })
    const deals = await loadValueConverter(client, 'crm.deal')
    const fields = (await client.crm.deal.fields({})).result as Record<string, { items: Array<{ ID: string }> }>
    const green = Number(fields.UF_CRM_COLOR.items[1].ID)
    const native = {
      TITLE: 'Converted',
      OPENED: false,
      OPPORTUNITY: '1500.25',
      BEGINDATE: new Date(`2026-03-01T00:00:00${zone}`), // midnight in the portal's zone, not the process's
      UF_CRM_SCORE: 7,
      UF_CRM_COLOR: green,
      UF_CRM_SIZES: [3, 4],
    }
    const id = (await client.crm.deal.add({ fields: deals.toWire(native) })).result
    const back = deals.toNative((await client.crm.deal.get({ id })).result)
    expect(back).toMatchObject({ ...native, ID: Number(id), ASSIGNED_BY_ID: 1 })
    expect(back.DATE_CREATE).toBeInstanceOf(Date)
    expect(back.CLOSED).toBe(false)
  })

  it('round-trips an item of a smart process created with crm.type.add', async () => {
    const type = await client.call<{ type: { id: number; entityTypeId: number } }>('crm.type.add', {
      fields: { title: 'Parcels' },
    })
    const { id: typeRow, entityTypeId } = type.result.type
    await client.call('userfieldconfig.add', {
      moduleId: 'crm',
      field: { entityId: `CRM_${typeRow}`, fieldName: `UF_CRM_${typeRow}_SHIPPED`, userTypeId: 'date' },
    })
    const items = await loadValueConverter(client, { entityTypeId })
    const native = {
      title: 'Parcel',
      opened: false,
      begindate: new Date(`2026-05-10T00:00:00${zone}`),
      [`ufCrm${typeRow}Shipped`]: new Date(`2026-05-12T00:00:00${zone}`),
    }
    const added = await client.call<{ item: { id: number } }>('crm.item.add', {
      entityTypeId,
      fields: items.toWire(native),
    })
    const read = await client.call<{ item: Record<string, unknown> }>('crm.item.get', {
      entityTypeId,
      id: added.result.item.id,
    })
    expect(items.toNative(read.result.item)).toMatchObject({ ...native, id: added.result.item.id, createdBy: 1 })
  })
})
