/**
 * `tasks.task.list|get|add|update|delete`: camelCase keys with string values, `{tasks}` / `{task}`; filters and
 * selects use UPPER_CASE field names.
 */

import { type MethodDefinition, type Params, RestError } from '../kernel.js'
import type { SeedContext } from './crm-seed.js'
import { type PortalEnv, queryPage } from './env.js'
import { TASK_TITLES } from './names.js'
import { type OrderKey, parseFilter, type ValueKind } from './query.js'
import type { GroupStore } from './sonet.js'
import { type Row, Table } from './table.js'
import type { DirectoryStore } from './users.js'
import {
  camelToUpper,
  formatIso,
  hash32,
  intval,
  isRecord,
  parseDate,
  pickParam,
  readStart,
  SeededRandom,
  toFlag,
  toList,
  toNumber,
  truthy,
  upperToCamel,
} from './util.js'

export const TASK_FIELDS = [
  'ID',
  'PARENT_ID',
  'TITLE',
  'DESCRIPTION',
  'MARK',
  'PRIORITY',
  'MULTITASK',
  'NOT_VIEWED',
  'REPLICATE',
  'STAGE_ID',
  'SPRINT_ID',
  'BACKLOG_ID',
  'CREATED_BY',
  'CREATED_DATE',
  'RESPONSIBLE_ID',
  'CHANGED_BY',
  'CHANGED_DATE',
  'STATUS_CHANGED_BY',
  'CLOSED_BY',
  'CLOSED_DATE',
  'ACTIVITY_DATE',
  'DATE_START',
  'DEADLINE',
  'START_DATE_PLAN',
  'END_DATE_PLAN',
  'GUID',
  'XML_ID',
  'COMMENTS_COUNT',
  'SERVICE_COMMENTS_COUNT',
  'ALLOW_CHANGE_DEADLINE',
  'ALLOW_TIME_TRACKING',
  'TASK_CONTROL',
  'ADD_IN_REPORT',
  'FORKED_BY_TEMPLATE_ID',
  'TIME_ESTIMATE',
  'TIME_SPENT_IN_LOGS',
  'MATCH_WORK_TIME',
  'FORUM_TOPIC_ID',
  'FORUM_ID',
  'SITE_ID',
  'SUBORDINATE',
  'EXCHANGE_MODIFIED',
  'EXCHANGE_ID',
  'OUTLOOK_VERSION',
  'VIEWED_DATE',
  'SORTING',
  'DURATION_FACT',
  'IS_MUTED',
  'IS_PINNED',
  'IS_PINNED_IN_GROUP',
  'FLOW_ID',
  'DESCRIPTION_IN_BBCODE',
  'STATUS',
  'STATUS_CHANGED_DATE',
  'DURATION_PLAN',
  'DURATION_TYPE',
  'FAVORITE',
  'GROUP_ID',
  'AUDITORS',
  'ACCOMPLICES',
]

