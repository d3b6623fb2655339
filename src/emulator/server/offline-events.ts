/**
 * Offline events: the queue a portal keeps for `event.bind` handlers with `event_type=offline`, and
 * `event.offline.get` / `.clear` / `.error` / `.list` over it, as the portal's own code (rest/lib/api/event.php,
 * rest/lib/eventoffline.php) runs them:
 *
 * - one row per (application, connector, `MESSAGE_ID`, `PROCESS_ID`); `MESSAGE_ID` is md5 of
 *   `EVENT_NAME|json(EVENT_DATA)`, so a repeated change of an object updates its waiting row (its time and data);
 * - `get` without `process_id` reserves up to `limit` waiting rows under a new random 32-character process ID
 *   and returns them; with `clear=1` (default) they are deleted at once, with `clear=0` they stay reserved —
 *   hidden from every other `get` — until `clear` or `error` names the process;
 * - `get` with `process_id` reserves nothing new: it returns that process's rows again (the way back to a batch
 *   a process took and did not finish);
 * - `error` moves the named rows of the process back to the queue marked `ERROR=1` (only `get` with `error=1`
 *   returns them) and drops the same message's rows of other processes and its waiting row;
 * - reserved rows older than 30 days are deleted (the portal's cleanup agent).
 */
import { createHash } from 'node:crypto'
import { type CostModel, type MethodDefinition, type MethodResult, type Params, RestError } from '../kernel.js'
import { formatIso, isRecord, PAGE_SIZE, parseDate, readStart } from '../methods/util.js'
import { callerOf } from './calls.js'
import type { EmulatorClock } from './clock.js'
import { getParamIgnoreCase } from './params.js'

/** The portal's `PROCESS_ID_LIFETIME`: reserved rows are deleted 30 days after their last change. */
export const PROCESS_ID_LIFETIME = 2_952_000

/** One row of the queue (`b_rest_event_offline`). */
interface OfflineRow {
  id: number
  /** Emulator Unix seconds of the last change. */
  timestamp: number
  messageId: string
  clientId: string
  connector: string
  event: string
  data: unknown
  userId: number
  processId: string
  error: 0 | 1
}

type RowField = 'ID' | 'TIMESTAMP_X' | 'EVENT_NAME' | 'MESSAGE_ID' | 'PROCESS_ID' | 'ERROR'

const GET_FIELDS: readonly RowField[] = ['ID', 'TIMESTAMP_X', 'EVENT_NAME', 'MESSAGE_ID']
const LIST_FIELDS: readonly RowField[] = [...GET_FIELDS, 'PROCESS_ID', 'ERROR']

function fieldValue(row: OfflineRow, field: RowField): number | string {
  switch (field) {
    case 'ID':
      return row.id
    case 'TIMESTAMP_X':
      return row.timestamp
    case 'EVENT_NAME':
      return row.event
    case 'MESSAGE_ID':
      return row.messageId
    case 'PROCESS_ID':
      return row.processId
    case 'ERROR':
      return row.error
  }
}

/** The offline queue of one portal, every application's rows. */
export class OfflineEventQueue {
  private rows: OfflineRow[] = []
  private nextId = 1

  constructor(
    /** Most rows kept; a change past it is dropped (and counted by the caller). */
    private readonly limit = 100_000,
  ) {}

  /** Queues (or refreshes) the row of one change for one application; false when the queue is full. */
  push(entry: {
    clientId: string
    connector: string
    event: string
    data: unknown
    userId: number
    now: number
  }): boolean {
    const messageId = createHash('md5')
      .update(`${entry.event}|${JSON.stringify(entry.data)}`)
      .digest('hex')
    const waiting = this.rows.find(
      (r) =>
        r.messageId === messageId &&
        r.clientId === entry.clientId &&
        r.connector === entry.connector &&
        r.processId === '',
    )
    if (waiting) {
      waiting.timestamp = entry.now
      waiting.data = entry.data
      waiting.userId = entry.userId
      return true
    }
    if (this.rows.length >= this.limit) return false
    this.rows.push({ id: this.nextId++, timestamp: entry.now, messageId, ...entry, processId: '', error: 0 })
    return true
  }

  /** Rows of one application and connector, after the 30-day cleanup. */
  scope(clientId: string, connector: string, now: number): OfflineRow[] {
    this.rows = this.rows.filter((r) => r.processId === '' || r.timestamp >= now - PROCESS_ID_LIFETIME)
    return this.rows.filter((r) => r.clientId === clientId && r.connector === connector)
  }

  /** Every row of one application (all connectors, waiting or reserved). */
  scopeAll(clientId: string): OfflineRow[] {
    return this.rows.filter((r) => r.clientId === clientId)
  }

