/**
 * What a portal sends to an application: event calls (`ONCRMDEALADD`, `ONAPPINSTALL`, …), page / placement
 * requests and workflow robot / activity calls. Parsers read the form bodies exactly as PHP's `parse_str` would and
 * turn them into typed objects; a body the portal would never send (unbalanced brackets, `__proto__` keys, missing
 * fields) is a `BitrixIncomingRejected`. `verifyApplicationToken` tells a genuine event from a forged one.
 */
import { BitrixIncomingRejected, BitrixValidationError } from '../errors/index.js'
import { buildQuery, parseQuery, phpUrlDecode } from '../http/php-query.js'
import { secretRegistry } from '../log/index.js'
import type { DocumentedEventCode, EventDataMap } from './generated/events.js'

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

/** The `auth` block of an event: tokens of the user the event happened for (absent for some events). */
export interface EventAuth {
  accessToken?: string
  refreshToken?: string
  /** Unix seconds. */
  expires?: number
  expiresIn?: number
  scope: string[]
  domain: string
  serverEndpoint?: string
  clientEndpoint?: string
  memberId: string
  userId?: number
  status?: string
  /** Empty when the call carries none (it then never verifies). */
  applicationToken: string
}

/** An event call from the portal. `E` is the event code, `D` its data. */
export class IncomingEvent<D = Record<string, unknown>, E extends string = string> {
  /** Upper-case event code, e.g. `ONCRMDEALADD`. */
  readonly event: E
  readonly eventHandlerId: number | undefined
  readonly data: D
  /** Unix seconds when the portal raised it. */
  readonly ts: number
  readonly #auth: EventAuth

  constructor(init: { event: E; eventHandlerId?: number; data: D; ts: number; auth: EventAuth }) {
    this.event = init.event
    this.eventHandlerId = init.eventHandlerId
    this.data = init.data
    this.ts = init.ts
    this.#auth = init.auth
  }

  /** The portal and tokens of the call (tokens print as nothing: see `toJSON`). */
  get auth(): EventAuth {
    return this.#auth
  }

  /** A plain object without tokens, for logs. */
  toJSON(): Record<string, unknown> {
    const { domain, memberId, scope, userId, status } = this.#auth
    return {
      event: this.event,
      eventHandlerId: this.eventHandlerId,
      ts: this.ts,
      data: this.data,
      auth: { domain, memberId, scope, userId, status },
    }
  }

  /** What `console.log` and `util.inspect` print: `toJSON`, tokens left out. */
  [inspectSymbol](): string {
    return `IncomingEvent ${JSON.stringify(this.toJSON())}`
  }
}

/** A documented event with its typed data: `TypedIncomingEvent<'ONCRMDEALADD'>` has `data.FIELDS?.ID`. */
export type TypedIncomingEvent<K extends DocumentedEventCode> = IncomingEvent<EventDataMap[K], K>

/** Narrows an event to a documented code and its typed data. */
export function isEvent<K extends DocumentedEventCode>(
  event: IncomingEvent<unknown>,
  code: K,
): event is TypedIncomingEvent<K> {
  return event.event === code
}

/** A request for an application page: the main page (`PLACEMENT=DEFAULT`), an install page or a widget. */
export interface PlacementRequest {
  domain: string
  protocol: 'http' | 'https'
  lang: string | undefined
  appSid: string | undefined
  accessToken: string
  refreshToken: string | undefined
  expiresIn: number | undefined
  memberId: string
  status: string | undefined
  placement: string
  /** `PLACEMENT_OPTIONS`, parsed from its JSON. */
  placementOptions: Record<string, unknown>
  serverEndpoint: string | undefined
  applicationToken: string | undefined
  scope: string[]
}

/** A workflow robot (automation rule) or activity calling the app's handler. */
export interface RobotRequest {
  /** The robot's / activity's code as registered (`bizproc.robot.add` `CODE`). */
  code: string
  workflowId: string
  /** What `bizproc.event.send` needs to return values; empty when the robot does not wait (`USE_SUBSCRIPTION=N`). */
  eventToken: string | undefined
  /** `[module, entity class, ID]`, e.g. `['crm', 'CCrmDocumentDeal', 'DEAL_42']`. */
  documentId: string[]
  documentType: string[]
  /** Input values by property code, as text (or nested for multiple values). */
  properties: Record<string, unknown>
  useSubscription: boolean
  timeoutDuration: number | undefined
  ts: number
  auth: EventAuth
}

/** Raw form text, `URLSearchParams`, or an object (a JSON body, already parsed). */
export type IncomingBody = string | URLSearchParams | Record<string, unknown>

const FORBIDDEN_SEGMENT = /^(__proto__|constructor|prototype)$/
/** A PHP variable name the portal's `http_build_query` writes: a base, then `[key]` groups without brackets inside. */
const WELL_FORMED_NAME = /^[^[\]]+(\[[^[\]]*\])*$/