const FIELD_SET = new Set(TASK_FIELDS)
const NUMERIC = new Set([
  'ID',
  'PARENT_ID',
  'PRIORITY',
  'STAGE_ID',
  'SPRINT_ID',
  'BACKLOG_ID',
  'CREATED_BY',
  'RESPONSIBLE_ID',
  'CHANGED_BY',
  'STATUS_CHANGED_BY',
  'CLOSED_BY',
  'COMMENTS_COUNT',
  'SERVICE_COMMENTS_COUNT',
  'FORKED_BY_TEMPLATE_ID',
  'TIME_ESTIMATE',
  'TIME_SPENT_IN_LOGS',
  'FORUM_TOPIC_ID',
  'FORUM_ID',
  'OUTLOOK_VERSION',
  'SORTING',
  'DURATION_FACT',
  'FLOW_ID',
  'STATUS',
  'DURATION_PLAN',
  'GROUP_ID',
])
const DATES = new Set([
  'CREATED_DATE',
  'CHANGED_DATE',
  'CLOSED_DATE',
  'ACTIVITY_DATE',
  'DATE_START',
  'DEADLINE',
  'START_DATE_PLAN',
  'END_DATE_PLAN',
  'EXCHANGE_MODIFIED',
  'VIEWED_DATE',
  'STATUS_CHANGED_DATE',
])
const LISTS = new Set(['AUDITORS', 'ACCOMPLICES'])
const FLAGS = new Set([
  'MULTITASK',
  'NOT_VIEWED',
  'REPLICATE',
  'ALLOW_CHANGE_DEADLINE',
  'ALLOW_TIME_TRACKING',
  'TASK_CONTROL',
  'ADD_IN_REPORT',
  'MATCH_WORK_TIME',
  'SUBORDINATE',
  'IS_MUTED',
  'IS_PINNED',
  'IS_PINNED_IN_GROUP',
  'DESCRIPTION_IN_BBCODE',
  'FAVORITE',
])
const READ_ONLY = new Set([
  'ID',
  'CREATED_DATE',
  'CHANGED_BY',
  'CHANGED_DATE',
  'STATUS_CHANGED_BY',
  'STATUS_CHANGED_DATE',
  'CLOSED_BY',
  'CLOSED_DATE',
  'ACTIVITY_DATE',
  'GUID',
  'COMMENTS_COUNT',
  'SERVICE_COMMENTS_COUNT',
  'FORUM_TOPIC_ID',
  'FORUM_ID',
  'OUTLOOK_VERSION',
  'VIEWED_DATE',
])
const FILTER_ALIASES: Record<string, string> = {
  REAL_STATUS: 'STATUS',
  ACCOMPLICE: 'ACCOMPLICES',
  AUDITOR: 'AUDITORS',
}
const ORDER_ALIASES: Record<string, string> = {
  REAL_STATUS: 'STATUS',
  STATUS_COMPLETE: 'STATUS',
  CREATED_BY_LAST_NAME: 'CREATED_BY',
  RESPONSIBLE_LAST_NAME: 'RESPONSIBLE_ID',
}
const SORTABLE = new Set([
  'ID',
  'TITLE',
  'TIME_SPENT_IN_LOGS',
  'DATE_START',
  'CREATED_DATE',
  'CHANGED_DATE',
  'CLOSED_DATE',
  'ACTIVITY_DATE',
  'START_DATE_PLAN',
  'END_DATE_PLAN',
  'DEADLINE',
  'STATUS',
  'PRIORITY',
  'MARK',
  'CREATED_BY',
  'RESPONSIBLE_ID',
  'GROUP_ID',
  'TIME_ESTIMATE',
  'ALLOW_CHANGE_DEADLINE',
  'ALLOW_TIME_TRACKING',
  'MATCH_WORK_TIME',
  'FAVORITE',
  'SORTING',
  'IS_PINNED',
  'IS_PINNED_IN_GROUP',
])
const STATUSES = [2, 3, 4, 5, 6]
/** Computed values that `select` can ask for besides columns. */
const SELECT_EXTRAS = ['SUB_STATUS', 'COUNTERS', 'TAGS']

function taskKind(field: string): ValueKind {
  if (NUMERIC.has(field)) return 'number'
  if (DATES.has(field)) return 'date'
  if (LISTS.has(field)) return 'numbers'
  if (FLAGS.has(field)) return 'flag'
  return 'string'
}

function guid(seed: number, id: number): string {
  const hex = [0, 1, 2, 3]
    .map((i) =>
      hash32(seed, 30, id, 100 + i)
        .toString(16)
        .padStart(8, '0'),
    )
    .join('')
  return `{${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}}`
}

