import { describe, expect, it } from 'vitest'
import { portalHarness } from './emulator-portal.js'

type Rows = Record<string, unknown>[]

function portal(seed: Parameters<typeof portalHarness>[0] = {}, randomSeed = 42) {
  return portalHarness(seed, { randomSeed })
}

describe('crm.<entity>.fields', () => {
  const { call } = portal()

  it('describes deal fields like the docs', () => {
    const fields = call('crm.deal.fields').result as Record<string, Record<string, unknown>>
    expect(fields.ID).toEqual({
      type: 'integer',
      isRequired: false,
      isReadOnly: true,
      isImmutable: false,
      isMultiple: false,
      isDynamic: false,
      title: 'ID',
    })
    expect(fields.TYPE_ID).toMatchObject({ type: 'crm_status', statusType: 'DEAL_TYPE', title: 'Type' })
    expect(fields.CATEGORY_ID).toMatchObject({ type: 'crm_category', isImmutable: true })
    expect(fields.CONTACT_IDS).toMatchObject({ type: 'crm_contact', isMultiple: true })
    expect(fields.CONTACT_ID).toMatchObject({ isDeprecated: true })
    expect(fields.COMPANY_ID).toMatchObject({ settings: { parentEntityTypeId: 4 } })
    expect(fields.OBSERVERS).toBeUndefined()
  })

  it('has multifields for leads, contacts and companies', () => {
    for (const e of ['lead', 'contact', 'company']) {
      const fields = call(`crm.${e}.fields`).result as Record<string, Record<string, unknown>>
      expect(fields.PHONE).toMatchObject({ type: 'crm_multifield', isMultiple: true })
      expect(fields.EMAIL).toMatchObject({ type: 'crm_multifield', isMultiple: true })
    }
  })
})

