/**
 * `tasks.task.get|list|add|update|delete` on REST 3.0 (api-reference/tasks/*-rest-v3.md, fields-rest-v3.md) over
 * the same task table as the v2 methods: a task added through one version is read through the other. Writes go
 * through the v2 handlers, so defaults, validation and timestamps stay the portal's one implementation; this
 * module only translates between the two shapes.
 */
import type { CallContext, MethodDefinition, Params } from '../../kernel.js'
import type { GroupStore } from '../sonet.js'
import type { TaskStore } from '../tasks.js'
import type { DirectoryStore } from '../users.js'
import { formatIso, isRecord, parseDate } from '../util.js'
import {
  FILTER_PARAM,
  ID_PARAM,
  ORDER_PARAM,
  PAGINATION_PARAM,
  SELECT_PARAM,
  type V3MethodDefinition,
} from './definition.js'
import {
  accessDenied,
  entityNotFound,
  requiredField,
  type ValidationEntry,
  validationError,
  wrongType,
} from './errors.js'
import { fieldMethods } from './fields.js'
import {
  assertValid,
  compareItems,
  fitsType,
  parseFilter,
  parseOrder,
  parsePagination,
  parseSelect,
  project,
  requireId,
  type V3Dto,
  type V3Field,
  type V3FieldType,
  type V3Item,
} from './query.js'

const STATUS_NAMES: Record<number, string> = {
  2: 'pending',
  3: 'in_progress',
  4: 'supposedly_completed',
  5: 'completed',
  6: 'deferred',
  7: 'declined',
}
const PRIORITY_NAMES: Record<number, string> = { 0: 'low', 1: 'average', 2: 'high' }

function codeOf(names: Record<number, string>, name: unknown): number | undefined {
  const entry = Object.entries(names).find(([, value]) => value === name)
  return entry ? Number(entry[0]) : undefined
}

export const USER_DTO: V3Dto = {
  name: 'UserDto',
  fields: [
    { name: 'id', type: 'integer', description: 'User identifier' },
    { name: 'name', type: 'string', description: 'First and last name' },
    { name: 'image', type: 'string', description: 'Avatar address' },
    { name: 'gender', type: 'string', description: 'Gender' },
    { name: 'email', type: 'string', description: 'E-mail' },
    { name: 'externalAuthId', type: 'string', description: 'External authorization source' },
  ],
}

export const GROUP_DTO: V3Dto = {
  name: 'GroupDto',
  fields: [
    { name: 'id', type: 'integer', description: 'Group identifier' },
    { name: 'name', type: 'string', description: 'Group name' },
    { name: 'image', type: 'string', description: 'Group image' },
    { name: 'type', type: 'string', description: 'Group type' },
    { name: 'isVisible', type: 'boolean', description: 'Visible to every user' },
  ],
}

type Column = { column: string; type: V3FieldType; description: string; sortable?: boolean }

