/**
 * The portal's own methods (scope `basic`): `batch`, `app.info`, `scope`, `methods`, `method.get`, `events` and
 * `event.bind` / `event.unbind` / `event.get` and `event.offline.*` (OAuth applications only).
 */
import { type CallContext, type MethodDefinition, type MethodTable, type Params, RestError } from '../kernel.js'
import { callerOf } from './calls.js'
import { type OfflineEventsEnv, offlineEventMethods } from './offline-events.js'
import { getParamIgnoreCase, isTruthyFlag } from './params.js'
import { BASIC_SCOPE, listScopes, scopeAllows } from './scopes.js'

export interface License {
  LICENSE: string
  LICENSE_TYPE: string
  LICENSE_FAMILY: string
}

export interface EventBinding {
  /** `event_handler_id` in the events sent for it. */
  id: number
  event: string
  handler: string
  /** User the handler runs as; 0 = whoever triggered the event. */
  authType: number
  offline: boolean
  authConnector: string
}

/** Event handlers bound by each application (by client id). */
export class EventRegistry {
  private readonly byApp = new Map<string, EventBinding[]>()
  private nextId = 1

  list(clientId: string): EventBinding[] {
    return this.byApp.get(clientId) ?? []
  }

  /** Every binding of `event` (upper case), with the client id of its application. */
  *matching(event: string): Generator<[string, EventBinding]> {
    for (const [clientId, list] of this.byApp) {
      for (const binding of list) if (binding.event === event) yield [clientId, binding]
    }
  }

  add(clientId: string, fields: Omit<EventBinding, 'id'>): boolean {
    const binding: EventBinding = { id: this.nextId, ...fields }
    const list = this.list(clientId)
    const same = list.some(
      (b) =>
        b.event === binding.event &&
        b.handler === binding.handler &&
        b.authType === binding.authType &&
        b.offline === binding.offline,
    )
    if (same) return false
    this.nextId += 1
    this.byApp.set(clientId, [...list, binding])
    return true
  }

  remove(clientId: string, match: (binding: EventBinding) => boolean): number {
    const list = this.list(clientId)
    const kept = list.filter((b) => !match(b))
    this.byApp.set(clientId, kept)
    return list.length - kept.length
  }
}

export interface SystemEnv {
  /** The complete method table, read at call time (it is assembled after the system methods). */
  methods(): MethodTable
  /** Every scope code the portal knows. */
  allScopes(): string[]
  license(): License
  events: EventRegistry
  /** The offline queue and the clock `event.offline.*` run on. */
  offline: OfflineEventsEnv
}

/** A selection of the events a portal announces through `events`. */
const KNOWN_EVENTS: readonly string[] = [
  'ONAPPUNINSTALL',
  'ONAPPINSTALL',
  'ONAPPUPDATE',
  'ONAPPPAYMENT',
  'ONAPPTEST',
  'ONAPPMETHODCONFIRM',
  'ONOFFLINEEVENT',
  'ONCRMLEADADD',
  'ONCRMLEADUPDATE',
  'ONCRMLEADDELETE',
  'ONCRMDEALADD',
  'ONCRMDEALUPDATE',
  'ONCRMDEALDELETE',
  'ONCRMCONTACTADD',
  'ONCRMCONTACTUPDATE',
  'ONCRMCONTACTDELETE',
  'ONCRMCOMPANYADD',
  'ONCRMCOMPANYUPDATE',
  'ONCRMCOMPANYDELETE',
  'ONCRMDYNAMICITEMADD',
  'ONCRMDYNAMICITEMUPDATE',
  'ONCRMDYNAMICITEMDELETE',
  'ONTASKADD',
  'ONTASKUPDATE',
  'ONTASKDELETE',
  'ONUSERADD',
]

const EVENT_NAME = /^ON[A-Z0-9_]+$/i
/** The emulated portal's administrator; only they may bind for other users or offline. */
const ADMIN_USER_ID = 1

function text(params: Params, name: string): string {
  const value = getParamIgnoreCase(params, name)
  return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : ''
}

function eventName(params: Params): string {
  const event = text(params, 'event')
  if (!EVENT_NAME.test(event)) throw new RestError('ERROR_EVENT_NOT_FOUND', 'Event not found', 400)
  return event.toUpperCase()
}

function requireArgument(value: string, name: string): string {
  if (value === '') {
    throw new RestError('ERROR_ARGUMENT', `Argument '${name}' is null or empty`, 400, { argument: name })
  }
  return value
}

function appClientId(ctx: CallContext): string {
  const app = callerOf(ctx).app
  if (!app) throw new RestError('WRONG_AUTH_TYPE', 'Current authorization type is denied for this method', 403)
  return app.clientId
}