function taskGenerator(ctx: SeedContext): (id: number, field: string) => unknown {
  const r = new SeededRandom(ctx.seed, 30)
  const users = Math.max(1, ctx.counts.users)
  const span = 365 * 86400
  const created = (id: number): number =>
    Math.floor(ctx.anchor - span + (span * (id - 1 + r.unit(id, 1))) / Math.max(1, ctx.counts.tasks))
  const changed = (id: number): number => Math.min(ctx.anchor, created(id) + r.int(id, 2, 30 * 86400))
  const status = (id: number): number => {
    const u = r.unit(id, 3)
    return u < 0.35 ? 2 : u < 0.55 ? 3 : u < 0.6 ? 4 : u < 0.95 ? 5 : 6
  }
  const responsible = (id: number): number => 1 + r.int(id, 4, users)
  const creator = (id: number): number => 1 + r.int(id, 5, users)
  return (id, field) => {
    switch (field) {
      case 'ID':
        return id
      case 'TITLE':
        return r.pick(id, 6, TASK_TITLES)
      case 'DESCRIPTION':
        return r.chance(id, 7, 0.5) ? 'Please take care of this before the deadline.' : ''
      case 'PRIORITY':
        return r.chance(id, 8, 0.2) ? 2 : 1
      case 'MULTITASK':
      case 'NOT_VIEWED':
      case 'REPLICATE':
      case 'ALLOW_TIME_TRACKING':
      case 'TASK_CONTROL':
      case 'ADD_IN_REPORT':
      case 'MATCH_WORK_TIME':
      case 'SUBORDINATE':
      case 'IS_MUTED':
      case 'IS_PINNED':
      case 'IS_PINNED_IN_GROUP':
      case 'FAVORITE':
        return 'N'
      case 'ALLOW_CHANGE_DEADLINE':
        return r.chance(id, 9, 0.5) ? 'Y' : 'N'
      case 'DESCRIPTION_IN_BBCODE':
        return 'Y'
      case 'STAGE_ID':
        return 0
      case 'CREATED_BY':
        return creator(id)
      case 'CREATED_DATE':
        return created(id)
      case 'RESPONSIBLE_ID':
      case 'CHANGED_BY':
      case 'STATUS_CHANGED_BY':
        return responsible(id)
      case 'CHANGED_DATE':
      case 'ACTIVITY_DATE':
      case 'STATUS_CHANGED_DATE':
        return changed(id)
      case 'CLOSED_BY':
        return status(id) === 5 ? responsible(id) : null
      case 'CLOSED_DATE':
        return status(id) === 5 ? changed(id) : null
      case 'DEADLINE':
        return r.chance(id, 10, 0.6) ? created(id) + (1 + r.int(id, 11, 30)) * 86400 : null
      case 'GUID':
        return guid(ctx.seed, id)
      case 'TIME_ESTIMATE':
        return 0
      case 'SITE_ID':
        return 's1'
      case 'OUTLOOK_VERSION':
        return 1
      case 'STATUS':
        return status(id)
      case 'DURATION_TYPE':
        return 'days'
      case 'GROUP_ID':
        return ctx.counts.groups > 0 && r.chance(id, 12, 0.3) ? 1 + r.int(id, 13, ctx.counts.groups) : 0
      case 'AUDITORS':
        return r.chance(id, 14, 0.3) ? [1 + r.int(id, 15, users)] : []
      case 'ACCOMPLICES':
        return r.chance(id, 16, 0.2) ? [1 + r.int(id, 17, users)] : []
      default:
        return null
    }
  }
}

export class TaskStore {
  readonly tasks: Table
  constructor(
    readonly env: PortalEnv,
    seed: SeedContext,
  ) {
    this.tasks = new Table(seed.counts.tasks, taskGenerator(seed), TASK_FIELDS)
  }
}

function outValue(field: string, v: unknown, tz: number): unknown {
  if (v === null || v === undefined) return null
  if (DATES.has(field)) return typeof v === 'number' ? formatIso(v, tz) : null
  if (Array.isArray(v)) return v.map(String)
  return String(v)
}

/** Normalises a client field name (`RESPONSIBLE_ID`, `responsibleId`) to the UPPER column name. */
function upperName(name: string): string {
  return /[a-z]/.test(name) ? camelToUpper(name) : name
}

function taskError(code: string, text: string): RestError {
  return new RestError(code, text, 400)
}