describe('crm.deal.list', () => {
  const { call, fail } = portal()

  it('returns 50 rows of strings with total and next', () => {
    const page = call('crm.deal.list')
    const rows = page.result as Rows
    expect(rows).toHaveLength(50)
    expect(page.total).toBe(200)
    expect(page.next).toBe(50)
    expect(rows[0].ID).toBe('1')
    for (const row of rows) {
      for (const [key, value] of Object.entries(row)) {
        expect(value === null || typeof value === 'string', `${key}=${JSON.stringify(value)}`).toBe(true)
      }
      expect(row.OPPORTUNITY).toMatch(/^\d+\.\d\d$/)
      expect(row.DATE_CREATE).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/)
      expect(['Y', 'N']).toContain(row.CLOSED)
      expect(row).not.toHaveProperty('CONTACT_IDS')
    }
  })

  it('rounds start down to a page boundary (legacy paging)', () => {
    const first = call('crm.deal.list', { select: ['ID'], start: 0 })
    const rounded = call('crm.deal.list', { select: ['ID'], start: 10 })
    expect(rounded.result).toEqual(first.result)
    expect(rounded.next).toBe(50)
    const third = call('crm.deal.list', { select: ['ID'], start: '120' })
    expect((third.result as Rows)[0].ID).toBe('101')
    expect(third.next).toBe(150)
    const last = call('crm.deal.list', { select: ['ID'], start: 150 })
    expect((last.result as Rows).map((r) => r.ID).at(-1)).toBe('200')
    expect(last.total).toBe(200)
    expect(last).not.toHaveProperty('next')
    const beyond = call('crm.deal.list', { select: ['ID'], start: 500 })
    expect(beyond.result).toEqual([])
    expect(beyond.total).toBe(200)
    expect(beyond).not.toHaveProperty('next')
  })

  it('start=-1 skips the count: total 0, no next', () => {
    const page = call('crm.deal.list', { select: ['ID'], start: -1, filter: { '>ID': 100 }, order: { ID: 'ASC' } })
    expect((page.result as Rows)[0].ID).toBe('101')
    expect(page.result as Rows).toHaveLength(50)
    expect(page.total).toBe(0)
    expect(page).not.toHaveProperty('next')
  })

  it('select: explicit fields (ID always), *, UF_*, unknown ignored', () => {
    const rows = call('crm.deal.list', { select: ['TITLE', 'NOPE'] }).result as Rows
    expect(Object.keys(rows[0])).toEqual(['ID', 'TITLE'])
    const star = call('crm.deal.list', { select: ['*'] }).result as Rows
    expect(Object.keys(star[0])).toEqual(Object.keys((call('crm.deal.list').result as Rows)[0]))
    expect(star[0]).toHaveProperty('STAGE_SEMANTIC_ID')
    expect(Object.keys((call('crm.deal.list', { select: ['UF_*'] }).result as Rows)[0])).toEqual(['ID'])
    const ordered = call('crm.deal.list', { select: ['STAGE_ID', 'ID', 'TITLE'] }).result as Rows
    expect(Object.keys(ordered[0])).toEqual(['STAGE_ID', 'ID', 'TITLE'])
  })

  it('accepts upper-case parameter names', () => {
    const lower = call('crm.deal.list', { select: ['ID'], filter: { '>ID': 5 }, order: { ID: 'DESC' } })
    const upper = call('crm.deal.list', { SELECT: ['ID'], FILTER: { '>ID': 5 }, ORDER: { ID: 'DESC' } })
    expect(upper).toEqual(lower)
    expect((upper.result as Rows)[0].ID).toBe('200')
    expect(upper.total).toBe(195)
  })

  it('filters agree with the rows (every documented operator)', () => {
    const all: Rows = []
    for (let start = 0; start < 200; start += 50) {
      all.push(...(call('crm.deal.list', { select: ['*'], start }).result as Rows))
    }
    const check = (filter: Record<string, unknown>, pred: (r: Record<string, unknown>) => boolean) => {
      const got: string[] = []
      for (let start = 0; ; start += 50) {
        const page = call('crm.deal.list', { select: ['ID'], filter, start })
        got.push(...(page.result as Rows).map((r) => String(r.ID)))
        if (page.next === undefined) break
      }
      const expected = all.filter(pred).map((r) => String(r.ID))
      expect(got, JSON.stringify(filter)).toEqual(expected)
      return expected.length
    }
    const opp = (r: Record<string, unknown>) => Number(r.OPPORTUNITY)
    expect(check({ '>OPPORTUNITY': 10000 }, (r) => opp(r) > 10000)).toBeGreaterThan(0)
    check({ '>=OPPORTUNITY': '10000', '<=OPPORTUNITY': 50000 }, (r) => opp(r) >= 10000 && opp(r) <= 50000)
    check({ '<OPPORTUNITY': 5000 }, (r) => opp(r) < 5000)
    expect(check({ STAGE_ID: 'WON' }, (r) => r.STAGE_ID === 'WON')).toBeGreaterThan(0)
    check({ '=STAGE_ID': 'C1:NEW' }, (r) => r.STAGE_ID === 'C1:NEW')
    check({ '!STAGE_ID': 'WON' }, (r) => r.STAGE_ID !== 'WON')
    check({ '!=CATEGORY_ID': 0 }, (r) => r.CATEGORY_ID !== '0')
    check({ '@ASSIGNED_BY_ID': [1, 6] }, (r) => r.ASSIGNED_BY_ID === '1' || r.ASSIGNED_BY_ID === '6')
    check({ '!@ASSIGNED_BY_ID': ['1', '6'] }, (r) => r.ASSIGNED_BY_ID !== '1' && r.ASSIGNED_BY_ID !== '6')
    expect(check({ '%TITLE': 'support' }, (r) => /support/i.test(String(r.TITLE)))).toBeGreaterThan(0)
    check({ '=%TITLE': 'Cloud%' }, (r) => /^cloud/i.test(String(r.TITLE)))
    check({ '%=TITLE': '%LLC' }, (r) => /llc$/i.test(String(r.TITLE)))
    check({ '!%TITLE': 'support' }, (r) => !/support/i.test(String(r.TITLE)))
    check({ COMPANY_ID: '' }, (r) => r.COMPANY_ID === null)
    check(
      { IS_MANUAL_OPPORTUNITY: 'Y', CATEGORY_ID: 1 },
      (r) => r.IS_MANUAL_OPPORTUNITY === 'Y' && r.CATEGORY_ID === '1',
    )
    const created = String(all[100].DATE_CREATE)
    check({ '>DATE_CREATE': created }, (r) => Date.parse(String(r.DATE_CREATE)) > Date.parse(created))
    check({ '>=BEGINDATE': created.slice(0, 10) }, (r) => String(r.BEGINDATE).slice(0, 10) >= created.slice(0, 10))
    check({ UNKNOWN_FIELD: 'x', '<ID': 10 }, (r) => Number(r.ID) < 10)
    check({ CONTACT_IDS: 5, '<ID': 10 }, (r) => Number(r.ID) < 10)
  })

  it('orders by any field, several keys, ASC/DESC', () => {
    const rows = call('crm.deal.list', {
      select: ['TITLE', 'OPPORTUNITY'],
      order: { TITLE: 'ASC', OPPORTUNITY: 'desc' },
    }).result as Rows
    for (let i = 1; i < rows.length; i++) {
      const a = String(rows[i - 1].TITLE).toLowerCase()
      const b = String(rows[i].TITLE).toLowerCase()
      expect(a <= b).toBe(true)
      if (a === b) expect(Number(rows[i - 1].OPPORTUNITY)).toBeGreaterThanOrEqual(Number(rows[i].OPPORTUNITY))
    }
    const byDate = call('crm.deal.list', { select: ['DATE_CREATE'], order: { DATE_CREATE: 'DESC' } }).result as Rows
    expect(byDate[0].ID).toBe('200')
  })

  it('rejects non-array filter / order with the legacy empty error code', () => {
    for (const [params, text] of [
      [{ filter: 'x' }, "Parameter 'filter' must be array."],
      [{ FILTER: 5 }, "Parameter 'filter' must be array."],
      [{ order: 'ID' }, "Parameter 'order' must be array."],
    ] as const) {
      const e = fail('crm.deal.list', params)
      expect([e.code, e.description, e.status]).toEqual(['', text, 400])
    }
  })
})

