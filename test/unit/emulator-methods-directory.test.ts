import { describe, expect, it } from 'vitest'
import type { Params } from '../../src/emulator/kernel.js'
import { portalHarness } from './emulator-portal.js'

type Row = Record<string, unknown>

function portal(seed: Parameters<typeof portalHarness>[0] = {}, userId = 1) {
  return portalHarness(seed, { userId, now: 1767300000.25 })
}

describe('method table', () => {
  it('has lower-case names and the documented scopes', () => {
    const { p } = portal()
    const scopes: Record<string, string> = {
      'crm.deal.list': 'crm',
      'crm.item.list': 'crm',
      'user.get': 'user',
      'user.current': 'user',
      'department.get': 'department',
      'sonet_group.get': 'sonet_group',
      'socialnetwork.api.workgroup.list': 'socialnetwork',
      'tasks.task.list': 'task',
      profile: 'basic',
      'server.time': 'basic',
    }
    for (const [name, scope] of Object.entries(scopes)) expect(p.methods.get(name)?.scope, name).toBe(scope)
    for (const name of p.methods.keys()) expect(name).toBe(name.toLowerCase())
    for (const e of ['deal', 'lead', 'contact', 'company']) {
      for (const m of ['fields', 'list', 'get', 'add', 'update', 'delete'])
        expect(p.methods.has(`crm.${e}.${m}`)).toBe(true)
    }
  })
})

