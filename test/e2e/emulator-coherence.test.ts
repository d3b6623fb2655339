/**
 * One coherent portal: every reference a seeded row carries (pipeline, stage, status codes, users, departments,
 * work groups, other CRM rows) resolves through the portal's public methods, and the field descriptions agree
 * with the dictionaries and with the user-field list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'

type Row = Record<string, unknown>

let emu: Emulator

async function call(method: string, params: Row = {}): Promise<{ result: unknown; next?: number }> {
  const response = await fetch(`${emu.webhookUrl}${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
  })
  const body = (await response.json()) as { result: unknown; next?: number; error?: string }
  if (!response.ok) throw new Error(`${method}: ${response.status} ${body.error}`)
  return body
}

/** Every row of a paged list method (at most 100 pages), `rowsOf` picking the rows out of `result`. */
async function all(method: string, params: Row = {}, rowsOf = (result: unknown) => result as Row[]): Promise<Row[]> {
  const rows: Row[] = []
  let start: number | undefined = 0
  for (let page = 0; page < 100 && start !== undefined; page++) {
    const body = await call(method, { ...params, start })
    rows.push(...rowsOf(body.result))
    start = body.next
  }
  return rows
}

const ids = (rows: readonly Row[], key = 'ID') => new Set(rows.map((row) => String(row[key])))

/** Collects unresolved references as readable lines, so one failure lists them all. */
class References {
  readonly missing: string[] = []
  /** Resolved references by field, to prove each kind was really walked. */
  readonly resolved = new Map<string, number>()
  check(where: string, field: string, value: unknown, known: ReadonlySet<string>): void {
    const values = Array.isArray(value) ? value : [value]
    for (const item of values) {
      if (item === null || item === undefined || item === '' || item === 0 || item === '0') continue
      if (!known.has(String(item))) this.missing.push(`${where}.${field} = ${String(item)}`)
      else this.resolved.set(field, (this.resolved.get(field) ?? 0) + 1)
    }
  }
}

beforeAll(async () => {
  emu = await startEmulator({ plan: 'off', realDelays: false, randomSeed: 7 })
})

afterAll(async () => {
  await emu?.close()
})