/**
 * Checks every variable name of a form body the way the portal writes them: balanced `[key]` groups, no
 * `__proto__` / `constructor` / `prototype` segment. PHP itself would read the rest leniently; an app must not.
 */
function checkFormNames(form: string, what: string): void {
  let position = 0
  while (position <= form.length) {
    let end = form.indexOf('&', position)
    if (end < 0) end = form.length
    const pair = form.slice(position, end)
    position = end + 1
    if (pair === '') continue
    const equals = pair.indexOf('=')
    const name = phpUrlDecode(equals < 0 ? pair : pair.slice(0, equals))
    if (!WELL_FORMED_NAME.test(name)) {
      throw new BitrixIncomingRejected({
        reason: 'malformed',
        field: name.slice(0, 60),
        detail: `${what}: the variable name ${JSON.stringify(name.slice(0, 60))} has unbalanced brackets`,
      })
    }
    const segments = name.split(/[[\]]+/)
    if (segments.some((segment) => FORBIDDEN_SEGMENT.test(segment))) {
      throw new BitrixIncomingRejected({
        reason: 'malformed',
        field: name.slice(0, 60),
        detail: `${what}: the variable name ${JSON.stringify(name.slice(0, 60))} names a prototype key`,
      })
    }
  }
}

/**
 * The body as PHP's `$_POST` would hold it. A JSON body (or an object) is read as the same form the portal would
 * post, so values are text whatever the transport, and the same checks apply.
 */