describe('legacy CRUD', () => {
  it('add → integer ID, get, update → true, delete → true, then Not found', () => {
    const { call, fail } = portal()
    const id = call('crm.deal.add', {
      fields: { TITLE: 'My deal', OPPORTUNITY: '1500.5', CURRENCY_ID: 'EUR', CONTACT_IDS: [3, 4], COMPANY_ID: 7 },
    }).result
    expect(id).toBe(201)
    const deal = call('crm.deal.get', { id: String(id) }).result as Record<string, unknown>
    expect(deal).toMatchObject({
      ID: '201',
      TITLE: 'My deal',
      OPPORTUNITY: '1500.50',
      CURRENCY_ID: 'EUR',
      STAGE_ID: 'NEW',
      STAGE_SEMANTIC_ID: 'P',
      CATEGORY_ID: '0',
      CONTACT_ID: '3',
      COMPANY_ID: '7',
      ASSIGNED_BY_ID: '1',
      CREATED_BY_ID: '1',
      LEAD_ID: null,
      OPENED: 'Y',
      CLOSED: 'N',
    })
    expect(deal.DATE_CREATE).toBe('2026-01-01T22:40:00+02:00')
    expect(call('crm.deal.update', { ID: id, FIELDS: { STAGE_ID: 'WON', CATEGORY_ID: 1, ID: 5 } }).result).toBe(true)
    const won = call('crm.deal.get', { ID: id }).result as Record<string, unknown>
    expect(won).toMatchObject({ ID: '201', STAGE_ID: 'WON', STAGE_SEMANTIC_ID: 'S', CLOSED: 'Y', CATEGORY_ID: '0' })
    expect(call('crm.deal.list', { filter: { ID: id } }).total).toBe(1)
    expect(call('crm.deal.delete', { id }).result).toBe(true)
    expect(fail('crm.deal.get', { id }).description).toBe('Not found')
    expect(fail('crm.deal.update', { id, fields: { TITLE: 'x' } }).description).toBe('Not found')
    expect(fail('crm.deal.delete', { id }).description).toBe('Not found')
    expect(call('crm.deal.list').total).toBe(200)
  })

  it('deleting a seeded row hides it from get and list', () => {
    const { call, fail } = portal()
    call('crm.deal.delete', { id: 1 })
    expect(fail('crm.deal.get', { id: 1 }).description).toBe('Not found')
    expect((call('crm.deal.list', { select: ['ID'] }).result as Rows)[0].ID).toBe('2')
    expect(call('crm.deal.list').total).toBe(199)
  })

  it('category 1 deals get C1: stages', () => {
    const { call } = portal()
    const id = call('crm.deal.add', { fields: { TITLE: 'Funnel', CATEGORY_ID: '1' } }).result
    expect(call('crm.deal.get', { id }).result).toMatchObject({ CATEGORY_ID: '1', STAGE_ID: 'C1:NEW' })
    call('crm.deal.update', { id, fields: { STAGE_ID: 'C1:LOSE' } })
    expect(call('crm.deal.get', { id }).result).toMatchObject({ STAGE_SEMANTIC_ID: 'F', CLOSED: 'Y' })
  })

  it('errors use an empty code and HTTP 400', () => {
    const { fail } = portal()
    for (const params of [{}, { id: 0 }, { id: -3 }, { id: 'abc' }, { id: '1.5' }]) {
      const e = fail('crm.deal.get', params)
      expect([e.code, e.description, e.status]).toEqual(['', 'ID is not defined or invalid.', 400])
    }
    expect(fail('crm.deal.get', { id: 99999 }).description).toBe('Not found')
    expect(fail('crm.deal.add', {}).description).toBe("Parameter 'fields' must be array.")
    expect(fail('crm.deal.add', { fields: 'TITLE' }).description).toBe("Parameter 'fields' must be array.")
    expect(fail('crm.deal.update', { id: 1 }).description).toBe("Parameter 'fields' must be array.")
    expect(fail('crm.deal.update', { fields: {} }).description).toBe('ID is not defined or invalid.')
    expect(fail('crm.contact.delete', {}).description).toBe('ID is not defined or invalid.')
  })

  it('contacts: multifields are added, changed and deleted by ID', () => {
    const { call } = portal()
    const id = call('crm.contact.add', {
      fields: {
        NAME: 'Jane',
        LAST_NAME: 'Doe',
        PHONE: [
          { VALUE: '+15550001', VALUE_TYPE: 'WORK' },
          { VALUE: '+15550002', VALUE_TYPE: 'MOBILE' },
        ],
        EMAIL: { 0: { VALUE: 'jane@example.com', VALUE_TYPE: 'WORK' } },
        COMPANY_ID: 3,
      },
    }).result
    let c = call('crm.contact.get', { id }).result as Record<string, unknown>
    const phones = c.PHONE as Record<string, string>[]
    expect(phones.map((p) => [p.VALUE, p.VALUE_TYPE, p.TYPE_ID])).toEqual([
      ['+15550001', 'WORK', 'PHONE'],
      ['+15550002', 'MOBILE', 'PHONE'],
    ])
    expect(phones[0].ID).toMatch(/^\d+$/)
    expect(c).toMatchObject({ HAS_PHONE: 'Y', HAS_EMAIL: 'Y', COMPANY_ID: '3' })
    call('crm.contact.update', {
      id,
      fields: {
        PHONE: [
          { ID: phones[0].ID, VALUE: '+15559999' },
          { ID: phones[1].ID, DELETE: 'Y' },
          { VALUE: '+15550003', VALUE_TYPE: 'HOME' },
        ],
        EMAIL: [{ ID: (c.EMAIL as Record<string, string>[])[0].ID, VALUE: '' }],
      },
    })
    c = call('crm.contact.get', { id }).result as Record<string, unknown>
    expect((c.PHONE as Record<string, string>[]).map((p) => p.VALUE)).toEqual(['+15559999', '+15550003'])
    expect(c).not.toHaveProperty('EMAIL')
    expect(c.HAS_EMAIL).toBe('N')
    const listed = call('crm.contact.list', { filter: { PHONE: '+15559999' }, select: ['ID', 'PHONE'] })
    expect((listed.result as Rows).map((r) => r.ID)).toEqual([String(id)])
    expect((listed.result as Rows)[0].PHONE).toHaveLength(2)
    expect((call('crm.contact.list', { select: ['*'] }).result as Rows)[0]).not.toHaveProperty('PHONE')
  })

  it('row 1 shows every kind of value (phones, e-mails, open-line IM); FACE_ID is returned but not described', () => {
    const { call } = portal()
    const lead = call('crm.lead.get', { id: 1 }).result as Record<string, unknown>
    expect(lead).toMatchObject({ HAS_PHONE: 'Y', HAS_EMAIL: 'Y', HAS_IMOL: 'Y' })
    expect((lead.IM as Record<string, string>[])[0]).toMatchObject({ VALUE_TYPE: 'OPENLINE', TYPE_ID: 'IM' })
    expect((lead.IM as Record<string, string>[])[0].VALUE).toMatch(/^imol\|livechat\|/)
    const contact = call('crm.contact.get', { id: 1 }).result as Record<string, unknown>
    expect(contact).toHaveProperty('PHONE')
    expect(contact).toHaveProperty('EMAIL')
    expect(contact.FACE_ID).toBeNull()
    expect(call('crm.contact.fields').result).not.toHaveProperty('FACE_ID')
  })

  it('leads and companies have documented values', () => {
    const { call } = portal()
    const lead = call('crm.lead.get', { id: 1 }).result as Record<string, unknown>
    expect(lead).toMatchObject({ ID: '1', STATUS_SEMANTIC_ID: expect.stringMatching(/^[PSF]$/) })
    expect(['NEW', 'IN_PROCESS', 'PROCESSED', 'CONVERTED', 'JUNK']).toContain(lead.STATUS_ID)
    const company = call('crm.company.get', { id: 1 }).result as Record<string, unknown>
    expect(company.TITLE).toMatch(/\w+ \w+/)
    expect(company.REVENUE).toMatch(/^\d+$/)
    const newLead = call('crm.lead.add', { fields: { NAME: 'Ann', STATUS_ID: 'JUNK' } }).result
    expect(call('crm.lead.get', { id: newLead }).result).toMatchObject({
      TITLE: `Lead #${newLead}`,
      STATUS_SEMANTIC_ID: 'F',
      DATE_CLOSED: expect.stringMatching(/^2026/),
    })
  })
})

