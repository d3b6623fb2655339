/**
 * Which event a successful method call raises, and its `data`, as the event pages show it: `crm.deal.add` →
 * `ONCRMDEALADD` with `{ FIELDS: { ID: "7405" } }`, `tasks.task.update` → `ONTASKUPDATE` with `FIELDS_BEFORE` /
 * `FIELDS_AFTER`, a generic family (`crm.activity.add`) → `ONCRMACTIVITYADD` when the docs document that code.
 */
import { DOCUMENTED_EVENT_CODES } from '../../app/generated/events.js'
import type { Params } from '../kernel.js'
import { positiveId as toPositiveId } from '../methods/util.js'
import { getParamIgnoreCase } from './params.js'

/** An event raised by a change: its code and its `data`. */
export interface RaisedEvent {
  event: string
  data: Record<string, unknown>
}

const KNOWN = new Set<string>(DOCUMENTED_EVENT_CODES)
const OPERATIONS: Record<string, string> = { add: 'ADD', update: 'UPDATE', delete: 'DELETE' }

/** `crm.item.*` entity type → the event family of the page that documents it. */
const ITEM_FAMILIES: Record<number, string> = {
  1: 'CRMLEAD',
  2: 'CRMDEAL',
  3: 'CRMCONTACT',
  4: 'CRMCOMPANY',
  7: 'CRMQUOTE',
}

const positiveId = (value: unknown): number | undefined => toPositiveId(value) ?? undefined

/** The ID a call names (`id`, `ID`, `taskId`, …) or, for an add, the one its result carries. */
function idOf(params: Params, result: unknown, names: readonly string[]): number | undefined {
  for (const name of names) {
    const id = positiveId(getParamIgnoreCase(params, name))
    if (id !== undefined) return id
  }
  return idInResult(result, 2)
}

function idInResult(result: unknown, depth: number): number | undefined {
  const direct = positiveId(result)
  if (direct !== undefined || typeof result !== 'object' || result === null || depth === 0) return direct
  const record = result as Record<string, unknown>
  const own = positiveId(record.id ?? record.ID)
  if (own !== undefined) return own
  const values = Object.values(record)
  return values.length === 1 ? idInResult(values[0], depth - 1) : undefined
}

/** The event family a method prefix maps to (`crm.deal.recurring` → `CRMDEALRECURRING`, `booking.v1.resource` → `BOOKINGRESOURCE`). */
function familyOf(prefix: string): string {
  const parts = prefix.split('.').filter((part) => !/^v\d+$/.test(part))
  const collapsed = parts.filter((part, i) => part !== parts[i - 1])
  return collapsed.join('').toUpperCase()
}

function taskData(op: string, id: number): Record<string, unknown> {
  const fields = { ID: id }
  if (op === 'ADD') {
    return {
      FIELDS_BEFORE: 'undefined',
      FIELDS_AFTER: fields,
      IS_ACCESSIBLE_BEFORE: 'N',
      IS_ACCESSIBLE_AFTER: 'undefined',
    }
  }
  if (op === 'DELETE') {
    return {
      FIELDS_BEFORE: fields,
      FIELDS_AFTER: 'undefined',
      IS_ACCESSIBLE_BEFORE: 'undefined',
      IS_ACCESSIBLE_AFTER: 'N',
    }
  }
  return {
    FIELDS_BEFORE: fields,
    FIELDS_AFTER: fields,
    IS_ACCESSIBLE_BEFORE: 'undefined',
    IS_ACCESSIBLE_AFTER: 'undefined',
  }
}

/**
 * The event a successful call of `method` raises, or undefined. Only documented event codes are raised; the
 * call's parameters and result give the ID.
 */
export function eventForCall(method: string, params: Params, result: unknown): RaisedEvent | undefined {
  const dot = method.lastIndexOf('.')
  const op = OPERATIONS[method.slice(dot + 1).toLowerCase()]
  if (dot < 0 || op === undefined) return undefined
  const prefix = method.slice(0, dot).toLowerCase()
  if (prefix === 'tasks.task') {
    const id = idOf(params, result, ['taskId'])
    return id === undefined ? undefined : { event: `ONTASK${op}`, data: taskData(op, id) }
  }
  if (prefix === 'crm.item') {
    const typeId = positiveId(getParamIgnoreCase(params, 'entityTypeId'))
    if (typeId === undefined) return undefined
    const id = idOf(params, result, ['id'])
    if (id === undefined) return undefined
    const family = ITEM_FAMILIES[typeId]
    if (family) return { event: `ON${family}${op}`, data: { FIELDS: { ID: String(id) } } }
    return { event: `ONCRMDYNAMICITEM${op}`, data: { FIELDS: { ID: String(id), ENTITY_TYPE_ID: String(typeId) } } }
  }
  const event = `ON${familyOf(prefix)}${op}`
  if (!KNOWN.has(event)) return undefined
  const id = idOf(params, result, ['id'])
  return id === undefined ? undefined : { event, data: { FIELDS: { ID: String(id) } } }
}
