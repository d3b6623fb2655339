/**
 * Workgroups: legacy `sonet_group.get|create` (UPPER_CASE, string values) and the D7 controllers
 * `socialnetwork.api.workgroup.list|get`.
 */

import { type MethodDefinition, type MethodResult, type Params, RestError } from '../kernel.js'
import type { SeedContext } from './crm-seed.js'
import { type PortalEnv, queryPage } from './env.js'
import { GROUP_NAMES } from './names.js'
import { type OrderKey, parseFilter, type ValueKind } from './query.js'
import { type Row, Table } from './table.js'
import {
  formatIso,
  formatSite,
  intval,
  isRecord,
  pickParam,
  positiveId,
  readStart,
  SeededRandom,
  toFlag,
  toList,
  upperToCamel,
} from './util.js'

const GROUP_FIELDS = [
  'ID',
  'SITE_ID',
  'NAME',
  'DESCRIPTION',
  'DATE_CREATE',
  'DATE_UPDATE',
  'ACTIVE',
  'VISIBLE',
  'OPENED',
  'CLOSED',
  'SUBJECT_ID',
  'OWNER_ID',
  'KEYWORDS',
  'NUMBER_OF_MEMBERS',
  'DATE_ACTIVITY',
  'SUBJECT_NAME',
  'PROJECT',
  'IS_EXTRANET',
  'NUMBER_OF_MODERATORS',
  'INITIATE_PERMS',
  'PROJECT_DATE_START',
  'PROJECT_DATE_FINISH',
  'IMAGE_ID',
  'AVATAR_TYPE',
  'LANDING',
  'MEMBERS',
  'MODERATOR_MEMBERS',
]

/** Columns of `sonet_group.get` rows. */
const LEGACY_OUTPUT = GROUP_FIELDS.slice(0, 18)
const NUMERIC = new Set(['ID', 'SUBJECT_ID', 'OWNER_ID', 'NUMBER_OF_MEMBERS', 'NUMBER_OF_MODERATORS', 'IMAGE_ID'])
const DATES = new Set(['DATE_CREATE', 'DATE_UPDATE', 'DATE_ACTIVITY', 'PROJECT_DATE_START', 'PROJECT_DATE_FINISH'])
const FLAGS = new Set(['ACTIVE', 'VISIBLE', 'OPENED', 'CLOSED', 'PROJECT', 'IS_EXTRANET', 'LANDING'])
const LIST_SELECTABLE = new Set([
  'ID',
  'ACTIVE',
  'SUBJECT_ID',
  'NAME',
  'DESCRIPTION',
  'KEYWORDS',
  'CLOSED',
  'VISIBLE',
  'OPENED',
  'PROJECT',
  'LANDING',
  'DATE_CREATE',
  'DATE_UPDATE',
  'DATE_ACTIVITY',
  'IMAGE_ID',
  'AVATAR_TYPE',
  'OWNER_ID',
  'NUMBER_OF_MEMBERS',
  'NUMBER_OF_MODERATORS',
  'INITIATE_PERMS',
  'SITE_ID',
  'TYPE',
  'AVATAR',
])

function groupKind(field: string): ValueKind {
  if (NUMERIC.has(field)) return 'number'
  if (DATES.has(field)) return 'date'
  if (FLAGS.has(field)) return 'flag'
  if (field === 'MEMBERS' || field === 'MODERATOR_MEMBERS') return 'numbers'
  return 'string'
}

