/**
 * Users and departments: `user.get|current|search|add|update|fields`, `profile`, `department.get|add|update|
 * delete|fields`. User values follow the docs: `"ID":"1"`, `"ACTIVE":true`, `"UF_DEPARTMENT":[1]`, empty
 * optional strings omitted, empty dates `""`.
 */

import { type CallContext, type MethodDefinition, type Params, RestError } from '../kernel.js'
import type { SeedContext } from './crm-seed.js'
import { type PortalEnv, queryPage } from './env.js'
import { CITIES, DEPARTMENT_NAMES, FIRST_NAMES, LAST_NAMES, POSITIONS } from './names.js'
import { type FilterGroup, type FilterNode, type OrderKey, parseFilter, type ValueKind } from './query.js'
import { type Row, Table } from './table.js'
import {
  formatDmy,
  formatIso,
  formatSql,
  intval,
  isRecord,
  parseDate,
  pickParam,
  positiveId,
  readStart,
  SeededRandom,
  startOfDay,
  toList,
  truthy,
} from './util.js'

/** `user.fields` (field → title), in the documented order. */
export const USER_FIELD_TITLES: Record<string, string> = {
  ID: 'ID',
  XML_ID: 'External code',
  ACTIVE: 'Activity',
  NAME: 'First Name',
  LAST_NAME: 'Last Name',
  SECOND_NAME: 'Middle Name',
  TITLE: 'User List',
  EMAIL: 'E-Mail',
  LAST_LOGIN: 'Last Authorization',
  DATE_REGISTER: 'Registration Date',
  TIME_ZONE: 'TIME_ZONE',
  IS_ONLINE: 'IS_ONLINE',
  TIMESTAMP_X: 'TIMESTAMP_X',
  LAST_ACTIVITY_DATE: 'LAST_ACTIVITY_DATE',
  PERSONAL_GENDER: 'Gender',
  PERSONAL_PROFESSION: 'Profession',
  PERSONAL_WWW: 'Homepage',
  PERSONAL_BIRTHDAY: 'Date of Birth',
  PERSONAL_PHOTO: 'Photo',
  PERSONAL_ICQ: 'ICQ',
  PERSONAL_PHONE: 'Personal Phone',
  PERSONAL_FAX: 'Fax',
  PERSONAL_MOBILE: 'Personal Mobile',
  PERSONAL_PAGER: 'Pager',
  PERSONAL_STREET: 'Residential Street',
  PERSONAL_CITY: 'Residential City',
  PERSONAL_STATE: 'State / Region',
  PERSONAL_ZIP: 'Zip Code',
  PERSONAL_COUNTRY: 'Country',
  PERSONAL_MAILBOX: 'P.O. Box',
  PERSONAL_NOTES: 'Additional Notes',
  WORK_PHONE: 'Company Phone',
  WORK_COMPANY: 'Company',
  WORK_POSITION: 'Job Title',
  WORK_DEPARTMENT: 'Department',
  WORK_WWW: 'Company Website',
  WORK_FAX: 'WORK_FAX',
  WORK_PAGER: 'WORK_PAGER',
  WORK_STREET: 'WORK_STREET',
  WORK_MAILBOX: 'WORK_MAILBOX',
  WORK_CITY: 'Work City',
  WORK_STATE: 'WORK_STATE',
  WORK_ZIP: 'WORK_ZIP',
  WORK_COUNTRY: 'WORK_COUNTRY',
  WORK_PROFILE: 'WORK_PROFILE',
  WORK_LOGO: 'WORK_LOGO',
  WORK_NOTES: 'WORK_NOTES',
  UF_SKYPE_LINK: 'Skype Chat Link',
  UF_ZOOM: 'Zoom',
  UF_EMPLOYMENT_DATE: 'Hire Date',
  UF_TIMEMAN: 'Time Tracking',
  UF_DEPARTMENT: 'Units',
  UF_INTERESTS: 'Interests',
  UF_SKILLS: 'Skills',
  UF_WEB_SITES: 'Other Websites',
  UF_XING: 'Xing',
  UF_LINKEDIN: 'LinkedIn',
  UF_TWITTER: 'Twitter',
  UF_SKYPE: 'Skype',
  UF_DISTRICT: 'District',
  UF_PHONE_INNER: 'Extension',
  USER_TYPE: 'USER_TYPE',
}