export function readIncomingBody(body: IncomingBody, what = 'the body'): Record<string, unknown> {
  let form: string
  if (typeof body === 'string') {
    const trimmed = body.trim()
    if (trimmed.startsWith('{')) {
      let parsed: unknown
      try {
        parsed = JSON.parse(trimmed)
      } catch {
        throw new BitrixIncomingRejected({ reason: 'malformed', detail: `${what} is neither a form nor valid JSON` })
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new BitrixIncomingRejected({ reason: 'malformed', detail: `${what} is JSON but not an object` })
      }
      form = buildQuery(parsed as Record<string, unknown>)
    } else form = trimmed
  } else if (body instanceof URLSearchParams) form = body.toString()
  else if (typeof body === 'object' && body !== null && !Array.isArray(body)) form = buildQuery(body)
  else {
    throw new BitrixValidationError({
      message: 'an incoming body must be the raw form text, URLSearchParams or an object',
      received: body,
    })
  }
  checkFormNames(form, what)
  return parseQuery(form)
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined
const number = (value: unknown): number | undefined =>
  text(value) === undefined || !Number.isFinite(Number(value)) ? undefined : Number(value)
const scopes = (value: unknown): string[] => (text(value) ?? '').split(/[,\s]+/).filter(Boolean)
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
const list = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.map(String)
    : typeof value === 'object' && value !== null
      ? Object.values(value).map(String)
      : []

function required(fields: Record<string, unknown>, key: string, name: string, event?: string): string {
  const value = text(fields[key])
  if (value === undefined) {
    throw new BitrixIncomingRejected({ reason: 'missing-field', field: name, event, detail: `"${name}" is missing` })
  }
  return value
}

const SECRET_KEYS = new Set(['access_token', 'refresh_token', 'application_token', 'AUTH_ID', 'REFRESH_ID'])

/** Tokens inside event data (a chat bot's own `access_token`) are secrets too: masked wherever they would print. */
function registerNestedSecrets(value: unknown, depth = 0): void {
  if (typeof value !== 'object' || value === null || depth > 8) return
  for (const [key, child] of Object.entries(value)) {
    if (typeof child === 'string' && SECRET_KEYS.has(key)) secretRegistry.add(child)
    else registerNestedSecrets(child, depth + 1)
  }
}

function readAuth(source: unknown, event: string): EventAuth {
  const auth = record(source)
  const parsed: EventAuth = {
    accessToken: text(auth.access_token),
    refreshToken: text(auth.refresh_token),
    expires: number(auth.expires),
    expiresIn: number(auth.expires_in),
    scope: scopes(auth.scope),
    domain: required(auth, 'domain', 'auth[domain]', event),
    serverEndpoint: text(auth.server_endpoint),
    clientEndpoint: text(auth.client_endpoint),
    memberId: required(auth, 'member_id', 'auth[member_id]', event),
    userId: number(auth.user_id),
    status: text(auth.status),
    applicationToken: text(auth.application_token) ?? '',
  }
  for (const secret of [parsed.accessToken, parsed.refreshToken, parsed.applicationToken]) secretRegistry.add(secret)
  return parsed
}

/**
 * Parses an event call (form-encoded as the portal sends it, or JSON). Values are text, as the portal posts them;
 * narrow to a documented event's typed data with `isEvent(event, 'ONCRMDEALADD')`.
 * @throws BitrixIncomingRejected a malformed body or one without `event`, `auth[domain]` or `auth[member_id]`
 */
export function parseEvent<D = Record<string, unknown>>(body: IncomingBody): IncomingEvent<D> {
  const fields = readIncomingBody(body, 'the event body')
  const event = required(fields, 'event', 'event').toUpperCase()
  const auth = readAuth(fields.auth, event)
  registerNestedSecrets(fields.data)
  return new IncomingEvent<D>({
    event,
    eventHandlerId: number(fields.event_handler_id),
    data: (fields.data ?? {}) as D,
    ts: number(fields.ts) ?? 0,
    auth,
  })
}

/**
 * Parses the request a portal sends to an application page or widget. `query` is the URL's query string
 * (`DOMAIN`, `PROTOCOL`, `LANG`, `APP_SID`), `body` the form body.
 * @throws BitrixIncomingRejected a malformed body, bad `PLACEMENT_OPTIONS` JSON, or no `AUTH_ID`/`DOMAIN`/`member_id`
 */
export function parsePlacementRequest(query: IncomingBody, body: IncomingBody): PlacementRequest {
  const fields = { ...readIncomingBody(query, 'the query string'), ...readIncomingBody(body, 'the page body') }
  const accessToken = required(fields, 'AUTH_ID', 'AUTH_ID')
  secretRegistry.add(accessToken)
  secretRegistry.add(text(fields.REFRESH_ID))
  secretRegistry.add(text(fields.APPLICATION_TOKEN))
  let placementOptions: Record<string, unknown> = {}
  const rawOptions = fields.PLACEMENT_OPTIONS
  if (typeof rawOptions === 'string' && rawOptions !== '') {
    let parsed: unknown
    try {
      parsed = JSON.parse(rawOptions)
    } catch {
      throw new BitrixIncomingRejected({
        reason: 'malformed',
        field: 'PLACEMENT_OPTIONS',
        detail: 'PLACEMENT_OPTIONS is not valid JSON',
      })
    }
    // Through the same form reading as the body: prototype keys are refused there too.
    placementOptions =
      typeof parsed === 'object' && parsed !== null
        ? readIncomingBody(parsed as Record<string, unknown>, 'PLACEMENT_OPTIONS')
        : {}
  } else placementOptions = record(rawOptions)
  return {
    domain: required(fields, 'DOMAIN', 'DOMAIN'),
    protocol: String(fields.PROTOCOL ?? '1') === '0' ? 'http' : 'https',
    lang: text(fields.LANG),
    appSid: text(fields.APP_SID),
    accessToken,
    refreshToken: text(fields.REFRESH_ID),
    expiresIn: number(fields.AUTH_EXPIRES),
    memberId: required(fields, 'member_id', 'member_id'),
    status: text(fields.status),
    placement: text(fields.PLACEMENT) ?? 'DEFAULT',
    placementOptions,
    serverEndpoint: text(fields.SERVER_ENDPOINT),
    applicationToken: text(fields.APPLICATION_TOKEN),
    scope: scopes(fields.APPLICATION_SCOPE),
  }
}

/**
 * Parses a workflow robot's or activity's call to its handler (`bizproc.robot.add` / `bizproc.activity.add`
 * `HANDLER`): `code`, `workflow_id`, `document_id[]`, `document_type[]`, `event_token`, `properties[…]`, `auth[…]`.
 * @throws BitrixIncomingRejected a malformed body or one without `code`, `workflow_id` or the auth block
 */
export function parseRobotRequest(body: IncomingBody): RobotRequest {
  const fields = readIncomingBody(body, 'the robot call')
  const code = required(fields, 'code', 'code')
  const workflowId = required(fields, 'workflow_id', 'workflow_id')
  const eventToken = text(fields.event_token)
  secretRegistry.add(eventToken)
  return {
    code,
    workflowId,
    eventToken,
    documentId: list(fields.document_id),
    documentType: list(fields.document_type),
    properties: record(fields.properties),
    useSubscription: String(fields.use_subscription ?? '').toUpperCase() === 'Y',
    timeoutDuration: number(fields.timeout_duration),
    ts: number(fields.ts) ?? 0,
    auth: readAuth(fields.auth, code),
  }
}

/**
 * Constant-time comparison of a call's `application_token` with the one stored at install time: the time taken
 * depends only on the expected token's length, never on where the first difference is.
 */
export function verifyApplicationToken(event: { auth: { applicationToken: string } }, expected: string): boolean {
  const actual = event.auth.applicationToken
  if (typeof expected !== 'string' || expected.length === 0 || typeof actual !== 'string') return false
  let difference = actual.length ^ expected.length
  for (let index = 0; index < expected.length; index++)
    difference |= (actual.charCodeAt(index) || 0) ^ expected.charCodeAt(index)
  return difference === 0
}