export function createSystemMethods(env: SystemEnv): MethodTable {
  const basic = (handler: MethodDefinition['handler'], oauthOnly = false): MethodDefinition => ({
    scope: BASIC_SCOPE,
    handler,
    ...(oauthOnly ? { authTypes: ['oauth'] as const } : {}),
  })
  const table: MethodTable = new Map()

  // Executed by the HTTP layer itself (it needs to call other methods); listed here so it exists for `methods`.
  table.set(
    'batch',
    basic(() => {
      throw new RestError('ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage', 405)
    }),
  )

  table.set(
    'app.info',
    basic((_params, ctx) => {
      const caller = callerOf(ctx)
      const license = env.license()
      if (!caller.app)
        return { result: { SCOPE: listScopes(caller.scopes, env.allScopes()), LICENSE: license.LICENSE } }
      return {
        result: {
          ID: caller.app.id,
          CODE: caller.app.clientId,
          VERSION: 1,
          STATUS: caller.app.status,
          INSTALLED: true,
          PAYMENT_EXPIRED: 'N',
          DAYS: null,
          LANGUAGE_ID: 'en',
          ...license,
        },
      }
    }),
  )

  table.set(
    'scope',
    basic((params, ctx) => {
      const all = env.allScopes()
      if (isTruthyFlag(getParamIgnoreCase(params, 'full'))) return { result: all }
      return { result: listScopes(callerOf(ctx).scopes, all) }
    }),
  )

  table.set(
    'methods',
    basic((params, ctx) => {
      const entries = [...env.methods().entries()]
      if (isTruthyFlag(getParamIgnoreCase(params, 'full'))) return { result: entries.map(([name]) => name) }
      const scope = text(params, 'scope').toLowerCase()
      if (scope !== '') return { result: entries.filter(([, d]) => d.scope === scope).map(([name]) => name) }
      const caller = callerOf(ctx)
      const available = entries.filter(
        ([, d]) => scopeAllows(caller.scopes, d.scope) && (!d.authTypes || d.authTypes.includes(caller.authType)),
      )
      return { result: available.map(([name]) => name) }
    }),
  )

  table.set(
    'method.get',
    basic((params, ctx) => {
      const name = text(params, 'name')
      const definition = env.methods().get(name.toLowerCase()) ?? env.methods().get(name)
      const caller = callerOf(ctx)
      const isAvailable =
        definition !== undefined &&
        scopeAllows(caller.scopes, definition.scope) &&
        (!definition.authTypes || definition.authTypes.includes(caller.authType))
      return { result: { isExisting: definition !== undefined, isAvailable } }
    }),
  )

  table.set(
    'events',
    basic(() => ({ result: [...KNOWN_EVENTS] }), true),
  )

  table.set(
    'event.bind',
    basic((params, ctx) => {
      const clientId = appClientId(ctx)
      const event = eventName(params)
      const offline = text(params, 'event_type').toLowerCase() === 'offline'
      const handler = offline ? text(params, 'handler') : requireArgument(text(params, 'handler'), 'HANDLER')
      const authType = Number.parseInt(text(params, 'auth_type') || '0', 10) || 0
      const userId = callerOf(ctx).userId
      if (userId !== ADMIN_USER_ID && offline) {
        throw new RestError(
          'ACCESS_DENIED',
          'Access denied! Offline events binding requires administrator access rights',
          403,
        )
      }
      if (userId !== ADMIN_USER_ID && authType !== 0 && authType !== userId) {
        throw new RestError(
          'ACCESS_DENIED',
          'Access denied! Event binding with AUTH_TYPE requires administrator access rights',
          403,
        )
      }
      const added = env.events.add(clientId, {
        event,
        handler,
        authType,
        offline,
        authConnector: text(params, 'auth_connector'),
      })
      if (!added) throw new RestError('ERROR_CORE', 'Unable to set event handler: Handler already binded', 400)
      return { result: true }
    }, true),
  )

  table.set(
    'event.unbind',
    basic((params, ctx) => {
      const clientId = appClientId(ctx)
      const event = eventName(params)
      const offline = text(params, 'event_type').toLowerCase() === 'offline'
      const handler = offline ? text(params, 'handler') : requireArgument(text(params, 'handler'), 'HANDLER')
      const authType = text(params, 'auth_type')
      const count = env.events.remove(
        clientId,
        (b) =>
          b.event === event &&
          b.offline === offline &&
          (offline || b.handler === handler) &&
          (authType === '' || String(b.authType) === authType),
      )
      return { result: { count } }
    }, true),
  )

  table.set(
    'event.get',
    basic((_params, ctx) => {
      const bindings = env.events.list(appClientId(ctx))
      return {
        result: bindings.map((b) =>
          b.offline
            ? { event: b.event, connector_id: b.authConnector, offline: 1 }
            : { event: b.event, handler: b.handler, auth_type: String(b.authType), offline: 0 },
        ),
      }
    }, true),
  )

  for (const [name, definition] of Object.entries(offlineEventMethods(env.offline))) table.set(name, definition)

  return table
}