export function taskMethods(
  store: TaskStore,
  dir: DirectoryStore,
  groups: GroupStore,
): Record<string, MethodDefinition> {
  const { env } = store
  const { costs } = env
  const table = store.tasks
  const def = (handler: MethodDefinition['handler']): MethodDefinition => ({ scope: 'task', handler })

  const userBrief = (id: unknown): Row | null => {
    const uid = typeof id === 'number' ? id : intval(id)
    if (!dir.users.has(uid)) return null
    const name = `${dir.users.value(uid, 'NAME') ?? ''} ${dir.users.value(uid, 'LAST_NAME') ?? ''}`.trim()
    return {
      id: String(uid),
      name,
      link: `/company/personal/user/${uid}/`,
      icon: '/bitrix/images/tasks/default_avatar.png',
      workPosition: String(dir.users.value(uid, 'WORK_POSITION') ?? ''),
    }
  }
  const usersData = (ids: unknown): unknown => {
    const list = Array.isArray(ids) ? ids : []
    if (list.length === 0) return []
    return Object.fromEntries(list.map((u) => [String(u), userBrief(u)]))
  }
  const groupOf = (gid: unknown): unknown => {
    const id = typeof gid === 'number' ? gid : 0
    if (id <= 0 || !groups.groups.has(id)) return []
    return {
      id: String(id),
      name: groups.groups.value(id, 'NAME'),
      opened: groups.groups.value(id, 'OPENED') === 'Y',
      membersCount: ((groups.groups.value(id, 'MEMBERS') ?? []) as unknown[]).length,
      image: '',
      additionalData: [],
    }
  }

  /** Operations the current user may perform (the `action` block of get/add/update). */
  const actions = (id: number): Row => {
    const status = table.value(id, 'STATUS')
    const done = status === 5
    const favorite = table.value(id, 'FAVORITE') === 'Y'
    return {
      accept: false,
      decline: false,
      complete: !done,
      approve: false,
      disapprove: false,
      start: !done && status !== 3,
      pause: status === 3,
      delegate: true,
      remove: true,
      edit: true,
      defer: !done && status !== 6,
      renew: done || status === 6,
      create: true,
      changeDeadline: true,
      checklistAddItems: true,
      addFavorite: !favorite,
      deleteFavorite: favorite,
      rate: true,
      take: false,
      'edit.originator': false,
      'checklist.reorder': true,
      'elapsedtime.add': true,
      'dayplan.timer.toggle': false,
      'edit.plan': true,
      'checklist.add': true,
      'favorite.add': !favorite,
      'favorite.delete': favorite,
    }
  }

  /**
   * A task in the docs' shape. `select` holds column names plus the computed extras `SUB_STATUS`, `COUNTERS`,
   * `TAGS` (null = every column); `params` switches on `WITH_RESULT_INFO`, `WITH_TIMER_INFO`,
   * `WITH_PARSED_DESCRIPTION`; `withActions` adds the `action` block.
   */
  const taskOut = (id: number, select: readonly string[] | null, params: Params = {}, withActions = false): Row => {
    const fields = select ?? TASK_FIELDS
    const out: Row = {}
    for (const f of fields) {
      if (FIELD_SET.has(f)) out[upperToCamel(f)] = outValue(f, table.value(id, f), env.tz)
    }
    out.group = groupOf(table.value(id, 'GROUP_ID'))
    if (fields.includes('CREATED_BY')) out.creator = userBrief(table.value(id, 'CREATED_BY'))
    if (fields.includes('RESPONSIBLE_ID')) out.responsible = userBrief(table.value(id, 'RESPONSIBLE_ID'))
    if (fields.includes('ACCOMPLICES')) out.accomplicesData = usersData(table.value(id, 'ACCOMPLICES'))
    if (fields.includes('AUDITORS')) out.auditorsData = usersData(table.value(id, 'AUDITORS'))
    if (truthy(params.WITH_RESULT_INFO)) {
      out.taskRequireResult = 'N'
      out.taskHasOpenResult = 'N'
      out.taskHasResult = 'N'
    }
    if (truthy(params.WITH_TIMER_INFO)) {
      out.timeElapsed = null
      out.timerIsRunningForCurrentUser = 'N'
    }
    if (truthy(params.WITH_PARSED_DESCRIPTION)) out.parsedDescription = table.value(id, 'DESCRIPTION') ?? ''
    if (select?.includes('COUNTERS')) {
      out.counter = {
        counters: {
          expired: 0,
          newComments: 0,
          projectExpired: 0,
          projectNewComments: 0,
          mutedExpired: 0,
          mutedNewComments: 0,
        },
        color: 'gray',
        value: 0,
      }
    }
    if (select?.includes('TAGS')) out.tags = []
    if (select === null || fields.includes('SUB_STATUS')) {
      const status = table.value(id, 'STATUS')
      const deadline = table.value(id, 'DEADLINE')
      const overdue =
        typeof deadline === 'number' && deadline < env.anchor && status !== 5 && status !== 6 && status !== 4
      out.subStatus = overdue ? '-1' : String(status)
    }
    if (withActions) out.action = actions(id)
    return out
  }

  const parseSelect = (raw: unknown): string[] | null => {
    const names = toList(raw).map((x) => upperName(String(x)))
    if (names.length === 0 || names.includes('*')) return null
    const picked = new Set<string>(['ID'])
    for (const n of names) if (FIELD_SET.has(n) || SELECT_EXTRAS.includes(n)) picked.add(n)
    // The description always comes with its format flag.
    if (picked.has('DESCRIPTION')) picked.add('DESCRIPTION_IN_BBCODE')
    return [...TASK_FIELDS.filter((f) => picked.has(f)), ...SELECT_EXTRAS.filter((f) => picked.has(f))]
  }

  const taskIdParam = (params: Params): number => {
    const raw = pickParam(params, 'taskId', 'TASKID', 'taskid')
    if (raw === undefined || raw === null || raw === '') {
      throw taskError('100', 'CTaskItem All parameters in the constructor must have real class type (internal error)')
    }
    const n = toNumber(raw)
    if (n === null || !Number.isInteger(n) || n <= 0) throw taskError('0', 'wrong task id')
    return n
  }

  const fieldsParam = (params: Params): Record<string, unknown> => {
    const fields = pickParam(params, 'fields', 'FIELDS')
    if (!isRecord(fields) || Object.keys(fields).length === 0) {
      throw taskError('100', 'Could not find value for parameter {fields} (internal error)')
    }
    return fields
  }

  /** Applies input fields; returns the patch in column names. */
  const input = (fields: Record<string, unknown>): Row => {
    const patch: Row = {}
    for (const [k, v] of Object.entries(fields)) {
      const field = upperName(k)
      if (!FIELD_SET.has(field) || READ_ONLY.has(field)) continue
      if (NUMERIC.has(field)) {
        const n = v === '' || v === null || v === undefined ? null : toNumber(v)
        patch[field] = n === null ? (field === 'GROUP_ID' ? 0 : null) : Math.trunc(n)
      } else if (DATES.has(field)) patch[field] = v === '' || v === null ? null : parseDate(v, env.tz)
      else if (LISTS.has(field)) {
        patch[field] = toList(v)
          .map((x) => intval(x))
          .filter((n) => n > 0)
      } else if (FLAGS.has(field)) patch[field] = toFlag(v)
      else patch[field] = v === null || v === undefined ? null : String(v)
    }
    return patch
  }

  const validate = (row: Row, id: number | null): void => {
    if (typeof row.TITLE !== 'string' || row.TITLE.trim() === '') {
      throw taskError('ERROR_CORE', 'Task title is not specified<br>')
    }
    if (typeof row.RESPONSIBLE_ID !== 'number') throw taskError('ERROR_CORE', 'Responsible person not specified<br>')
    if (!dir.users.has(row.RESPONSIBLE_ID)) {
      throw taskError('ERROR_CORE', 'User specified in the "Responsible" field not found<br>')
    }
    if (typeof row.STATUS !== 'number' || !STATUSES.includes(row.STATUS)) {
      throw taskError('ERROR_CORE', 'Incorrect status<br>')
    }
    if (row.PARENT_ID !== null && row.PARENT_ID !== undefined) {
      if (row.PARENT_ID === id) throw taskError('ERROR_CORE', 'Cannot bind the node to itself<br>')
      if (!table.has(Number(row.PARENT_ID))) {
        throw taskError('ERROR_CORE', 'Task specified in the "Parent Task" field not found<br>')
      }
    }
    if (
      typeof row.START_DATE_PLAN === 'number' &&
      typeof row.END_DATE_PLAN === 'number' &&
      row.END_DATE_PLAN < row.START_DATE_PLAN
    ) {
      throw taskError('ERROR_CORE', 'The end date in scheduling is earlier than the start date<br>')
    }
  }

  return {
    'tasks.task.list': def((params, ctx) => {
      const rawFilter = pickParam(params, 'filter', 'FILTER')
      const filter = parseFilter(isRecord(rawFilter) ? rawFilter : {}, {
        resolve: (name) => {
          const f = FILTER_ALIASES[name.toUpperCase()] ?? name.toUpperCase()
          return FIELD_SET.has(f) ? f : null
        },
      })
      // TITLE accepts SQL wildcards (`%`, `_`) with the plain `=` operator.
      for (const item of filter.items) {
        if ('field' in item && item.field === 'TITLE' && item.op === '=' && /[%_]/.test(String(item.value))) {
          item.op = 'like'
        }
      }
      const rawOrder = pickParam(params, 'order', 'ORDER')
      const order: OrderKey[] = []
      if (isRecord(rawOrder)) {
        for (const [k, d] of Object.entries(rawOrder)) {
          const key = k.toUpperCase()
          const field = ORDER_ALIASES[key] ?? key
          if (!SORTABLE.has(field)) throw taskError('0', 'Invalid sorting key (internal error)')
          order.push({ field, desc: String(d).toUpperCase() === 'DESC' })
        }
      }
      if (order.length === 0) order.push({ field: 'ID', desc: true })
      const select = parseSelect(pickParam(params, 'select', 'SELECT'))
      const page = queryPage(env, ctx, {
        table,
        kindOf: taskKind,
        filter,
        order,
        start: readStart(params),
        paging: 'orm',
      })
      const options = isRecord(params.params) ? params.params : {}
      return { result: { tasks: page.ids.map((id) => taskOut(id, select, options)) }, ...page.meta }
    }),

    'tasks.task.get': def((params, ctx) => {
      const id = taskIdParam(params)
      ctx.cost(costs.base + costs.perRow)
      const rawSelect = pickParam(params, 'select', 'SELECT')
      if (rawSelect !== undefined && toList(rawSelect).length === 0) {
        throw taskError(
          '100',
          'Invalid value {} to match with parameter {select}. Should be value of type array. (internal error)',
        )
      }
      if (!table.has(id)) throw taskError('0', 'Action on the task is not allowed (internal error)')
      return { result: { task: taskOut(id, parseSelect(rawSelect), {}, true) } }
    }),

    'tasks.task.add': def((params, ctx) => {
      const fields = fieldsParam(params)
      ctx.cost(costs.base + costs.perRow * 10)
      const now = Math.floor(ctx.now())
      const row: Row = Object.fromEntries(TASK_FIELDS.map((f) => [f, null]))
      for (const f of FLAGS) row[f] = 'N'
      Object.assign(row, {
        PRIORITY: 1,
        STAGE_ID: 0,
        CREATED_BY: ctx.userId,
        CREATED_DATE: now,
        CHANGED_BY: ctx.userId,
        CHANGED_DATE: now,
        ACTIVITY_DATE: now,
        STATUS: 2,
        STATUS_CHANGED_DATE: now,
        DESCRIPTION: '',
        DESCRIPTION_IN_BBCODE: 'Y',
        SITE_ID: 's1',
        OUTLOOK_VERSION: 1,
        TIME_ESTIMATE: 0,
        DURATION_TYPE: 'days',
        GROUP_ID: 0,
        AUDITORS: [],
        ACCOMPLICES: [],
      })
      Object.assign(row, input(fields))
      validate(row, null)
      const id = table.insert(row)
      table.update(id, { GUID: guid(env.randomSeed ^ 0x5bd1e995, id) })
      return { result: { task: taskOut(id, null, {}, true) } }
    }),

    'tasks.task.update': def((params, ctx) => {
      const id = taskIdParam(params)
      ctx.cost(costs.base + costs.perRow * 10)
      if (!table.has(id)) throw taskError('0', 'Action on the task is not allowed (internal error)')
      const fields = fieldsParam(params)
      const row = table.row(id) as Row
      const before = { ...row }
      Object.assign(row, input(fields))
      validate(row, id)
      const now = Math.floor(ctx.now())
      row.CHANGED_BY = ctx.userId
      row.CHANGED_DATE = now
      row.ACTIVITY_DATE = now
      if (row.STATUS !== before.STATUS) {
        row.STATUS_CHANGED_BY = ctx.userId
        row.STATUS_CHANGED_DATE = now
        row.CLOSED_BY = row.STATUS === 5 ? ctx.userId : null
        row.CLOSED_DATE = row.STATUS === 5 ? now : null
      }
      table.update(id, row)
      return { result: { task: taskOut(id, null, {}, true) } }
    }),

    'tasks.task.delete': def((params, ctx) => {
      const id = taskIdParam(params)
      ctx.cost(costs.base + costs.perRow * 10)
      if (!table.has(id)) throw taskError('1048582', 'No access to delete the task')
      table.delete(id)
      return { result: { task: true } }
    }),
  }
}