describe('the seeded portal', () => {
  it('resolves every reference of every seeded row through the public methods', async () => {
    const statuses = (await call('crm.status.list')).result as Row[]
    const statusIds = (entityId: string) =>
      ids(
        statuses.filter((row) => row.ENTITY_ID === entityId),
        'STATUS_ID',
      )
    const users = ids(await all('user.get'))
    const departments = ids(await all('department.get'))
    const companies = ids(await all('crm.company.list', { select: ['ID'] }))
    const contacts = ids(await all('crm.contact.list', { select: ['ID'] }))
    const leads = await all('crm.lead.list', { select: ['*'] })
    const dealCategories = ((await call('crm.category.list', { entityTypeId: 2 })).result as { categories: Row[] })
      .categories
    const refs = new References()

    const deals = await all('crm.deal.list', { select: ['*'] })
    expect(deals.length).toBeGreaterThan(0)
    for (const deal of deals) {
      const where = `deal ${deal.ID}`
      const category = String(deal.CATEGORY_ID)
      refs.check(where, 'CATEGORY_ID', category, ids(dealCategories, 'id'))
      refs.check(
        where,
        'STAGE_ID',
        deal.STAGE_ID,
        statusIds(category === '0' ? 'DEAL_STAGE' : `DEAL_STAGE_${category}`),
      )
      refs.check(where, 'TYPE_ID', deal.TYPE_ID, statusIds('DEAL_TYPE'))
      refs.check(where, 'SOURCE_ID', deal.SOURCE_ID, statusIds('SOURCE'))
      for (const field of ['ASSIGNED_BY_ID', 'CREATED_BY_ID', 'MODIFY_BY_ID', 'MOVED_BY_ID', 'LAST_ACTIVITY_BY']) {
        refs.check(where, field, deal[field], users)
      }
      refs.check(where, 'COMPANY_ID', deal.COMPANY_ID, companies)
      refs.check(where, 'CONTACT_ID', deal.CONTACT_ID, contacts)
      refs.check(where, 'LEAD_ID', deal.LEAD_ID, ids(leads))
    }
    // Pipeline 1 is populated and findable through each way a client looks pipelines up.
    expect(deals.some((deal) => String(deal.STAGE_ID).startsWith('C1:'))).toBe(true)
    expect(ids((await call('crm.dealcategory.list')).result as Row[])).toEqual(new Set(['1']))
    const stageList = (await call('crm.dealcategory.stage.list', { id: 1 })).result as Row[]
    expect(stageList.map((stage) => stage.STATUS_ID)).toEqual([...statusIds('DEAL_STAGE_1')])

    for (const lead of leads) {
      const where = `lead ${lead.ID}`
      refs.check(where, 'STATUS_ID', lead.STATUS_ID, statusIds('STATUS'))
      refs.check(where, 'SOURCE_ID', lead.SOURCE_ID, statusIds('SOURCE'))
      refs.check(where, 'HONORIFIC', lead.HONORIFIC, statusIds('HONORIFIC'))
      refs.check(where, 'ASSIGNED_BY_ID', lead.ASSIGNED_BY_ID, users)
      refs.check(where, 'CREATED_BY_ID', lead.CREATED_BY_ID, users)
    }
    for (const contact of await all('crm.contact.list', { select: ['*'] })) {
      const where = `contact ${contact.ID}`
      refs.check(where, 'TYPE_ID', contact.TYPE_ID, statusIds('CONTACT_TYPE'))
      refs.check(where, 'SOURCE_ID', contact.SOURCE_ID, statusIds('SOURCE'))
      refs.check(where, 'HONORIFIC', contact.HONORIFIC, statusIds('HONORIFIC'))
      refs.check(where, 'COMPANY_ID', contact.COMPANY_ID, companies)
      refs.check(where, 'LEAD_ID', contact.LEAD_ID, ids(leads))
      refs.check(where, 'ASSIGNED_BY_ID', contact.ASSIGNED_BY_ID, users)
    }
    for (const company of await all('crm.company.list', { select: ['*'] })) {
      const where = `company ${company.ID}`
      refs.check(where, 'COMPANY_TYPE', company.COMPANY_TYPE, statusIds('COMPANY_TYPE'))
      refs.check(where, 'INDUSTRY', company.INDUSTRY, statusIds('INDUSTRY'))
      refs.check(where, 'EMPLOYEES', company.EMPLOYEES, statusIds('EMPLOYEES'))
      refs.check(where, 'ASSIGNED_BY_ID', company.ASSIGNED_BY_ID, users)
    }

    const smartCategories = ((await call('crm.category.list', { entityTypeId: 128 })).result as { categories: Row[] })
      .categories
    const items = await all('crm.item.list', { entityTypeId: 128 }, (result) => (result as { items: Row[] }).items)
    for (const item of items) {
      const where = `item 128/${item.id}`
      refs.check(where, 'categoryId', item.categoryId, ids(smartCategories, 'id'))
      refs.check(where, 'stageId', item.stageId, statusIds(`DYNAMIC_128_STAGE_${item.categoryId}`))
      refs.check(where, 'assignedById', item.assignedById, users)
      refs.check(where, 'companyId', item.companyId, companies)
      refs.check(where, 'contactIds', item.contactIds, contacts)
    }

    for (const user of await all('user.get'))
      refs.check(`user ${user.ID}`, 'UF_DEPARTMENT', user.UF_DEPARTMENT, departments)
    for (const department of await all('department.get')) {
      refs.check(`department ${department.ID}`, 'PARENT', department.PARENT, departments)
      refs.check(`department ${department.ID}`, 'UF_HEAD', department.UF_HEAD, users)
    }
    const groups = await all(
      'socialnetwork.api.workgroup.list',
      { select: ['ID', 'OWNER_ID'] },
      (result) => (result as { workgroups: Row[] }).workgroups,
    )
    const groupIds = ids(groups, 'id')
    for (const group of groups) refs.check(`group ${group.id}`, 'ownerId', group.ownerId, users)
    const tasks = await all('tasks.task.list', { select: ['*'] }, (result) => (result as { tasks: Row[] }).tasks)
    expect(tasks.length).toBeGreaterThan(0)
    for (const task of tasks) {
      const where = `task ${task.id}`
      for (const field of ['responsibleId', 'createdBy', 'changedBy', 'closedBy', 'accomplices', 'auditors']) {
        refs.check(where, field, task[field], users)
      }
      refs.check(where, 'groupId', task.groupId, groupIds)
    }
    expect(refs.missing).toEqual([])
    const kinds = ['STAGE_ID', 'CATEGORY_ID', 'COMPANY_ID', 'CONTACT_ID', 'LEAD_ID', 'HONORIFIC', 'stageId']
    kinds.push('UF_DEPARTMENT', 'PARENT', 'UF_HEAD', 'ownerId', 'groupId', 'auditors')
    for (const kind of kinds) expect(refs.resolved.get(kind) ?? 0, `${kind} references resolved`).toBeGreaterThan(0)
  })

  it('describes fields with the dictionaries and pipelines that exist', async () => {
    const types = ids((await call('crm.status.entity.types')).result as Row[])
    for (const entity of ['deal', 'lead', 'contact', 'company']) {
      const fields = (await call(`crm.${entity}.fields`)).result as Record<string, Row>
      for (const [name, field] of Object.entries(fields)) {
        if (field.type === 'crm_status') expect(types, `${entity}.${name}`).toContain(field.statusType)
      }
      // The user-field list and the UF_* entries of .fields are the same set.
      const userFields = (await call(`crm.${entity}.userfield.list`)).result as Row[]
      expect(userFields.map((field) => field.FIELD_NAME).sort()).toEqual(
        Object.keys(fields)
          .filter((name) => name.startsWith('UF_'))
          .sort(),
      )
    }
    const deal = (await call('crm.deal.fields')).result as Record<string, Row>
    expect(deal.CATEGORY_ID.type).toBe('crm_category')
    expect(deal.STAGE_ID.statusType).toBe('DEAL_STAGE')
    const entityTypes = (await call('crm.status.entity.types')).result as Row[]
    expect(entityTypes.find((type) => type.ID === 'DEAL_STAGE_1')).toMatchObject({ ENTITY_TYPE_ID: 2, CATEGORY_ID: 1 })
  })

  it('filters crm.status.list by ENTITY_ID and orders it', async () => {
    const stages = (await call('crm.status.list', { filter: { ENTITY_ID: 'DEAL_STAGE_1' }, order: { SORT: 'DESC' } }))
      .result as Row[]
    expect(stages.length).toBeGreaterThan(0)
    expect(stages.every((row) => row.ENTITY_ID === 'DEAL_STAGE_1' && row.CATEGORY_ID === '1')).toBe(true)
    expect(stages.map((row) => Number(row.SORT))).toEqual(stages.map((row) => Number(row.SORT)).sort((a, b) => b - a))
    const two = (await call('crm.status.list', { filter: { ENTITY_ID: ['SOURCE', 'DEAL_TYPE'] } })).result as Row[]
    expect(new Set(two.map((row) => row.ENTITY_ID))).toEqual(new Set(['SOURCE', 'DEAL_TYPE']))
    const items = (await call('crm.status.entity.items', { entityId: 'STATUS' })).result as Row[]
    expect(items.map((row) => row.STATUS_ID)).toEqual(['NEW', 'IN_PROCESS', 'PROCESSED', 'CONVERTED', 'JUNK'])
  })
})
