/**
 * The portal's event log and `main.eventlog.list|get|tail` (api-reference/event-log/, REST 3.0 only; scope
 * `main`, administrators only). The log is seeded deterministically — sign-ins, sign-outs and password
 * changes of the seeded users over the week before the seed anchor — and kept in memory.
 */
import type { CallContext } from '../../kernel.js'
import type { PortalEnv } from '../env.js'
import type { DirectoryStore } from '../users.js'
import { formatIso, SeededRandom } from '../util.js'
import {
  FILTER_PARAM,
  ID_PARAM,
  ORDER_PARAM,
  PAGINATION_PARAM,
  SELECT_PARAM,
  type V3MethodDefinition,
} from './definition.js'
import { accessDenied, entityNotFound } from './errors.js'
import { fieldMethods } from './fields.js'
import {
  compareItems,
  parseCursor,
  parseFilter,
  parseOrder,
  parsePagination,
  parseSelect,
  project,
  requireId,
  tail,
  type V3Dto,
  type V3FieldType,
  type V3Item,
} from './query.js'

const FIELDS: [string, V3FieldType, string][] = [
  ['id', 'integer', 'Log entry identifier'],
  ['timestampX', 'datetime', 'Date and time of the event'],
  ['severity', 'string', 'Importance level of the event'],
  ['auditTypeId', 'string', 'Type of event'],
  ['moduleId', 'string', 'Module identifier'],
  ['itemId', 'string', 'Object identifier'],
  ['remoteAddr', 'string', 'IP address'],
  ['userAgent', 'string', 'Request User-Agent'],
  ['requestUri', 'string', 'Request URI'],
  ['siteId', 'string', 'Site identifier'],
  ['userId', 'integer', 'User identifier'],
  ['guestId', 'integer', 'Guest identifier'],
  ['description', 'string', 'Event description'],
]

/** main-eventlog-list.md: every field may be selected, filtered and sorted on. */
export const EVENT_LOG_DTO: V3Dto = {
  name: 'EventLogDto',
  fields: FIELDS.map(([name, type, description]) => ({ name, type, description, filterable: true, sortable: true })),
}

/** Entries per seeded user. */
const ENTRIES_PER_USER = 6
const EVENTS: readonly [string, string][] = [
  ['USER_AUTHORIZE', 'SECURITY'],
  ['USER_AUTHORIZE', 'SECURITY'],
  ['USER_AUTHORIZE', 'SECURITY'],
  ['USER_LOGOUT', 'INFO'],
  ['USER_PASSWORD_CHANGED', 'SECURITY'],
  ['USER_LOGIN', 'WARNING'],
]

/** The event log's entries, oldest first. */
export class EventLogStore {
  readonly entries: V3Item[] = []

  constructor(env: PortalEnv) {
    const r = new SeededRandom(env.randomSeed, 71)
    const total = Math.max(1, env.counts.users) * ENTRIES_PER_USER
    const week = 7 * 86400
    for (let id = 1; id <= total; id++) {
      const userId = 1 + r.int(id, 1, Math.max(1, env.counts.users))
      const [auditTypeId, severity] = r.pick(id, 2, EVENTS)
      const at = Math.floor(env.anchor - week + (week * id) / (total + 1))
      this.entries.push({
        id,
        timestampX: formatIso(at, env.tz),
        severity,
        auditTypeId,
        moduleId: 'main',
        itemId: String(userId),
        remoteAddr: `10.0.${r.int(id, 3, 256)}.${1 + r.int(id, 4, 254)}`,
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
        requestUri: auditTypeId === 'USER_LOGOUT' ? '/?logout=yes' : '/auth/',
        siteId: 's1',
        userId,
        guestId: 0,
        description: JSON.stringify({ userId, method: r.chance(id, 5, 0.5) ? 'password' : 'external' }),
      })
    }
  }
}

export function eventLogV3Methods(
  store: EventLogStore,
  dir: DirectoryStore,
  env: PortalEnv,
): Record<string, V3MethodDefinition> {
  const dto = EVENT_LOG_DTO
  const all = dto.fields.map((f) => f.name)
  /** main-eventlog-*.md: "Who can execute the method: administrator". */
  const admitted = (ctx: CallContext, rows: number): void => {
    if (!dir.isAdmin(ctx.userId)) throw accessDenied()
    ctx.cost(env.costs.base + env.costs.perRow * rows)
  }
  const def = (d: Omit<V3MethodDefinition, 'scope' | 'write'>): V3MethodDefinition => ({
    scope: 'main',
    write: false,
    ...d,
  })
  return {
    ...fieldMethods('main.eventlog', dto, 'main', env.costs),
    'main.eventlog.get': def({
      summary: 'One event log entry',
      params: { id: ID_PARAM, select: SELECT_PARAM },
      result: { kind: 'item', dto },
      handler: (params, ctx) => {
        const id = requireId(params)
        const selection = parseSelect(params.select, dto, all)
        admitted(ctx, 1)
        const entry = store.entries.find((e) => e.id === id)
        if (!entry) throw entityNotFound(id, 'Entry')
        return { result: { item: project(entry, selection, dto) } }
      },
    }),
    'main.eventlog.list': def({
      summary: 'Event log entries matching `filter`, a page at a time',
      params: { select: SELECT_PARAM, filter: FILTER_PARAM, order: ORDER_PARAM, pagination: PAGINATION_PARAM },
      result: { kind: 'items', dto },
      handler: (params, ctx) => {
        const selection = parseSelect(params.select, dto, all)
        const matches = parseFilter(params.filter, dto)
        const order = parseOrder(params.order, dto, [{ field: dto.fields[0], desc: false }])
        const { offset, limit } = parsePagination(params.pagination)
        const rows = store.entries
          .filter(matches)
          .sort(compareItems(order))
          .slice(offset, offset + limit)
        admitted(ctx, rows.length)
        return { result: { items: rows.map((row) => project(row, selection, dto)) } }
      },
    }),
    'main.eventlog.tail': def({
      summary: 'Entries after the `cursor` value, in cursor order',
      params: {
        select: SELECT_PARAM,
        filter: FILTER_PARAM,
        cursor: { type: 'object', description: '`{ field, order, value, limit }`; default id, ASC, 0, 50' },
      },
      result: { kind: 'items', dto },
      handler: (params, ctx) => {
        const selection = parseSelect(params.select, dto, all)
        const cursor = parseCursor(params.cursor, dto)
        const matches = parseFilter(params.filter, dto, cursor.field.name)
        const rows = tail(store.entries.filter(matches), cursor)
        admitted(ctx, rows.length)
        return { result: { items: rows.map((row) => project(row, selection, dto)) } }
      },
    }),
  }
}