describe('users', () => {
  it('user.get: documented value types, total, filters at top level or in FILTER', () => {
    const { call } = portal()
    const all = call('user.get')
    const rows = all.result as Row[]
    expect(all.total).toBe(10)
    expect(rows).toHaveLength(10)
    expect(rows[0]).toMatchObject({ ID: '1', ACTIVE: true, UF_DEPARTMENT: [1], USER_TYPE: 'employee', IS_ONLINE: 'Y' })
    expect(rows[0].TIMESTAMP_X).toEqual({})
    // The administrator saved the profile form once: empty optional fields are "" rather than missing.
    expect(rows[0]).toMatchObject({ SECOND_NAME: '', PERSONAL_WWW: '', TIME_ZONE: '' })
    expect(rows.slice(1).some((u) => !('PERSONAL_WWW' in u))).toBe(true)
    expect(typeof rows[0].LAST_LOGIN).toBe('string')
    const dept = rows[3].UF_DEPARTMENT as number[]
    const byDept = call('user.get', { UF_DEPARTMENT: dept[0] }).result as Row[]
    expect(byDept.length).toBeGreaterThan(0)
    for (const u of byDept) expect(u.UF_DEPARTMENT).toEqual(dept)
    expect(call('user.get', { FILTER: { UF_DEPARTMENT: String(dept[0]) } }).result).toEqual(byDept)
    expect(call('user.get', { filter: { ID: 3 } }).result).toEqual([rows[2]])
    expect((call('user.get', { FILTER: { '>ID': 8 } }).result as Row[]).map((u) => u.ID)).toEqual(['9', '10'])
    const active = call('user.get', { FILTER: { ACTIVE: true } }).result as Row[]
    expect(active.every((u) => u.ACTIVE === true)).toBe(true)
    const name = String(rows[4].NAME)
    const search = call('user.get', { FILTER: { NAME_SEARCH: name.slice(0, 3).toLowerCase() } }).result as Row[]
    expect(search.map((u) => u.ID)).toContain('5')
  })

  it('user.get: sort/order, select, paging', () => {
    const { call } = portal({ users: 120 })
    const desc = call('user.get', { sort: 'ID', order: 'DESC' }).result as Row[]
    expect(desc[0].ID).toBe('120')
    const upper = call('user.get', { SORT: 'ID', ORDER: 'desc', select: ['ID', 'NAME'] }).result as Row[]
    expect(upper[0]).toEqual({ ID: '120', NAME: desc[0].NAME })
    const page = call('user.get', { start: 60 })
    expect((page.result as Row[])[0].ID).toBe('51')
    expect(page).toMatchObject({ total: 120, next: 100 })
    const nocount = call('user.get', { start: -1, FILTER: { '>ID': 100 } })
    expect((nocount.result as Row[]).map((u) => u.ID)[0]).toBe('101')
    expect(nocount.total).toBe(0)
    expect(nocount).not.toHaveProperty('next')
    const uf = (call('user.get', { select: ['UF_*'] }).result as Row[])[0]
    expect(Object.keys(uf).every((k) => k === 'ID' || k.startsWith('UF_'))).toBe(true)
  })

  it('user.current / profile / user.fields', () => {
    const { call } = portal({}, 3)
    const me = call('user.current').result as Row
    expect(me.ID).toBe('3')
    expect(String(me.TIMESTAMP_X)).toMatch(/^\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d$/)
    expect(String(me.LAST_ACTIVITY_DATE)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    expect(call('profile').result).toEqual({
      ID: '3',
      ADMIN: false,
      NAME: me.NAME,
      LAST_NAME: me.LAST_NAME,
      PERSONAL_GENDER: '',
      TIME_ZONE: '',
    })
    expect(portal().call('profile').result).toMatchObject({ ID: '1', ADMIN: true })
    const fields = call('user.fields').result as Record<string, string>
    expect(fields).toMatchObject({ ID: 'ID', NAME: 'First Name', UF_DEPARTMENT: 'Units', USER_TYPE: 'USER_TYPE' })
  })

  it('user.search: FIND and field filters', () => {
    const { call } = portal()
    const users = call('user.get').result as Row[]
    const target = users[5]
    const found = call('user.search', { FILTER: { FIND: String(target.LAST_NAME) } }).result as Row[]
    expect(found.map((u) => u.ID)).toContain(target.ID)
    const byPosition = call('user.search', { FILTER: { WORK_POSITION: String(target.WORK_POSITION) } }).result as Row[]
    expect(byPosition.map((u) => u.ID)).toContain(target.ID)
  })

  it('user.add / user.update and their errors', () => {
    const { call, fail } = portal()
    const id = call('user.add', { EMAIL: 'new.person@example.com', NAME: 'New', UF_DEPARTMENT: [2] }).result
    expect(id).toBe(11)
    expect((call('user.get', { ID: id }).result as Row[])[0]).toMatchObject({
      ID: '11',
      NAME: 'New',
      EMAIL: 'new.person@example.com',
      ACTIVE: true,
      UF_DEPARTMENT: [2],
    })
    let e = fail('user.add', { EMAIL: 'NEW.person@example.com' })
    expect([e.code, e.description]).toEqual(['ERROR_ARGUMENT', 'A user with this email already exists'])
    e = fail('user.add', { NAME: 'x' })
    expect([e.code, e.description, e.extra]).toEqual(['ERROR_ARGUMENT', 'wrong_email', { argument: '' }])
    expect(call('user.update', { ID: '11', LAST_NAME: 'Person', ACTIVE: 'N' }).result).toBe(true)
    expect((call('user.get', { ID: 11 }).result as Row[])[0]).toMatchObject({ LAST_NAME: 'Person', ACTIVE: false })
    e = fail('user.update', { ID: 999, NAME: 'x' })
    expect([e.code, e.description]).toEqual(['ERROR_CORE', 'access_denied'])
  })
})

describe('departments', () => {
  it('department.get: SORT int, ids strings, filters, paging', () => {
    const { call } = portal()
    const all = call('department.get')
    expect(all.total).toBe(5)
    const rows = all.result as Row[]
    expect(rows[0]).toEqual({ ID: '1', NAME: 'My Company', SORT: 500, UF_HEAD: '1' })
    expect(rows[1]).toMatchObject({ ID: '2', SORT: 500, PARENT: '1' })
    expect((call('department.get', { ID: 3 }).result as Row[]).map((d) => d.ID)).toEqual(['3'])
    expect(call('department.get', { PARENT: '1' }).result as Row[]).toHaveLength(4)
    expect((call('department.get', { NAME: rows[2].NAME }).result as Row[])[0].ID).toBe('3')
    expect((call('department.get', { sort: 'ID', order: 'DESC' }).result as Row[])[0].ID).toBe('5')
    const big = portal({ departments: 80 }).call('department.get', { START: 50 })
    expect((big.result as Row[])[0].ID).toBe('51')
    expect(big.total).toBe(80)
  })

  it('add / update / delete and ERROR_CORE errors', () => {
    const { call, fail } = portal()
    const id = call('department.add', { NAME: 'Support', PARENT: 1, UF_HEAD: 2 }).result
    expect(id).toBe(6)
    expect(call('department.get', { ID: id }).result).toEqual([
      { ID: '6', NAME: 'Support', SORT: 500, PARENT: '1', UF_HEAD: '2' },
    ])
    expect(call('department.update', { ID: id, NAME: 'Customer Support', SORT: '100' }).result).toBe(true)
    expect((call('department.get', { ID: id }).result as Row[])[0]).toMatchObject({
      NAME: 'Customer Support',
      SORT: 100,
    })
    expect(call('department.delete', { ID: id }).result).toBe(true)
    expect(fail('department.delete', { ID: id }).description).toBe('Department not found')
    expect(fail('department.update', { ID: 99 })).toMatchObject({
      code: 'ERROR_CORE',
      description: 'Department not found',
    })
    expect(fail('department.add', { PARENT: 1 }).description).toBe('Department name not provided.<br>')
    expect(fail('department.add', { NAME: 'Top' }).description).toBe(
      'There can only be one top-level department in the company structure',
    )
    expect(call('department.fields').result).toMatchObject({ ID: 'ID', UF_HEAD: 'Manager' })
  })
})

describe('workgroups', () => {
  it('sonet_group.get (legacy strings, default ID DESC) and sonet_group.create', () => {
    const { call, fail } = portal()
    const list = call('sonet_group.get')
    const rows = list.result as Row[]
    expect(list.total).toBe(3)
    expect(rows.map((g) => g.ID)).toEqual(['3', '2', '1'])
    expect(rows[2]).toMatchObject({ ID: '1', SITE_ID: 's1', ACTIVE: 'Y', SUBJECT_NAME: 'Workgroups', OWNER_ID: '1' })
    expect(typeof rows[2].NUMBER_OF_MEMBERS).toBe('string')
    const id = call('sonet_group.create', { NAME: 'New Project', PROJECT: 'Y', OPENED: 'Y' }).result
    expect(id).toBe(4)
    expect((call('sonet_group.get', { FILTER: { '%NAME': 'new pro' } }).result as Row[])[0]).toMatchObject({
      ID: '4',
      PROJECT: 'Y',
      OPENED: 'Y',
      OWNER_ID: '1',
      NUMBER_OF_MEMBERS: '1',
    })
    expect((call('sonet_group.get', { ORDER: { NAME: 'ASC' } }).result as Row[])[0].NAME).toBe('Marketing projects')
    expect(fail('sonet_group.create', {})).toMatchObject({ code: '', status: 400 })
  })

  it('socialnetwork.api.workgroup.list / get', () => {
    const { call, fail } = portal()
    const list = call('socialnetwork.api.workgroup.list', {
      filter: { ACTIVE: 'Y', '%NAME': 'a' },
      select: ['ID', 'NAME', 'TYPE', 'AVATAR'],
      order: { ID: 'DESC' },
      params: { mode: 'mobile', shouldSelectDialogId: 'Y' },
    })
    const groups = (list.result as { workgroups: Row[] }).workgroups
    expect(groups[0]).toEqual({
      id: '3',
      name: 'Website relaunch',
      type: 'project',
      imageId: '0',
      avatarType: 'folder',
      avatar: '',
      additionalData: { role: '', initiatedByType: '' },
      dialogId: 'chat1003',
    })
    expect(list.total).toBe(groups.length)
    const onlyId = call('socialnetwork.api.workgroup.list', { start: -1 })
    expect((onlyId.result as { workgroups: Row[] }).workgroups[0]).toEqual({ id: '1' })
    expect(onlyId).not.toHaveProperty('total')
    const group = call('socialnetwork.api.workgroup.get', { params: { groupId: 1 } }).result as Row
    expect(group).toMatchObject({ ID: 1, OWNER_ID: 1, TYPE: 'group', SITE_IDS: ['s1'] })
    expect(String(group.DATE_CREATE)).toMatch(/^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/)
    expect(fail('socialnetwork.api.workgroup.get', { params: {} }).code).toBe('SONET_CONTROLLER_WORKGROUP_EMPTY')
    expect(fail('socialnetwork.api.workgroup.get', { params: { groupId: 77 } })).toMatchObject({
      code: 'SONET_CONTROLLER_WORKGROUP_NOT_FOUND',
      description: 'Workgroup not found.',
    })
  })
})

describe('tasks', () => {
  it('tasks.task.list: {tasks}, camelCase strings, default ID desc, total/next', () => {
    const { call } = portal({ tasks: 120 })
    const page = call('tasks.task.list', { select: ['ID', 'TITLE', 'STATUS', 'RESPONSIBLE_ID', 'AUDITORS'] })
    const tasks = (page.result as { tasks: Row[] }).tasks
    expect(tasks).toHaveLength(50)
    expect(page).toMatchObject({ total: 120, next: 50 })
    expect(tasks[0].id).toBe('120')
    expect(tasks[0]).toHaveProperty('title')
    expect(typeof tasks[0].status).toBe('string')
    expect(typeof tasks[0].responsibleId).toBe('string')
    expect(tasks[0]).toHaveProperty('responsible')
    expect(Array.isArray(tasks[0].auditors)).toBe(true)
    expect(tasks[0]).not.toHaveProperty('description')
    const next = call('tasks.task.list', { select: ['ID'], start: 110 })
    expect((next.result as { tasks: Row[] }).tasks.map((t) => t.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => String(10 - i)),
    )
    expect(next).not.toHaveProperty('next')
  })

  it('filters with UPPER_CASE keys and prefixes, order, start=-1', () => {
    const { call } = portal({ tasks: 120 })
    const ids = (params: Params) =>
      (call('tasks.task.list', { select: ['ID', 'STATUS', 'RESPONSIBLE_ID'], ...params }).result as { tasks: Row[] })
        .tasks
    const asc = ids({ order: { ID: 'asc' }, filter: { '>ID': 100 }, start: -1 })
    expect(asc.map((t) => t.id)).toEqual(Array.from({ length: 20 }, (_, i) => String(101 + i)))
    expect(ids({ filter: { '!STATUS': 5 } }).every((t) => t.status !== '5')).toBe(true)
    expect(ids({ filter: { REAL_STATUS: 2 } }).every((t) => t.status === '2')).toBe(true)
    expect(ids({ filter: { RESPONSIBLE_ID: 3 } }).every((t) => t.responsibleId === '3')).toBe(true)
    expect(ids({ filter: { '<=ID': 2, '>=ID': 1 } }).map((t) => t.id)).toEqual(['2', '1'])
    const nocount = call('tasks.task.list', { filter: { '<ID': 10 }, start: -1 })
    expect(nocount.total).toBe(0)
    expect(nocount).not.toHaveProperty('next')
    expect(() => call('tasks.task.list', { order: { NOPE: 'asc' } })).toThrow('Invalid sorting key')
  })

  it('select extras (COUNTERS, TAGS, subStatus) and params (WITH_RESULT_INFO, WITH_TIMER_INFO, ...)', () => {
    const { call } = portal()
    const task = (
      call('tasks.task.list', {
        select: ['ID', 'DESCRIPTION', 'subStatus', 'COUNTERS', 'TAGS'],
        params: { WITH_RESULT_INFO: true, WITH_TIMER_INFO: 'Y', WITH_PARSED_DESCRIPTION: true },
      }).result as { tasks: Row[] }
    ).tasks[0]
    expect(task).toMatchObject({
      taskRequireResult: 'N',
      taskHasOpenResult: 'N',
      taskHasResult: 'N',
      timeElapsed: null,
      timerIsRunningForCurrentUser: 'N',
      parsedDescription: task.description,
      tags: [],
      counter: { color: 'gray', value: 0 },
      subStatus: expect.stringMatching(/^-?\d$/),
    })
    const plain = (call('tasks.task.list', { select: ['ID'] }).result as { tasks: Row[] }).tasks[0]
    expect(Object.keys(plain)).toEqual(['id', 'group'])
  })

  it('add / get / update / delete and their errors', () => {
    const { call, fail } = portal()
    const added = (
      call('tasks.task.add', {
        fields: { TITLE: 'Write report', RESPONSIBLE_ID: 2, AUDITORS: [3], DEADLINE: '2026-02-01T10:00:00+02:00' },
      }).result as { task: Row }
    ).task
    expect(added).toMatchObject({
      id: '51',
      title: 'Write report',
      responsibleId: '2',
      createdBy: '1',
      status: '2',
      auditors: ['3'],
      deadline: '2026-02-01T10:00:00+02:00',
      groupId: '0',
      priority: '1',
    })
    expect(String(added.guid)).toMatch(/^\{[0-9a-f-]{36}\}$/)
    const got = (call('tasks.task.get', { taskId: '51', select: ['ID', 'TITLE'] }).result as { task: Row }).task
    expect(got).toMatchObject({ id: '51', title: 'Write report', action: { complete: true, renew: false } })
    expect(added).toHaveProperty('action')
    const updated = (call('tasks.task.update', { taskId: 51, fields: { STATUS: 5 } }).result as { task: Row }).task
    expect(updated).toMatchObject({ status: '5', closedBy: '1' })
    expect(call('tasks.task.delete', { taskId: 51 }).result).toEqual({ task: true })
    expect(fail('tasks.task.delete', { taskId: 51 })).toMatchObject({ code: '1048582' })
    expect(fail('tasks.task.get', { taskId: 51 }).code).toBe('0')
    expect(fail('tasks.task.get', {}).code).toBe('100')
    expect(fail('tasks.task.get', { taskId: 'abc' })).toMatchObject({ code: '0', description: 'wrong task id' })
    expect(fail('tasks.task.add', {}).code).toBe('100')
    expect(fail('tasks.task.add', { fields: { RESPONSIBLE_ID: 1 } })).toMatchObject({
      code: 'ERROR_CORE',
      description: 'Task title is not specified<br>',
    })
    expect(fail('tasks.task.add', { fields: { TITLE: 'x', RESPONSIBLE_ID: 999 } }).code).toBe('ERROR_CORE')
    expect(fail('tasks.task.update', { taskId: 1, fields: {} }).code).toBe('100')
  })
})

describe('server.time', () => {
  it('returns the emulator clock in portal time', () => {
    expect(portal().call('server.time').result).toBe('2026-01-01T22:40:00+02:00')
  })
})