export const USER_FIELDS = Object.keys(USER_FIELD_TITLES)
const USER_DATE_FIELDS = new Set(['LAST_LOGIN', 'DATE_REGISTER', 'PERSONAL_BIRTHDAY', 'UF_EMPLOYMENT_DATE'])
const USER_OBJECT_DATES = new Set(['TIMESTAMP_X', 'LAST_ACTIVITY_DATE'])
const USER_READ_ONLY = new Set(['ID', 'LAST_LOGIN', 'DATE_REGISTER', 'TIMESTAMP_X', 'LAST_ACTIVITY_DATE', 'IS_ONLINE'])
/** Returned even when empty (`""`). */
const USER_ALWAYS = new Set([
  'ID',
  'ACTIVE',
  'NAME',
  'LAST_NAME',
  'EMAIL',
  'LAST_LOGIN',
  'DATE_REGISTER',
  'IS_ONLINE',
  'TIMESTAMP_X',
  'LAST_ACTIVITY_DATE',
  'PERSONAL_GENDER',
  'PERSONAL_BIRTHDAY',
  'WORK_POSITION',
  'UF_EMPLOYMENT_DATE',
  'UF_DEPARTMENT',
  'USER_TYPE',
])

/** Profile-form fields that become `""` (and are then always returned) once the profile has been saved. */
const USER_PROFILE_FORM = new Set([
  'SECOND_NAME',
  'TIME_ZONE',
  'PERSONAL_WWW',
  'PERSONAL_MOBILE',
  'PERSONAL_CITY',
  'WORK_PHONE',
])

function userKind(field: string): ValueKind {
  if (field === 'ID') return 'number'
  if (field === 'ACTIVE') return 'bool'
  if (field === 'UF_DEPARTMENT') return 'numbers'
  if (USER_DATE_FIELDS.has(field) || USER_OBJECT_DATES.has(field)) return 'date'
  if (field === 'IS_ONLINE') return 'flag'
  return 'string'
}

function userGenerator(ctx: SeedContext): (id: number, field: string) => unknown {
  const r = new SeededRandom(ctx.seed, 10)
  const span = 3 * 365 * 86400
  const departments = Math.max(1, ctx.counts.departments)
  const first = (id: number): string => r.pick(id, 1, FIRST_NAMES)
  const last = (id: number): string => r.pick(id, 2, LAST_NAMES)
  const registered = (id: number): number =>
    startOfDay(ctx.anchor - span + Math.floor((span * (id - 1)) / Math.max(1, ctx.counts.users)), ctx.tz)
  const lastLogin = (id: number): number => ctx.anchor - r.int(id, 3, 30 * 86400)
  const value = (id: number, field: string): unknown => {
    switch (field) {
      case 'ID':
        return id
      case 'ACTIVE':
        return id === 1 || !r.chance(id, 4, 0.05)
      case 'NAME':
        return first(id)
      case 'LAST_NAME':
        return last(id)
      case 'SECOND_NAME':
        return r.chance(id, 5, 0.3) ? '' : null
      case 'EMAIL':
        return `${first(id)}.${last(id)}${id}@example.com`.toLowerCase()
      case 'LAST_LOGIN':
      case 'TIMESTAMP_X':
      case 'LAST_ACTIVITY_DATE':
        return lastLogin(id)
      case 'DATE_REGISTER':
        return registered(id)
      case 'TIME_ZONE':
        return r.chance(id, 6, 0.5) ? '' : null
      case 'IS_ONLINE':
        return id === 1 || r.chance(id, 7, 0.3) ? 'Y' : 'N'
      case 'PERSONAL_GENDER':
        return ''
      case 'PERSONAL_BIRTHDAY':
        return r.chance(id, 8, 0.5) ? startOfDay(Date.UTC(1965, 0, 1) / 1000 + r.int(id, 9, 35 * 365) * 86400, 0) : null
      case 'PERSONAL_MOBILE':
        return r.chance(id, 10, 0.5) ? `+1${String(2000000000 + r.int(id, 11, 7999999999)).slice(0, 10)}` : null
      case 'PERSONAL_CITY':
        return r.chance(id, 12, 0.5) ? r.pick(id, 13, CITIES)[0] : null
      case 'WORK_PHONE':
        return r.chance(id, 14, 0.4) ? `+1${String(3000000000 + r.int(id, 15, 6999999999)).slice(0, 10)}` : null
      case 'WORK_POSITION':
        return id === 1 ? 'Administrator' : r.pick(id, 16, POSITIONS)
      case 'UF_EMPLOYMENT_DATE':
        return null
      case 'UF_DEPARTMENT':
        return id === 1 ? [1] : [1 + r.int(id, 17, departments)]
      case 'UF_PHONE_INNER':
        return r.chance(id, 18, 0.5) ? String(100 + (id % 900)) : null
      case 'USER_TYPE':
        return 'employee'
      default:
        return null
    }
  }
  // The administrator (user 1) has saved the profile form once, so its empty optional fields are "" not null.
  return (id, field) => {
    const v = value(id, field)
    return v === null && id === 1 && USER_PROFILE_FORM.has(field) ? '' : v
  }
}