function groupGenerator(ctx: SeedContext): (id: number, field: string) => unknown {
  const r = new SeededRandom(ctx.seed, 20)
  const users = Math.max(1, ctx.counts.users)
  const span = 2 * 365 * 86400
  const created = (id: number): number =>
    Math.floor(ctx.anchor - span + (span * (id - 1 + r.unit(id, 1))) / Math.max(1, ctx.counts.groups))
  const owner = (id: number): number => (id === 1 ? 1 : 1 + r.int(id, 2, users))
  const members = (id: number): number[] => {
    const set = new Set([owner(id)])
    const extra = r.int(id, 3, 5)
    for (let i = 0; i < extra; i++) set.add(1 + r.int(id, 10 + i, users))
    return [...set].sort((a, b) => a - b)
  }
  return (id, field) => {
    switch (field) {
      case 'ID':
        return id
      case 'SITE_ID':
        return 's1'
      case 'NAME': {
        const round = Math.floor((id - 1) / GROUP_NAMES.length)
        return GROUP_NAMES[(id - 1) % GROUP_NAMES.length] + (round > 0 ? ` ${round + 1}` : '')
      }
      case 'DESCRIPTION':
        return r.chance(id, 4, 0.5) ? 'Working group for coordinating tasks and documents.' : null
      case 'DATE_CREATE':
        return created(id)
      case 'DATE_UPDATE':
      case 'DATE_ACTIVITY':
        return Math.min(ctx.anchor, created(id) + r.int(id, 5, 90 * 86400))
      case 'ACTIVE':
      case 'VISIBLE':
        return 'Y'
      case 'OPENED':
        return r.chance(id, 6, 0.4) ? 'Y' : 'N'
      case 'CLOSED':
      case 'IS_EXTRANET':
      case 'LANDING':
        return 'N'
      case 'SUBJECT_ID':
        return 1
      case 'SUBJECT_NAME':
        return 'Workgroups'
      case 'OWNER_ID':
        return owner(id)
      case 'KEYWORDS':
        return null
      case 'NUMBER_OF_MEMBERS':
        return members(id).length
      case 'NUMBER_OF_MODERATORS':
        return 1
      case 'PROJECT':
        return id % 3 === 0 ? 'Y' : 'N'
      case 'INITIATE_PERMS':
        return 'K'
      case 'IMAGE_ID':
        return 0
      case 'AVATAR_TYPE':
        return 'folder'
      case 'MEMBERS':
        return members(id)
      case 'MODERATOR_MEMBERS':
        return []
      default:
        return null
    }
  }
}

export class GroupStore {
  readonly groups: Table
  constructor(
    readonly env: PortalEnv,
    seed: SeedContext,
  ) {
    this.groups = new Table(seed.counts.groups, groupGenerator(seed), GROUP_FIELDS)
  }
}

function legacyValue(field: string, v: unknown, tz: number): unknown {
  if (v === null || v === undefined) return null
  if (DATES.has(field)) return formatIso(Number(v), tz)
  if (Array.isArray(v)) return v.map(String)
  return String(v)
}