  remove(rows: readonly OfflineRow[]): void {
    const gone = new Set(rows)
    this.rows = this.rows.filter((r) => !gone.has(r))
  }

  /** How many rows wait or are reserved (every application). */
  get size(): number {
    return this.rows.length
  }
}

/** What the `event.offline.*` methods need: the queue and the portal clock. */
export interface OfflineEventsEnv {
  offline: OfflineEventQueue
  clock: EmulatorClock
  costs: CostModel
  /** A new 32-character process ID (reproducible under `randomSeed`). */
  newProcessId(): string
}

const ADMIN_USER_ID = 1

function argument(message: string, name: string): RestError {
  return new RestError('ERROR_ARGUMENT', message, 400, { argument: name })
}

/** The portal's `sanitizeFilter`: `[op]FIELD` keys on the allowed fields; anything else is refused. */
function compileFilter(filter: unknown, fields: readonly RowField[], tz: number): (row: OfflineRow) => boolean {
  if (filter === undefined || filter === '' || (Array.isArray(filter) && filter.length === 0)) return () => true
  if (!isRecord(filter)) throw argument('Filter must be an array', 'filter')
  const tests: Array<(row: OfflineRow) => boolean> = []
  for (const [key, raw] of Object.entries(filter)) {
    const match = /^(=|!=|!|>=|<=|>|<)?([A-Z_]+)$/i.exec(key)
    const field = match?.[2]?.toUpperCase() as RowField | undefined
    if (!match || !field || !fields.includes(field)) throw argument(`Filter field '${key}' is not allowed`, 'filter')
    if (isRecord(raw) || Array.isArray(raw)) throw argument(`Filter value of '${key}' must be a scalar`, 'filter')
    const op = match[1] ?? '='
    const wanted = field === 'TIMESTAMP_X' ? (parseDate(raw, tz) ?? Number.NaN) : raw
    tests.push((row) => compare(fieldValue(row, field), op, wanted))
  }
  return (row) => tests.every((test) => test(row))
}

function compare(value: number | string, op: string, wanted: unknown): boolean {
  const numeric = typeof value === 'number'
  const other = numeric ? Number(wanted) : String(wanted ?? '')
  switch (op) {
    case '>':
      return value > other
    case '<':
      return value < other
    case '>=':
      return value >= other
    case '<=':
      return value <= other
    case '!':
    case '!=':
      return value !== other
    default:
      return value === other
  }
}

function compileOrder(
  order: unknown,
  fields: readonly RowField[],
  fallback: RowField,
): (a: OfflineRow, b: OfflineRow) => number {
  const keys: Array<[RowField, number]> = []
  if (isRecord(order)) {
    for (const [name, direction] of Object.entries(order)) {
      const field = name.toUpperCase() as RowField
      if (!fields.includes(field)) throw argument(`Order field '${name}' is not allowed`, 'order')
      keys.push([field, String(direction).toUpperCase() === 'DESC' ? -1 : 1])
    }
  }
  if (keys.length === 0) keys.push([fallback, 1])
  keys.push(['ID', 1])
  return (a, b) => {
    for (const [field, sign] of keys) {
      const x = fieldValue(a, field)
      const y = fieldValue(b, field)
      if (x !== y) return x < y ? -sign : sign
    }
    return 0
  }
}

function present(row: OfflineRow, tz: number, withProcess: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ID: String(row.id),
    TIMESTAMP_X: formatIso(row.timestamp, tz),
    EVENT_NAME: row.event,
    EVENT_DATA: row.data,
    EVENT_ADDITIONAL: { user_id: row.userId },
    MESSAGE_ID: row.messageId,
  }
  if (withProcess) {
    out.PROCESS_ID = row.processId
    out.ERROR = String(row.error)
  }
  return out
}

function text(params: Params, name: string): string | undefined {
  const value = getParamIgnoreCase(params, name)
  return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : undefined
}

function flag(params: Params, name: string, fallback: number): number {
  const value = text(params, name)
  return value === undefined ? fallback : Number.parseInt(value, 10) || 0
}

/** The list a clear or error names (`message_id[]`, `id[]`), or undefined when the parameter is absent. */
function listParam(params: Params, name: string): unknown[] | undefined {
  const value = getParamIgnoreCase(params, name)
  if (value === undefined) return undefined
  if (Array.isArray(value)) return value
  if (isRecord(value)) return Object.values(value)
  throw argument(`Value must be array of ${name === 'id' ? 'integers' : 'MESSAGE_ID values'}`, name)
}