function departmentGenerator(ctx: SeedContext): (id: number, field: string) => unknown {
  const r = new SeededRandom(ctx.seed, 11)
  const n = DEPARTMENT_NAMES.length
  return (id, field) => {
    switch (field) {
      case 'ID':
        return id
      case 'NAME': {
        if (id === 1) return 'My Company'
        const round = Math.floor((id - 2) / n)
        return DEPARTMENT_NAMES[(id - 2) % n] + (round > 0 ? ` ${round + 1}` : '')
      }
      case 'SORT':
        return 500
      case 'PARENT':
        return id === 1 ? null : id <= n + 1 ? 1 : 2 + ((id - n - 2) % n)
      case 'UF_HEAD':
        return id === 1 ? 1 : r.chance(id, 1, 0.8) ? 1 + r.int(id, 2, Math.max(1, ctx.counts.users)) : null
      default:
        return null
    }
  }
}

export class DirectoryStore {
  readonly users: Table
  readonly departments: Table

  constructor(
    readonly env: PortalEnv,
    seed: SeedContext,
  ) {
    this.users = new Table(seed.counts.users, userGenerator(seed), USER_FIELDS)
    this.departments = new Table(seed.counts.departments, departmentGenerator(seed), [
      'ID',
      'NAME',
      'SORT',
      'PARENT',
      'UF_HEAD',
    ])
  }

  isAdmin(userId: number): boolean {
    return userId === 1
  }

  /**
   * A user in the docs' shape. Without an explicit field list, empty optional strings are left out (as the portal
   * does); `mode: 'current'` is the `user.current` variant (TIMESTAMP_X in the site format `DD.MM.YYYY HH:MI:SS`,
   * LAST_ACTIVITY_DATE as `YYYY-MM-DD HH:MI:SS`, as in the batch docs example) while lists print them as `{}`.
   */
  userOut(id: number, fields: readonly string[] | null, mode: 'list' | 'current'): Row {
    const out: Row = {}
    for (const field of fields ?? USER_FIELDS) {
      const v = this.users.value(id, field)
      if (USER_OBJECT_DATES.has(field)) {
        if (mode === 'list') out[field] = {}
        else if (typeof v === 'number') {
          out[field] = field === 'LAST_ACTIVITY_DATE' ? formatSql(v, this.env.tz) : formatDmy(v, this.env.tz)
        }
        continue
      }
      if (USER_DATE_FIELDS.has(field)) {
        out[field] = typeof v === 'number' ? formatIso(v, this.env.tz) : ''
        continue
      }
      if (v === null || v === undefined) {
        if (fields !== null || USER_ALWAYS.has(field)) out[field] = field === 'UF_DEPARTMENT' ? [] : ''
        continue
      }
      out[field] = field === 'ID' ? String(v) : v
    }
    return out
  }
}

const USER_GET_PARAMS = new Set([
  'sort',
  'SORT',
  'order',
  'ORDER',
  'filter',
  'FILTER',
  'ADMIN_MODE',
  'admin_mode',
  'select',
  'SELECT',
  'IMAGE_RESIZE',
  'start',
  'START',
])

