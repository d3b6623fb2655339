/**
 * What `b24tssdk typegen` reads when a portal's `crm.<entity>.fields` leaves an enumeration's items out (older
 * portals do): the items come from `crm.<entity>.userfield.list`, so the union of IDs is still written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readPortalEntities } from '../../src/cli/typegen-read.js'
import { renderPortalTypes } from '../../src/cli/typegen-render.js'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixWebhook, Client } from '../../src/index.js'

let emu: Emulator
let client: Client

beforeAll(async () => {
  emu = await startEmulator({ plan: 'off', realDelays: false, randomSeed: 9, seed: { deals: 1 } })
  client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), { limiter: false })
})

afterAll(async () => {
  await emu?.close()
})

describe('typegen reading a portal', () => {
  it('takes enumeration items from crm.deal.userfield.list when crm.deal.fields has none', async () => {
    await client.call('crm.deal.userfield.add', {
      fields: { FIELD_NAME: 'SIZE', USER_TYPE_ID: 'enumeration', LIST: [{ VALUE: 'S' }, { VALUE: 'M' }] },
    })
    const described = (await client.crm.deal.fields({})).result as Record<string, Record<string, unknown>>
    const ids = (described.UF_CRM_SIZE.items as Array<{ ID: string }>).map((item) => item.ID)
    const withoutItems = Object.fromEntries(
      Object.entries(described).map(([name, field]) => {
        const { items: _items, ...rest } = field
        return [name, rest]
      }),
    )
    emu.on('crm.deal.fields', withoutItems)

    const [deal] = await readPortalEntities(client, { legacy: ['crm.deal'], smartProcesses: [] })
    const size = deal.fields.find((field) => field.name === 'UF_CRM_SIZE')
    expect(size?.items).toEqual([
      { id: ids[0], label: 'S' },
      { id: ids[1], label: 'M' },
    ])
    expect(renderPortalTypes('example', [deal])).toContain(
      `UF_CRM_SIZE: PortalField<"${ids[0]}" | "${ids[1]}" | null, ${ids[0]} | ${ids[1]} | "${ids[0]}" | "${ids[1]}" | null, ${ids[0]} | ${ids[1]} | null>`,
    )
    expect(emu.received.some((call) => call.method.toLowerCase() === 'crm.deal.userfield.list')).toBe(true)
  })
})