/** TaskDto's own fields and the v2 column each one reads (tasks-task-list-rest-v3.md lists the sortable ones). */
const TASK_COLUMNS: Record<string, Column> = {
  id: { column: 'ID', type: 'integer', description: 'Task identifier', sortable: true },
  title: { column: 'TITLE', type: 'string', description: 'Title', sortable: true },
  description: { column: 'DESCRIPTION', type: 'string', description: 'Description' },
  creatorId: { column: 'CREATED_BY', type: 'integer', description: 'Creator identifier', sortable: true },
  created: { column: 'CREATED_DATE', type: 'datetime', description: 'Created', sortable: true },
  responsibleId: { column: 'RESPONSIBLE_ID', type: 'integer', description: 'Assignee identifier', sortable: true },
  deadline: { column: 'DEADLINE', type: 'datetime', description: 'Deadline', sortable: true },
  needsControl: { column: 'TASK_CONTROL', type: 'boolean', description: 'Task control by the creator' },
  startPlan: { column: 'START_DATE_PLAN', type: 'datetime', description: 'Planned start', sortable: true },
  endPlan: { column: 'END_DATE_PLAN', type: 'datetime', description: 'Planned end', sortable: true },
  groupId: { column: 'GROUP_ID', type: 'integer', description: 'Group/project identifier', sortable: true },
  stageId: { column: 'STAGE_ID', type: 'integer', description: 'Stage identifier' },
  flowId: { column: 'FLOW_ID', type: 'integer', description: 'Flow identifier' },
  priority: { column: 'PRIORITY', type: 'string', description: 'high, average or low', sortable: true },
  status: { column: 'STATUS', type: 'string', description: 'pending, in_progress, …', sortable: true },
  statusChanged: { column: 'STATUS_CHANGED_DATE', type: 'datetime', description: 'Status changed' },
  parentId: { column: 'PARENT_ID', type: 'integer', description: 'Parent task identifier' },
  plannedDuration: { column: 'DURATION_PLAN', type: 'integer', description: 'Planned duration' },
  actualDuration: { column: 'DURATION_FACT', type: 'integer', description: 'Actual duration' },
  durationType: { column: 'DURATION_TYPE', type: 'string', description: 'Unit of the planned duration' },
  started: { column: 'DATE_START', type: 'datetime', description: 'Started', sortable: true },
  estimatedTime: { column: 'TIME_ESTIMATE', type: 'integer', description: 'Estimate, seconds', sortable: true },
  replicate: { column: 'REPLICATE', type: 'boolean', description: 'Recurring task' },
  changed: { column: 'CHANGED_DATE', type: 'datetime', description: 'Changed', sortable: true },
  changedById: { column: 'CHANGED_BY', type: 'integer', description: 'Who changed it' },
  statusChangedById: { column: 'STATUS_CHANGED_BY', type: 'integer', description: 'Who changed the status' },
  closedById: { column: 'CLOSED_BY', type: 'integer', description: 'Who closed it' },
  closed: { column: 'CLOSED_DATE', type: 'datetime', description: 'Closed', sortable: true },
  activity: { column: 'ACTIVITY_DATE', type: 'datetime', description: 'Last activity', sortable: true },
  guid: { column: 'GUID', type: 'string', description: 'GUID' },
  xmlId: { column: 'XML_ID', type: 'string', description: 'External identifier' },
  exchangeId: { column: 'EXCHANGE_ID', type: 'string', description: 'Exchange identifier' },
  exchangeModified: { column: 'EXCHANGE_MODIFIED', type: 'datetime', description: 'Changed in Exchange' },
  outlookVersion: { column: 'OUTLOOK_VERSION', type: 'integer', description: 'Outlook sync version' },
  mark: { column: 'MARK', type: 'string', description: 'Rating', sortable: true },
  allowsChangeDeadline: {
    column: 'ALLOW_CHANGE_DEADLINE',
    type: 'boolean',
    description: 'Deadline may be changed',
    sortable: true,
  },
  allowsTimeTracking: { column: 'ALLOW_TIME_TRACKING', type: 'boolean', description: 'Time tracking', sortable: true },
  matchesWorkTime: { column: 'MATCH_WORK_TIME', type: 'boolean', description: 'Consider working hours' },
  addInReport: { column: 'ADD_IN_REPORT', type: 'boolean', description: 'Add to report' },
  isMultitask: { column: 'MULTITASK', type: 'boolean', description: 'Base task with subtasks' },
  siteId: { column: 'SITE_ID', type: 'string', description: 'Site identifier' },
  forumTopicId: { column: 'FORUM_TOPIC_ID', type: 'integer', description: 'Forum topic identifier' },
}

/** Fields `tasks.task.add` / `update` write: own fields by name, plus the participant lists (ids in, users out). */
const WRITABLE: Record<string, { column: string; type: V3FieldType }> = {
  ...Object.fromEntries(
    [
      'title',
      'description',
      'creatorId',
      'responsibleId',
      'deadline',
      'needsControl',
      'startPlan',
      'endPlan',
      'groupId',
      'stageId',
      'priority',
      'status',
      'parentId',
      'estimatedTime',
      'durationType',
      'replicate',
      'allowsChangeDeadline',
      'allowsTimeTracking',
      'matchesWorkTime',
      'addInReport',
      'xmlId',
    ].map((name) => [name, TASK_COLUMNS[name]]),
  ),
  accomplices: { column: 'ACCOMPLICES', type: 'array' },
  auditors: { column: 'AUDITORS', type: 'array' },
}
/** Written on creation only (tasks-task-update-rest-v3.md: `creatorId` has no `Editable` attribute). */
const CREATE_ONLY = new Set(['creatorId'])
const REQUIRED_ON_ADD = ['title', 'creatorId', 'responsibleId']