function messageIds(params: Params): string[] | undefined {
  const list = listParam(params, 'message_id')
  return list?.map((value) => {
    const id = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : ''
    if (id.length !== 32) throw argument('Value must be array of MESSAGE_ID values', 'message_id')
    return id
  })
}

function requireProcessId(params: Params): string {
  const processId = text(params, 'process_id')
  if (processId === undefined) {
    throw new RestError('ERROR_ARGUMENT', "Argument 'PROCESS_ID' is null or empty", 400, { argument: 'PROCESS_ID' })
  }
  return processId
}

/** `event.offline.get`, `.clear`, `.error`, `.list` (OAuth applications, administrators only). */
export function offlineEventMethods(env: OfflineEventsEnv): Record<string, MethodDefinition> {
  const method = (
    handler: (params: Params, clientId: string, connector: string, now: number) => MethodResult,
  ): MethodDefinition => ({
    scope: 'basic',
    authTypes: ['oauth'],
    handler: (params, ctx) => {
      const caller = callerOf(ctx)
      if (caller.userId !== ADMIN_USER_ID) throw new RestError('ACCESS_DENIED', 'Access denied!', 403)
      const clientId = caller.app?.clientId ?? ''
      ctx.cost(env.costs.base)
      return handler(params, clientId, text(params, 'auth_connector') ?? '', env.clock.now())
    },
  })
  const tz = () => env.clock.tzMinutes

  return {
    'event.offline.get': method((params, clientId, connector, now) => {
      const clear = flag(params, 'clear', 1) !== 0
      const given = text(params, 'process_id')
      const limit = flag(params, 'limit', PAGE_SIZE)
      if (limit <= 0) throw argument('Value must be positive integer', 'LIMIT')
      const matches = compileFilter(getParamIgnoreCase(params, 'filter'), GET_FIELDS, tz())
      const order = compileOrder(getParamIgnoreCase(params, 'order'), GET_FIELDS, 'TIMESTAMP_X')
      const error = flag(params, 'error', 0) === 1 ? 1 : 0
      const rows = env.offline.scope(clientId, connector, now).filter((r) => r.error === error && matches(r))
      let processId = given
      if (processId === undefined) {
        processId = env.newProcessId()
        for (const row of rows
          .filter((r) => r.processId === '')
          .sort(order)
          .slice(0, limit))
          row.processId = processId
      }
      const taken = rows
        .filter((r) => r.processId === processId)
        .sort(order)
        .slice(0, limit)
      const events = taken.map((row) => present(row, tz(), false))
      if (clear && taken.length > 0)
        env.offline.remove(env.offline.scope(clientId, connector, now).filter((r) => r.processId === processId))
      return { result: { process_id: clear && given === undefined ? null : processId, events } }
    }),

    'event.offline.clear': method((params, clientId, connector, now) => {
      const processId = requireProcessId(params)
      const byMessage = messageIds(params)
      const ids = byMessage
        ? undefined
        : listParam(params, 'id')?.map((value) => {
            const id = Number.parseInt(String(value), 10)
            if (!(id > 0)) throw argument('Value must be array of integers', 'id')
            return id
          })
      const rows = env.offline
        .scope(clientId, connector, now)
        .filter(
          (r) =>
            r.processId === processId &&
            (byMessage ? byMessage.includes(r.messageId) : ids ? ids.includes(r.id) : true),
        )
      env.offline.remove(rows)
      return { result: true }
    }),

    'event.offline.error': method((params, clientId, connector, now) => {
      const processId = requireProcessId(params)
      const named = messageIds(params)
      // The docs make message_id optional (the portal's source refuses its absence): without it nothing changes.
      if (named === undefined) return { result: true }
      const rows = env.offline
        .scope(clientId, connector, now)
        .filter((r) => named.includes(r.messageId) && r.error === 0)
      env.offline.remove(rows.filter((r) => r.processId !== processId))
      for (const row of rows.filter((r) => r.processId === processId)) {
        row.error = 1
        row.processId = ''
      }
      return { result: true }
    }),

    'event.offline.list': method((params, clientId, connector, now) => {
      const matches = compileFilter(getParamIgnoreCase(params, 'filter'), LIST_FIELDS, tz())
      const order = compileOrder(getParamIgnoreCase(params, 'order'), LIST_FIELDS, 'ID')
      const rows = env.offline.scope(clientId, connector, now).filter(matches).sort(order)
      const start = Math.max(0, readStart(params, 'start'))
      const page = rows.slice(start, start + PAGE_SIZE)
      const out: MethodResult = { result: page.map((row) => present(row, tz(), true)), total: rows.length }
      if (start + PAGE_SIZE < rows.length) out.next = start + PAGE_SIZE
      return out
    }),
  }
}