describe('crm.item.*', () => {
  it('maps entity types 1-4 onto the same rows as the legacy methods, with typed values', () => {
    const { call } = portal()
    const legacy = call('crm.deal.get', { id: 7 }).result as Record<string, unknown>
    const item = (call('crm.item.get', { entityTypeId: 2, id: 7 }).result as { item: Record<string, unknown> }).item
    expect(item.id).toBe(7)
    expect(item.entityTypeId).toBe(2)
    expect(item.title).toBe(legacy.TITLE)
    expect(item.stageId).toBe(legacy.STAGE_ID)
    expect(item.opportunity).toBe(Number(legacy.OPPORTUNITY))
    expect(item.assignedById).toBe(Number(legacy.ASSIGNED_BY_ID))
    expect(item.createdTime).toBe(legacy.DATE_CREATE)
    expect(item.createdBy).toBe(Number(legacy.CREATED_BY_ID))
    expect(item.categoryId).toBe(Number(legacy.CATEGORY_ID))
    expect(item.companyId).toBe(legacy.COMPANY_ID === null ? 0 : Number(legacy.COMPANY_ID))
    expect(item.opened).toBe('Y')
    expect(Array.isArray(item.contactIds)).toBe(true)
    expect(Array.isArray(item.observers)).toBe(true)
    expect(item.productId).toBeNull()

    const lead = (call('crm.item.get', { entityTypeId: '1', id: 2 }).result as { item: Record<string, unknown> }).item
    const legacyLead = call('crm.lead.get', { id: 2 }).result as Record<string, unknown>
    expect(lead.stageId).toBe(legacyLead.STATUS_ID)
    expect(lead.name).toBe(legacyLead.NAME)
    expect(Array.isArray(lead.fm)).toBe(true)
  })

  it('writes through either API are visible in the other', () => {
    const { call } = portal()
    const added = (
      call('crm.item.add', {
        entityTypeId: 2,
        fields: {
          title: 'Via item',
          opportunity: 99.9,
          contactIds: [5, 6],
          observers: ['2'],
          isManualOpportunity: true,
        },
      }).result as { item: Record<string, unknown> }
    ).item
    expect(added).toMatchObject({
      id: 201,
      title: 'Via item',
      opportunity: 99.9,
      contactId: 5,
      contactIds: [5, 6],
      observers: [2],
      isManualOpportunity: 'Y',
      stageId: 'NEW',
      entityTypeId: 2,
    })
    expect(call('crm.deal.get', { id: 201 }).result).toMatchObject({ TITLE: 'Via item', OPPORTUNITY: '99.90' })
    call('crm.deal.update', { id: 201, fields: { TITLE: 'Renamed' } })
    const updated = call('crm.item.update', { entityTypeId: 2, id: 201, fields: { stageId: 'WON' } }).result as {
      item: Record<string, unknown>
    }
    expect(updated.item).toMatchObject({ title: 'Renamed', stageId: 'WON', stageSemanticId: 'S', closed: 'Y' })
    expect(call('crm.item.delete', { entityTypeId: 2, id: 201 }).result).toEqual([])
    expect(() => call('crm.deal.get', { id: 201 })).toThrow('Not found')
  })

  it('list: {items}, ORM paging (exact offset), next = start + count, start=-1', () => {
    const { call } = portal()
    const first = call('crm.item.list', { entityTypeId: 2, select: ['id', 'title'] })
    const items = (first.result as { items: Rows }).items
    expect(items).toHaveLength(50)
    expect(Object.keys(items[0])).toEqual(['id', 'title'])
    expect(first.total).toBe(200)
    expect(first.next).toBe(50)
    const offset = call('crm.item.list', { entityTypeId: 2, select: ['id'], start: 10 })
    expect((offset.result as { items: Rows }).items[0].id).toBe(11)
    expect(offset.next).toBe(60)
    const tail = call('crm.item.list', { entityTypeId: 2, select: ['id'], start: 170 })
    expect((tail.result as { items: Rows }).items).toHaveLength(30)
    expect(tail).not.toHaveProperty('next')
    const keyset = call('crm.item.list', {
      entityTypeId: 2,
      order: { id: 'ASC' },
      filter: { '>id': 180 },
      select: ['id'],
      start: -1,
    })
    expect((keyset.result as { items: Rows }).items.map((i) => i.id)).toEqual(
      Array.from({ length: 20 }, (_, i) => 181 + i),
    )
    expect(keyset.total).toBe(0)
    expect(keyset).not.toHaveProperty('next')
  })

  it('list: select * includes fm and entityTypeId; default select is *', () => {
    const { call } = portal()
    const star = (call('crm.item.list', { entityTypeId: 3, select: ['*'] }).result as { items: Rows }).items[0]
    expect(star).toHaveProperty('fm')
    expect(star.entityTypeId).toBe(3)
    const plain = (call('crm.item.list', { entityTypeId: 3, select: ['id', 'fm', 'name'] }).result as { items: Rows })
      .items[0]
    expect(Object.keys(plain)).toEqual(['id', 'name'])
  })

  it('list: camelCase filters incl. NOT LIKE and nested OR groups', () => {
    const { call } = portal()
    const ids = (filter: unknown) =>
      (
        call('crm.item.list', { entityTypeId: 2, select: ['id'], filter, start: -1 }).result as { items: Rows }
      ).items.map((i) => i.id)
    const legacy = (filter: unknown) =>
      (call('crm.deal.list', { select: ['ID'], filter, start: -1 }).result as Rows).map((r) => Number(r.ID))
    expect(ids({ '>opportunity': 100000 })).toEqual(legacy({ '>OPPORTUNITY': 100000 }))
    expect(ids({ '!%title': 'a' })).toEqual(legacy({ '!%TITLE': 'a' }))
    expect(ids({ '!=%title': 'Cloud%', '<id': 30 })).toEqual(
      legacy({ '<ID': 30 }).filter((id) => !ids({ '=%title': 'Cloud%' }).includes(id)),
    )
    const or = ids({ 0: { logic: 'OR', 0: { '<id': 3 }, 1: { '>id': 198 } } })
    expect(or).toEqual([1, 2, 199, 200])
    expect(ids({ '@stageId': ['WON', 'LOSE'], '<id': 60 })).toEqual(legacy({ '@STAGE_ID': ['WON', 'LOSE'], '<ID': 60 }))
  })

  it('list: errors for unknown filter / order fields and bad sort directions', () => {
    const { fail } = portal()
    let e = fail('crm.item.list', { entityTypeId: 2, filter: { nope: 1 } })
    expect([e.code, e.description, e.status]).toEqual([
      'INVALID_ARG_VALUE',
      "Invalid filter: field 'nope' is not allowed in filter",
      400,
    ])
    e = fail('crm.item.list', { entityTypeId: 2, order: { nope: 'ASC' } })
    expect(e.description).toBe("Invalid order: field 'nope' is not allowed in order")
    e = fail('crm.item.list', { entityTypeId: 2, order: { id: 'UP' } })
    expect(e.description).toBe("Invalid order: allowed sort directions are ASC, DESC. But got 'UP' for field 'id'")
  })

  it('NOT_FOUND for unknown types and items', () => {
    const { fail } = portal()
    for (const method of ['crm.item.list', 'crm.item.get', 'crm.item.fields', 'crm.item.add']) {
      const e = fail(method, { entityTypeId: 999, id: 1 })
      expect([e.code, e.description, e.status]).toEqual(['NOT_FOUND', 'Smart process not found', 400])
    }
    for (const method of ['crm.item.get', 'crm.item.update', 'crm.item.delete']) {
      const e = fail(method, { entityTypeId: 2, id: 5000 })
      expect([e.code, e.description]).toEqual(['NOT_FOUND', 'Item not found'])
    }
  })

  it('fields: camelCase keys with upperName', () => {
    const { call } = portal()
    const fields = (call('crm.item.fields', { entityTypeId: 1 }).result as { fields: Record<string, Rows[number]> })
      .fields
    expect(fields.stageId).toMatchObject({ type: 'crm_status', upperName: 'STATUS_ID' })
    expect(fields.opened).toMatchObject({ type: 'boolean', upperName: 'OPENED' })
    expect(fields.observers).toMatchObject({ type: 'user', isMultiple: true })
    expect(fields).not.toHaveProperty('fm')
  })

  it('smart process 128 has its own rows and full CRUD', () => {
    const { call } = portal({ smartItems: 5 })
    const list = call('crm.item.list', { entityTypeId: 128 })
    expect(list.total).toBe(5)
    const first = (list.result as { items: Rows }).items[0]
    expect(first).toMatchObject({ id: 1, entityTypeId: 128, categoryId: 3 })
    expect(String(first.stageId)).toMatch(/^DT128_3:/)
    const item = (
      call('crm.item.add', { entityTypeId: 128, fields: { title: 'Contract X' } }).result as {
        item: Record<string, unknown>
      }
    ).item
    expect(item).toMatchObject({ id: 6, title: 'Contract X', stageId: 'DT128_3:NEW', createdBy: 1 })
    const moved = (
      call('crm.item.update', { entityTypeId: 128, id: 6, fields: { stageId: 'DT128_3:SUCCESS' } }).result as {
        item: Record<string, unknown>
      }
    ).item
    expect(moved).toMatchObject({ stageId: 'DT128_3:SUCCESS', previousStageId: 'DT128_3:NEW' })
    expect(call('crm.item.delete', { entityTypeId: 128, id: 6 }).result).toEqual([])
    expect(call('crm.item.list', { entityTypeId: 128 }).total).toBe(5)
  })
})