/** The v3 task fields, the related objects and the five methods. */
export function taskV3Methods(
  store: TaskStore,
  dir: DirectoryStore,
  groups: GroupStore,
  v2: (name: string) => MethodDefinition,
): Record<string, V3MethodDefinition> {
  const { env } = store
  const table = store.tasks

  const userItem = (id: unknown): V3Item | null => {
    if (typeof id !== 'number' || !dir.users.has(id)) return null
    const name = `${dir.users.value(id, 'NAME') ?? ''} ${dir.users.value(id, 'LAST_NAME') ?? ''}`.trim()
    return {
      id,
      name,
      image: null,
      gender: (dir.users.value(id, 'PERSONAL_GENDER') as string) || null,
      email: (dir.users.value(id, 'EMAIL') as string) || null,
      externalAuthId: null,
    }
  }
  const groupItem = (id: unknown): V3Item | null => {
    if (typeof id !== 'number' || !groups.groups.has(id)) return null
    return {
      id,
      name: groups.groups.value(id, 'NAME'),
      image: null,
      type: 'group',
      isVisible: groups.groups.value(id, 'VISIBLE') !== 'N',
    }
  }
  const users = (ids: unknown): V3Item[] =>
    (Array.isArray(ids) ? ids : []).map(userItem).filter((u): u is V3Item => u !== null)

  const fields: V3Field[] = Object.entries(TASK_COLUMNS).map(([name, c]) => ({
    name,
    type: c.type,
    description: c.description,
    filterable: name === 'id',
    sortable: c.sortable === true,
    editable: name in WRITABLE && !CREATE_ONLY.has(name),
  }))
  const userRelation = (key: string, description: string) => ({
    dto: USER_DTO,
    description,
    resolve: (item: V3Item) => userItem(item[key]),
  })
  const taskDto: V3Dto = { name: 'TaskDto', fields }
  const relations = {
    creator: userRelation('creatorId', 'Creator'),
    responsible: userRelation('responsibleId', 'Assignee'),
    changedBy: userRelation('changedById', 'Who changed it'),
    statusChangedBy: userRelation('statusChangedById', 'Who changed the status'),
    closedBy: userRelation('closedById', 'Who closed it'),
    group: { dto: GROUP_DTO, description: 'Group/project', resolve: (item: V3Item) => groupItem(item.groupId) },
    parent: {
      dto: taskDto,
      description: 'Parent task',
      resolve: (item: V3Item) =>
        typeof item.parentId === 'number' && table.has(item.parentId) ? taskItem(item.parentId) : null,
    },
    accomplices: {
      dto: USER_DTO,
      description: 'Participants',
      resolve: (item: V3Item) => users(table.value(item.id as number, 'ACCOMPLICES')),
    },
    auditors: {
      dto: USER_DTO,
      description: 'Observers',
      resolve: (item: V3Item) => users(table.value(item.id as number, 'AUDITORS')),
    },
  }
  taskDto.relations = relations

  /** Every own field of a task, in the v3 shape. */
  function taskItem(id: number): V3Item {
    const item = partialItem(id, Object.keys(TASK_COLUMNS))
    item.link = `/company/personal/user/${String(item.responsibleId)}/tasks/task/view/${id}/`
    return item
  }
  /** Only `names` of a task: what a list filters and sorts on before it builds the rows of its page. */
  function partialItem(id: number, names: Iterable<string>): V3Item {
    const item: V3Item = {}
    for (const name of names) {
      const { column, type } = TASK_COLUMNS[name]
      item[name] = wireValue(name, type, table.value(id, column))
    }
    return item
  }
  const wireValue = (name: string, type: V3FieldType, raw: unknown): unknown => {
    if (name === 'status') return STATUS_NAMES[raw as number] ?? null
    if (name === 'priority') return PRIORITY_NAMES[raw as number] ?? 'average'
    if (name === 'mark') return raw ?? 'none'
    if (raw === null || raw === undefined) return name === 'description' ? '' : null
    if (name === 'groupId' && raw === 0) return null
    switch (type) {
      case 'datetime':
        return typeof raw === 'number' ? formatIso(raw, env.tz) : null
      case 'boolean':
        return raw === 'Y' || raw === true
      case 'integer':
        return typeof raw === 'number' ? raw : Number(raw)
      default:
        return raw
    }
  }
  const allItems = (names: Iterable<string>): V3Item[] => {
    const items: V3Item[] = []
    const wanted = [...names]
    table.forEachId(1, table.maxId, false, (id) => {
      items.push(partialItem(id, wanted))
      return undefined
    })
    return items
  }

  /** Checks `fields` and turns them into the v2 `fields` of tasks.task.add / update. */
  const v2Fields = (raw: unknown, creating: boolean, id?: number): Params => {
    if (!isRecord(raw))
      throw validationError([raw === undefined ? requiredField('fields') : wrongType('fields', 'array')])
    const problems: ValidationEntry[] = []
    if (creating) for (const name of REQUIRED_ON_ADD) if (raw[name] === undefined) problems.push(requiredField(name))
    const out: Params = {}
    for (const [name, value] of Object.entries(raw)) {
      const spec = WRITABLE[name]
      if (!spec) continue
      if (!creating && CREATE_ONLY.has(name)) {
        problems.push({
          field: name,
          message: `In DTO \`TaskDto\`, the field \`${name}\` requires the presence of the \`Editable\` attribute for such a request`,
        })
        continue
      }
      const fits =
        value === null ||
        (spec.type === 'array'
          ? Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v))
          : fitsType(value, spec.type))
      if (!fits) {
        problems.push(
          wrongType(name, spec.type === 'integer' ? 'int' : spec.type === 'datetime' ? 'DateTime' : spec.type),
        )
        continue
      }
      if (name === 'status') {
        const code = codeOf(STATUS_NAMES, value)
        if (code === undefined) problems.push({ field: name, message: 'Incorrect status' })
        out[spec.column] = code
      } else if (name === 'priority') {
        const code = codeOf(PRIORITY_NAMES, value)
        if (code === undefined) problems.push({ field: name, message: 'Incorrect priority' })
        out[spec.column] = code
      } else if (spec.type === 'boolean') out[spec.column] = value ? 'Y' : 'N'
      else out[spec.column] = value
    }
    const responsible = raw.responsibleId
    if (typeof responsible === 'number' && !dir.users.has(responsible)) {
      problems.push({ field: 'responsibleId', message: 'User specified in the "Executor" field not found' })
    }
    if (creating && typeof raw.creatorId === 'number' && !dir.users.has(raw.creatorId)) {
      problems.push({ field: 'creatorId', message: 'User specified in the "Creator" field not found' })
    }
    if (typeof raw.parentId === 'number') {
      if (raw.parentId === id) problems.push({ field: 'parentId', message: 'Cannot bind a node to itself' })
      else if (!table.has(raw.parentId)) {
        problems.push({ field: 'parentId', message: 'Task specified in the "Parent Task" field not found' })
      }
    }
    const stored = (column: string): unknown => (id === undefined ? null : table.value(id, column))
    const start = parseDate(raw.startPlan ?? stored('START_DATE_PLAN'), env.tz)
    const end = parseDate(raw.endPlan ?? stored('END_DATE_PLAN'), env.tz)
    if ((raw.startPlan !== undefined || raw.endPlan !== undefined) && start !== null && end !== null && end < start) {
      problems.push({
        field: 'endPlan',
        message: 'The end date specified in the planning is earlier than the start date',
      })
    }
    assertValid(problems)
    return out
  }

  /** Runs a v2 write; a residual v2 error (its text ends in `<br>`) becomes a v3 validation error. */
  const runV2 = (name: string, params: Params, ctx: CallContext) => {
    try {
      return v2(name).handler(params, ctx)
    } catch (error) {
      const text = error instanceof Error && 'description' in error ? String(error.description) : 'Error'
      throw validationError([{ field: 'fields', message: text.replace(/<br>$/, '') }])
    }
  }

  const defaultSelect = fields.map((f) => f.name)
  const filterable = fields.filter((f) => f.filterable).map((f) => f.name)
  const def = (d: Omit<V3MethodDefinition, 'scope'>): V3MethodDefinition => ({ scope: 'task', ...d })
  const item = { kind: 'item', dto: taskDto } as const

  return {
    ...fieldMethods('tasks.task', taskDto, 'task', env.costs),
    'tasks.task.get': def({
      write: false,
      summary: 'Task by identifier; related objects through `select` with a dot',
      params: { id: ID_PARAM, select: SELECT_PARAM },
      result: item,
      handler: (params, ctx) => {
        const id = requireId(params)
        const selection = parseSelect(params.select, taskDto, defaultSelect)
        ctx.cost(env.costs.base + env.costs.perRow)
        if (!table.has(id)) throw entityNotFound(id)
        return { result: { item: project(taskItem(id), selection, taskDto) } }
      },
    }),
    'tasks.task.list': def({
      write: false,
      summary: 'Tasks matching `filter`, a page at a time',
      params: { select: SELECT_PARAM, filter: FILTER_PARAM, order: ORDER_PARAM, pagination: PAGINATION_PARAM },
      result: { kind: 'items', dto: taskDto },
      handler: (params, ctx) => {
        const selection = parseSelect(params.select, taskDto, ['id'])
        const matches = parseFilter(params.filter, taskDto)
        const idField = fields[0]
        const order = parseOrder(params.order, taskDto, [{ field: idField, desc: false }])
        const { offset, limit } = parsePagination(params.pagination)
        // Filter and sort on the filterable and order fields only, then build the page's rows in full.
        const keys = allItems(new Set([...filterable, ...order.map((key) => key.field.name)]))
        const page = keys
          .filter(matches)
          .sort(compareItems(order))
          .slice(offset, offset + limit)
        ctx.cost(env.costs.base + env.costs.perRow * page.length + (env.costs.countPerThousandRows * table.size) / 1000)
        return { result: { items: page.map((key) => project(taskItem(key.id as number), selection, taskDto)) } }
      },
    }),
    'tasks.task.add': def({
      write: true,
      summary: 'Creates a task; `fields.title`, `creatorId` and `responsibleId` are required',
      params: { fields: { type: 'object', description: 'Task fields', required: true } },
      result: item,
      handler: (params, ctx) => {
        const fieldsIn = v2Fields(params.fields, true)
        const added = runV2('tasks.task.add', { fields: fieldsIn }, ctx).result as { task: { id: string } }
        return { result: { item: taskItem(Number(added.task.id)) } }
      },
    }),
    'tasks.task.update': def({
      write: true,
      summary: 'Changes the fields of a task',
      params: { id: ID_PARAM, fields: { type: 'object', description: 'Fields to change', required: true } },
      result: { kind: 'result' },
      handler: (params, ctx) => {
        const id = requireId(params)
        const fieldsIn = v2Fields(params.fields, false, id)
        if (!table.has(id)) throw accessDenied()
        if (Object.keys(fieldsIn).length > 0) runV2('tasks.task.update', { taskId: id, fields: fieldsIn }, ctx)
        else ctx.cost(env.costs.base)
        return { result: { result: true } }
      },
    }),
    'tasks.task.delete': def({
      write: true,
      summary: 'Deletes a task',
      params: { id: ID_PARAM },
      result: { kind: 'result' },
      handler: (params, ctx) => {
        const id = requireId(params)
        if (!table.has(id)) throw accessDenied()
        runV2('tasks.task.delete', { taskId: id }, ctx)
        return { result: { result: true } }
      },
    }),
  }
}