export function sonetMethods(store: GroupStore): Record<string, MethodDefinition> {
  const { env } = store
  const { costs } = env
  const table = store.groups
  const resolve = (name: string): string | null => {
    const f = name.toUpperCase()
    return GROUP_FIELDS.includes(f) ? f : null
  }
  const orderOf = (raw: unknown, fallback: OrderKey[]): OrderKey[] => {
    if (!isRecord(raw)) return fallback
    const keys: OrderKey[] = []
    for (const [k, d] of Object.entries(raw)) {
      const field = resolve(k)
      if (field) keys.push({ field, desc: String(d).toUpperCase() === 'DESC' })
    }
    return keys.length > 0 ? keys : fallback
  }
  const typeOf = (id: number): string => (table.value(id, 'PROJECT') === 'Y' ? 'project' : 'group')

  return {
    'sonet_group.get': {
      scope: 'sonet_group',
      handler: (params, ctx) => {
        const filterRaw = pickParam(params, 'FILTER', 'filter')
        const filter = parseFilter(isRecord(filterRaw) ? filterRaw : {}, { resolve })
        const groupId = pickParam(params, 'GROUP_ID', 'group_id')
        if (groupId !== undefined) filter.items.push({ field: 'ID', op: '=', value: intval(groupId) })
        const page = queryPage(env, ctx, {
          table,
          kindOf: groupKind,
          filter,
          order: orderOf(pickParam(params, 'ORDER', 'order'), [{ field: 'ID', desc: true }]),
          start: readStart(params),
          paging: 'legacy',
        })
        const rows = page.ids.map((id) => {
          const out: Row = {}
          for (const f of LEGACY_OUTPUT) out[f] = legacyValue(f, table.value(id, f), env.tz)
          return out
        })
        return { result: rows, ...page.meta }
      },
    },

    'sonet_group.create': {
      scope: 'sonet_group',
      handler: (params, ctx) => {
        ctx.cost(costs.base + costs.perRow * 10)
        const fields: Params = isRecord(params.arFields) ? params.arFields : params
        const name = pickParam(fields, 'NAME')
        if (typeof name !== 'string' || name.trim() === '') throw new RestError('', 'Incorrect input data', 400)
        const now = Math.floor(ctx.now())
        const owner = positiveId(pickParam(fields, 'OWNER_ID')) ?? ctx.userId
        const flag = (key: string, fallback: 'Y' | 'N'): 'Y' | 'N' =>
          fields[key] === undefined ? fallback : toFlag(fields[key])
        const row: Row = {
          SITE_ID: String(toList(pickParam(fields, 'SITE_ID'))[0] ?? 's1'),
          NAME: name,
          DESCRIPTION: fields.DESCRIPTION === undefined ? null : String(fields.DESCRIPTION),
          DATE_CREATE: now,
          DATE_UPDATE: now,
          DATE_ACTIVITY: now,
          ACTIVE: 'Y',
          VISIBLE: flag('VISIBLE', 'Y'),
          OPENED: flag('OPENED', 'N'),
          CLOSED: flag('CLOSED', 'N'),
          SUBJECT_ID: positiveId(fields.SUBJECT_ID) ?? 1,
          SUBJECT_NAME: 'Workgroups',
          OWNER_ID: owner,
          KEYWORDS: fields.KEYWORDS === undefined ? null : String(fields.KEYWORDS),
          NUMBER_OF_MEMBERS: 1,
          NUMBER_OF_MODERATORS: 1,
          INITIATE_PERMS: typeof fields.INITIATE_PERMS === 'string' ? fields.INITIATE_PERMS : 'K',
          PROJECT: flag('PROJECT', 'N'),
          PROJECT_DATE_START: null,
          PROJECT_DATE_FINISH: null,
          IS_EXTRANET: 'N',
          IMAGE_ID: 0,
          AVATAR_TYPE: 'folder',
          LANDING: 'N',
          MEMBERS: [owner],
          MODERATOR_MEMBERS: [],
        }
        return { result: table.insert(row) }
      },
    },

    'socialnetwork.api.workgroup.list': {
      scope: 'socialnetwork',
      handler: (params, ctx) => {
        const filterRaw = pickParam(params, 'filter', 'FILTER')
        const filter = parseFilter(isRecord(filterRaw) ? filterRaw : {}, { resolve })
        const options = isRecord(params.params) ? params.params : {}
        const select = toList(pickParam(params, 'select', 'SELECT'))
          .map((x) => String(x).toUpperCase())
          .filter((f) => LIST_SELECTABLE.has(f))
        if (!select.includes('ID')) select.unshift('ID')
        const start = readStart(params)
        const page = queryPage(env, ctx, {
          table,
          kindOf: groupKind,
          filter,
          order: orderOf(pickParam(params, 'order', 'ORDER'), []),
          start,
          paging: 'orm',
        })
        const workgroups = page.ids.map((id) => {
          const out: Row = {}
          for (const f of select) {
            if (f === 'TYPE') out.type = typeOf(id)
            else if (f === 'AVATAR') {
              out.imageId = String(table.value(id, 'IMAGE_ID') ?? 0)
              out.avatarType = table.value(id, 'AVATAR_TYPE') ?? null
              out.avatar = ''
            } else out[upperToCamel(f)] = legacyValue(f, table.value(id, f), env.tz)
          }
          if (options.mode === 'mobile') out.additionalData = { role: '', initiatedByType: '' }
          if (toFlag(options.shouldSelectDialogId) === 'Y') out.dialogId = `chat${1000 + id}`
          return out
        })
        const result: MethodResult = { result: { workgroups } }
        if (start >= 0) {
          result.total = page.meta.total
          if (page.meta.next !== undefined) result.next = page.meta.next
        }
        return result
      },
    },

    'socialnetwork.api.workgroup.get': {
      scope: 'socialnetwork',
      handler: (params, ctx) => {
        ctx.cost(costs.base + costs.perRow)
        const options = isRecord(params.params) ? params.params : {}
        const raw = options.groupId ?? params.groupId
        if (raw === undefined || raw === null || raw === '') {
          throw new RestError('SONET_CONTROLLER_WORKGROUP_EMPTY', 'No value for the workgroup ID was provided.', 400)
        }
        const id = positiveId(raw)
        if (id === null || !table.has(id)) {
          throw new RestError('SONET_CONTROLLER_WORKGROUP_NOT_FOUND', 'Workgroup not found.', 400)
        }
        const v = (f: string): unknown => table.value(id, f)
        const date = (f: string): string | null => {
          const ts = v(f)
          return typeof ts === 'number' ? formatSite(ts, env.tz) : null
        }
        const members = (v('MEMBERS') ?? []) as number[]
        const moderators = (v('MODERATOR_MEMBERS') ?? []) as number[]
        const owner = Number(v('OWNER_ID'))
        const keywords = typeof v('KEYWORDS') === 'string' ? String(v('KEYWORDS')) : ''
        return {
          result: {
            ID: id,
            ACTIVE: v('ACTIVE'),
            SITE_ID: v('SITE_ID'),
            SUBJECT_ID: v('SUBJECT_ID'),
            NAME: v('NAME'),
            DESCRIPTION: v('DESCRIPTION') ?? '',
            KEYWORDS: keywords,
            CLOSED: v('CLOSED'),
            VISIBLE: v('VISIBLE'),
            OPENED: v('OPENED'),
            DATE_CREATE: date('DATE_CREATE'),
            DATE_UPDATE: date('DATE_UPDATE'),
            DATE_ACTIVITY: date('DATE_ACTIVITY'),
            IMAGE_ID: v('IMAGE_ID') ?? 0,
            AVATAR_TYPE: v('AVATAR_TYPE'),
            OWNER_ID: owner,
            INITIATE_PERMS: v('INITIATE_PERMS'),
            NUMBER_OF_MEMBERS: members.length,
            NUMBER_OF_MODERATORS: v('NUMBER_OF_MODERATORS'),
            PROJECT: v('PROJECT'),
            PROJECT_DATE_START: date('PROJECT_DATE_START'),
            PROJECT_DATE_FINISH: date('PROJECT_DATE_FINISH'),
            SEARCH_INDEX: [v('NAME'), v('DESCRIPTION'), keywords].filter(Boolean).join(' '),
            LANDING: v('LANDING'),
            SCRUM_OWNER_ID: 0,
            SCRUM_SPRINT_DURATION: 0,
            SCRUM_TASK_RESPONSIBLE: '',
            TYPE: typeOf(id),
            MEMBERS: members,
            CHAT_ID: 1000 + id,
            DIALOG_ID: `chat${1000 + id}`,
            ORDINARY_MEMBERS: members.filter((m) => m !== owner && !moderators.includes(m)),
            INVITED_MEMBERS: [],
            MODERATOR_MEMBERS: moderators,
            SITE_IDS: [v('SITE_ID')],
            TAGS: keywords
              .split(',')
              .map((t) => t.trim())
              .filter((t) => t !== ''),
            DEPARTMENTS: [],
            NUMBER_OF_MEMBERS_PLURAL: 0,
          },
        }
      },
    },
  }
}