describe('determinism and cost', () => {
  it('the same random seed gives the same rows; another seed differs', () => {
    const a = portal({}, 7).call('crm.deal.list', { select: ['*'], start: 100 })
    const b = portal({}, 7).call('crm.deal.list', { select: ['*'], start: 100 })
    const c = portal({}, 8).call('crm.deal.list', { select: ['*'], start: 100 })
    expect(b.result).toEqual(a.result)
    expect(c.result).not.toEqual(a.result)
    const big = portal({ deals: 10_000 }, 7).call('crm.contact.get', { id: 5 })
    expect(big.result).toEqual(portal({}, 7).call('crm.contact.get', { id: 5 }).result)
  })

  it('seed references stay inside the seeded ranges', () => {
    const { call } = portal({ deals: 300, companies: 5, contacts: 7, users: 3 })
    for (let start = 0; start < 300; start += 50) {
      for (const r of call('crm.deal.list', { select: ['*'], start }).result as Rows) {
        if (r.COMPANY_ID !== null) expect(Number(r.COMPANY_ID)).toBeLessThanOrEqual(5)
        if (r.CONTACT_ID !== null) expect(Number(r.CONTACT_ID)).toBeLessThanOrEqual(7)
        expect(Number(r.ASSIGNED_BY_ID)).toBeLessThanOrEqual(3)
      }
    }
  })

  it('charges more for counted and offset pages than for keyset pages', () => {
    const { call } = portal({ deals: 100_000 })
    const counted = call('crm.deal.list', { select: ['ID'] }).cost
    const deep = call('crm.deal.list', { select: ['ID'], start: 90_000 }).cost
    const keyset = call('crm.deal.list', {
      select: ['ID'],
      filter: { '>ID': 90_000 },
      order: { ID: 'ASC' },
      start: -1,
    }).cost
    expect(keyset).toBeLessThan(0.05)
    expect(counted).toBeGreaterThan(1)
    expect(deep).toBeGreaterThan(counted)
    expect(call('crm.deal.get', { id: 1 }).cost).toBeGreaterThan(0)
  })
})