function userSelect(raw: unknown): string[] | null {
  const names = toList(raw).map((x) => String(x))
  if (names.length === 0 || names.includes('*')) return null
  const wanted = new Set(names.includes('UF_*') ? USER_FIELDS.filter((f) => f.startsWith('UF_')) : [])
  for (const n of names) if (Object.hasOwn(USER_FIELD_TITLES, n)) wanted.add(n)
  wanted.add('ID')
  return USER_FIELDS.filter((f) => wanted.has(f))
}

function userOrder(params: Params): OrderKey[] {
  const sort = pickParam(params, 'sort', 'SORT', 'by', 'BY')
  const dir = pickParam(params, 'order', 'ORDER')
  if (isRecord(dir)) {
    return Object.entries(dir)
      .filter(([k]) => Object.hasOwn(USER_FIELD_TITLES, k.toUpperCase()))
      .map(([k, d]) => ({ field: k.toUpperCase(), desc: String(d).toUpperCase() === 'DESC' }))
  }
  const field = typeof sort === 'string' ? sort.toUpperCase() : 'ID'
  if (!Object.hasOwn(USER_FIELD_TITLES, field)) return []
  return [{ field, desc: String(dir ?? 'ASC').toUpperCase() === 'DESC' }]
}

/** `NAME_SEARCH=john smi` → every word must appear in one of the name fields. */
function nameSearch(value: unknown): FilterNode {
  const words = String(value ?? '')
    .split(/\s+/)
    .filter((w) => w !== '')
  return {
    or: false,
    items: words.map((w) => ({
      or: true,
      items: ['NAME', 'LAST_NAME', 'SECOND_NAME', 'EMAIL', 'WORK_POSITION'].map((field) => ({
        field,
        op: '%' as const,
        value: w,
      })),
    })),
  }
}

function userFilter(params: Params, dir: DirectoryStore, search: boolean): FilterGroup {
  const raw = pickParam(params, 'FILTER', 'filter')
  const source: Record<string, unknown> = isRecord(raw) ? { ...raw } : {}
  for (const [k, v] of Object.entries(params)) {
    if (!USER_GET_PARAMS.has(k) && !Object.hasOwn(source, k)) source[k] = v
  }
  const extra: FilterNode[] = []
  const plain: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(source)) {
    const key = k.toUpperCase()
    if (key === 'NAME_SEARCH' || (search && key === 'FIND')) extra.push(nameSearch(v))
    else if (search && key === 'UF_DEPARTMENT_NAME') {
      const needle = String(v ?? '').toLowerCase()
      const ids: number[] = []
      dir.departments.forEachId(1, Number.POSITIVE_INFINITY, false, (id) => {
        if (String(dir.departments.value(id, 'NAME')).toLowerCase().includes(needle)) ids.push(id)
        return true
      })
      extra.push({ field: 'UF_DEPARTMENT', op: '@', value: ids.length > 0 ? ids : [0] })
    } else if (search && ['NAME', 'LAST_NAME', 'WORK_POSITION'].includes(key)) {
      extra.push({ field: key, op: '%', value: v })
    } else plain[k] = v
  }
  const group = parseFilter(plain, {
    resolve: (name) => {
      const field = name.toUpperCase()
      return Object.hasOwn(USER_FIELD_TITLES, field) ? field : null
    },
  })
  group.items.push(...extra)
  return group
}

function userInput(fields: Record<string, unknown>, tz: number): Row {
  const patch: Row = {}
  for (const [k, v] of Object.entries(fields)) {
    const field = k.toUpperCase()
    if (!Object.hasOwn(USER_FIELD_TITLES, field) || USER_READ_ONLY.has(field)) continue
    if (field === 'ACTIVE') patch.ACTIVE = truthy(v)
    else if (field === 'UF_DEPARTMENT') {
      patch.UF_DEPARTMENT = toList(v)
        .map((x) => intval(x))
        .filter((n) => n > 0)
    } else if (USER_DATE_FIELDS.has(field)) patch[field] = v === '' || v === null ? null : parseDate(v, tz)
    else patch[field] = v === null || v === undefined ? null : typeof v === 'object' ? null : String(v)
  }
  return patch
}

function userMethods(dir: DirectoryStore): Record<string, MethodDefinition> {
  const { env } = dir
  const { costs } = env
  const def = (handler: MethodDefinition['handler']): MethodDefinition => ({ scope: 'user', handler })
  const list =
    (search: boolean): MethodDefinition['handler'] =>
    (params, ctx) => {
      const page = queryPage(env, ctx, {
        table: dir.users,
        kindOf: userKind,
        filter: userFilter(params, dir, search),
        order: userOrder(params),
        start: readStart(params),
        paging: 'legacy',
      })
      const fields = userSelect(pickParam(params, 'select', 'SELECT'))
      return { result: page.ids.map((id) => dir.userOut(id, fields, 'list')), ...page.meta }
    }
  const requireEmail = (email: unknown): string => {
    const s = typeof email === 'string' ? email.trim() : ''
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s)) {
      throw new RestError('ERROR_ARGUMENT', 'wrong_email', 400, { argument: '' })
    }
    return s
  }
  const emailTaken = (email: string, except: number): boolean => {
    let taken = false
    const needle = email.toLowerCase()
    dir.users.forEachId(1, Number.POSITIVE_INFINITY, false, (id) => {
      if (id !== except && String(dir.users.value(id, 'EMAIL') ?? '').toLowerCase() === needle) taken = true
      return !taken
    })
    return taken
  }
  return {
    'user.fields': def((_params, ctx) => {
      ctx.cost(costs.base)
      return { result: { ...USER_FIELD_TITLES } }
    }),
    'user.current': def((_params, ctx) => {
      ctx.cost(costs.base)
      if (!dir.users.has(ctx.userId)) return { result: [] }
      return { result: dir.userOut(ctx.userId, null, 'current') }
    }),
    'user.get': def(list(false)),
    'user.search': def(list(true)),
    'user.add': def((params, ctx) => {
      ctx.cost(costs.base + costs.perRow * 10)
      const fields = isRecord(params.fields) ? params.fields : params
      const email = requireEmail(pickParam(fields, 'EMAIL', 'email'))
      if (emailTaken(email, 0)) {
        throw new RestError('ERROR_ARGUMENT', 'A user with this email already exists', 400, { argument: '' })
      }
      const now = Math.floor(ctx.now())
      const row: Row = Object.fromEntries(USER_FIELDS.map((f) => [f, null]))
      Object.assign(row, {
        ACTIVE: true,
        DATE_REGISTER: now,
        TIMESTAMP_X: now,
        IS_ONLINE: 'N',
        PERSONAL_GENDER: '',
        UF_DEPARTMENT: [1],
        USER_TYPE: 'employee',
      })
      Object.assign(row, userInput(fields, env.tz), { EMAIL: email })
      return { result: dir.users.insert(row) }
    }),
    'user.update': def((params, ctx) => {
      ctx.cost(costs.base + costs.perRow * 10)
      const fields = isRecord(params.fields) ? { ...params.fields, ID: params.ID ?? params.id } : params
      const id = positiveId(pickParam(fields, 'ID', 'id'))
      if (id === null || !dir.users.has(id)) throw new RestError('ERROR_CORE', 'access_denied', 400)
      const patch = userInput(fields, env.tz)
      if (patch.EMAIL !== undefined) {
        const email = requireEmail(patch.EMAIL)
        if (emailTaken(email, id)) {
          throw new RestError('ERROR_ARGUMENT', 'A user with this email already exists', 400, { argument: '' })
        }
      }
      patch.TIMESTAMP_X = Math.floor(ctx.now())
      dir.users.update(id, patch)
      return { result: true }
    }),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Departments

const DEPARTMENT_FIELDS = ['ID', 'NAME', 'SORT', 'PARENT', 'UF_HEAD']

function departmentOut(dir: DirectoryStore, id: number): Row {
  const out: Row = {}
  for (const field of DEPARTMENT_FIELDS) {
    const v = dir.departments.value(id, field)
    if (v === null || v === undefined) continue
    out[field] = field === 'SORT' ? v : field === 'NAME' ? v : String(v)
  }
  return out
}

function departmentMethods(dir: DirectoryStore): Record<string, MethodDefinition> {
  const { env } = dir
  const { costs } = env
  const table = dir.departments
  const def = (handler: MethodDefinition['handler']): MethodDefinition => ({ scope: 'department', handler })
  const coreError = (text: string): RestError => new RestError('ERROR_CORE', text, 400)
  const input = (params: Params): Row => {
    const patch: Row = {}
    for (const [k, v] of Object.entries(params)) {
      const field = k.toUpperCase()
      if (field === 'NAME') patch.NAME = String(v ?? '')
      else if (field === 'SORT') patch.SORT = intval(v)
      else if (field === 'PARENT' || field === 'UF_HEAD') patch[field] = positiveId(v)
    }
    return patch
  }
  return {
    'department.fields': def((_params, ctx) => {
      ctx.cost(costs.base)
      return {
        result: {
          ID: 'ID',
          NAME: 'Department Name',
          SORT: 'Sort Order',
          PARENT: 'Parent Department',
          UF_HEAD: 'Manager',
        },
      }
    }),
    'department.get': def((params, ctx) => {
      const raw: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(params)) {
        if (DEPARTMENT_FIELDS.includes(k.replace(/^[!<>=@%]+/, ''))) raw[k] = v
      }
      const filter = parseFilter(raw, { resolve: (n) => (DEPARTMENT_FIELDS.includes(n) ? n : null) })
      const sortField = String(pickParam(params, 'sort', 'by') ?? 'SORT').toUpperCase()
      const desc = String(pickParam(params, 'order') ?? 'ASC').toUpperCase() === 'DESC'
      const order: OrderKey[] = DEPARTMENT_FIELDS.includes(sortField) ? [{ field: sortField, desc }] : []
      const page = queryPage(env, ctx, {
        table,
        kindOf: (f) => (f === 'NAME' ? 'string' : 'number'),
        filter,
        order,
        start: readStart(params, 'start', 'START'),
        paging: 'legacy',
      })
      return { result: page.ids.map((id) => departmentOut(dir, id)), ...page.meta }
    }),
    'department.add': def((params, ctx) => {
      ctx.cost(costs.base + costs.perRow * 10)
      const patch = input(params)
      if (!patch.NAME) throw coreError('Department name not provided.<br>')
      const parent = patch.PARENT
      if (typeof parent !== 'number' || !table.has(parent)) {
        throw coreError('There can only be one top-level department in the company structure')
      }
      return {
        result: table.insert({
          NAME: patch.NAME,
          SORT: patch.SORT ?? 500,
          PARENT: parent,
          UF_HEAD: patch.UF_HEAD ?? null,
        }),
      }
    }),
    'department.update': def((params, ctx) => {
      ctx.cost(costs.base + costs.perRow * 10)
      const id = positiveId(pickParam(params, 'ID', 'id'))
      if (id === null || !table.has(id)) throw coreError('Department not found')
      const patch = input(params)
      delete patch.ID
      if (patch.NAME === '') delete patch.NAME
      table.update(id, patch)
      return { result: true }
    }),
    'department.delete': def((params, ctx) => {
      ctx.cost(costs.base + costs.perRow * 10)
      const id = positiveId(pickParam(params, 'ID', 'id'))
      if (id === null || !table.has(id)) throw coreError('Department not found')
      table.delete(id)
      return { result: true }
    }),
  }
}

function profileMethods(dir: DirectoryStore): Record<string, MethodDefinition> {
  return {
    profile: {
      scope: 'basic',
      handler: (_params: Params, ctx: CallContext) => {
        ctx.cost(dir.env.costs.base)
        const id = ctx.userId
        if (!dir.users.has(id) || dir.users.value(id, 'ACTIVE') === false) return { result: [] }
        const u = dir.userOut(id, ['ID', 'NAME', 'LAST_NAME', 'PERSONAL_GENDER', 'TIME_ZONE'], 'list')
        return {
          result: {
            ID: u.ID,
            ADMIN: dir.isAdmin(id),
            NAME: u.NAME,
            LAST_NAME: u.LAST_NAME,
            PERSONAL_GENDER: u.PERSONAL_GENDER ?? '',
            TIME_ZONE: u.TIME_ZONE ?? '',
          },
        }
      },
    },
  }
}

export function directoryMethods(dir: DirectoryStore): Record<string, MethodDefinition> {
  return { ...userMethods(dir), ...departmentMethods(dir), ...profileMethods(dir) }
}
