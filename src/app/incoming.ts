/**
 * What a portal sends to an application: event calls (`ONCRMDEALADD`, `ONAPPINSTALL`, …) and page / placement
 * requests. Parsers turn the form bodies into typed objects; `verifyApplicationToken` tells a genuine event from
 * a forged one (the `application_token` the app stored at install time must match).
 */
import { BitrixValidationError } from '../errors/index.js'
import { parseQuery } from '../http/php-query.js'
import { secretRegistry } from '../log/index.js'

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
  applicationToken: string
}

/** An event call from the portal. */
export class IncomingEvent<D = Record<string, unknown>> {
  /** Upper-case event code, e.g. `ONCRMDEALADD`. */
  readonly event: string
  readonly eventHandlerId: number | undefined
  readonly data: D
  /** Unix seconds when the portal raised it. */
  readonly ts: number
  readonly #auth: EventAuth

  constructor(init: { event: string; eventHandlerId?: number; data: D; ts: number; auth: EventAuth }) {
    this.event = init.event
    this.eventHandlerId = init.eventHandlerId
    this.data = init.data
    this.ts = init.ts
    this.#auth = init.auth
  }

  /**
   * The event's `auth` block: the portal, `memberId`, `applicationToken` and the user's tokens. Left out of
   * `toJSON()` and printouts so the tokens stay out of logs.
   */
  get auth(): EventAuth {
    return this.#auth
  }

  /** A printable form for logs: the event, its data and the non-secret part of `auth` (no tokens). */
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

  /** What `console.log` and `util.inspect` show: `IncomingEvent` and `toJSON()`, so no token appears. */
  [inspectSymbol](): string {
    return `IncomingEvent ${JSON.stringify(this.toJSON())}`
  }
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

/** A request body as a server framework hands it over: the raw form text, `URLSearchParams`, or a parsed object. */
export type IncomingBody = string | URLSearchParams | Record<string, unknown>

function toRecord(body: IncomingBody): Record<string, unknown> {
  if (typeof body === 'string') {
    const trimmed = body.trim()
    if (trimmed.startsWith('{')) {
      try {
        return JSON.parse(trimmed) as Record<string, unknown>
      } catch {
        throw new BitrixValidationError({ message: 'the event body is neither a form nor valid JSON' })
      }
    }
    return parseQuery(trimmed)
  }
  if (body instanceof URLSearchParams) return parseQuery(body.toString())
  if (typeof body === 'object' && body !== null) return body
  throw new BitrixValidationError({
    message: 'an event body must be the raw form text, URLSearchParams or an object',
    received: body,
  })
}

const text = (value: unknown): string | undefined =>
  value === undefined || value === null || value === '' ? undefined : String(value)
const number = (value: unknown): number | undefined =>
  text(value) === undefined || !Number.isFinite(Number(value)) ? undefined : Number(value)
const scopes = (value: unknown): string[] => (text(value) ?? '').split(/[,\s]+/).filter(Boolean)

function required(record: Record<string, unknown>, key: string, what: string): string {
  const value = text(record[key])
  if (value === undefined) throw new BitrixValidationError({ message: `${what}: "${key}" is missing`, parameter: key })
  return value
}

/**
 * Parses an event call (form-encoded as the portal sends it, or already-parsed JSON). Throws
 * `BitrixValidationError` when it is not a Bitrix24 event (no `event`, or no `auth` domain, `member_id` or
 * `application_token`). Check it with `verifyApplicationToken` before trusting it.
 * @example
 * const event = parseEvent<{ FIELDS: { ID: string } }>(await request.text())
 * if (!verifyApplicationToken(event, storedApplicationToken)) return forbidden()
 */
export function parseEvent<D = Record<string, unknown>>(body: IncomingBody): IncomingEvent<D> {
  const record = toRecord(body)
  const event = required(record, 'event', 'not a Bitrix24 event').toUpperCase()
  const auth = (record.auth ?? {}) as Record<string, unknown>
  const parsed: EventAuth = {
    accessToken: text(auth.access_token),
    refreshToken: text(auth.refresh_token),
    expires: number(auth.expires),
    expiresIn: number(auth.expires_in),
    scope: scopes(auth.scope),
    domain: required(auth, 'domain', 'event auth'),
    serverEndpoint: text(auth.server_endpoint),
    clientEndpoint: text(auth.client_endpoint),
    memberId: required(auth, 'member_id', 'event auth'),
    userId: number(auth.user_id),
    status: text(auth.status),
    applicationToken: required(auth, 'application_token', 'event auth'),
  }
  for (const secret of [parsed.accessToken, parsed.refreshToken, parsed.applicationToken]) secretRegistry.add(secret)
  return new IncomingEvent<D>({
    event,
    eventHandlerId: number(record.event_handler_id),
    data: (record.data ?? {}) as D,
    ts: number(record.ts) ?? 0,
    auth: parsed,
  })
}

/**
 * Parses the request a portal sends to an application page or widget. `query` is the URL's query string
 * (`DOMAIN`, `PROTOCOL`, `LANG`, `APP_SID`), `body` the form body.
 */
export function parsePlacementRequest(query: IncomingBody, body: IncomingBody): PlacementRequest {
  const record = { ...toRecord(query), ...toRecord(body) }
  const accessToken = required(record, 'AUTH_ID', 'not a Bitrix24 application request')
  secretRegistry.add(accessToken)
  secretRegistry.add(text(record.REFRESH_ID))
  secretRegistry.add(text(record.APPLICATION_TOKEN))
  let placementOptions: Record<string, unknown> = {}
  const rawOptions = record.PLACEMENT_OPTIONS
  if (typeof rawOptions === 'string' && rawOptions !== '') {
    try {
      placementOptions = JSON.parse(rawOptions) as Record<string, unknown>
    } catch {
      throw new BitrixValidationError({
        message: 'PLACEMENT_OPTIONS is not valid JSON',
        parameter: 'PLACEMENT_OPTIONS',
      })
    }
  } else if (typeof rawOptions === 'object' && rawOptions !== null)
    placementOptions = rawOptions as Record<string, unknown>
  return {
    domain: required(record, 'DOMAIN', 'not a Bitrix24 application request'),
    protocol: String(record.PROTOCOL ?? '1') === '0' ? 'http' : 'https',
    lang: text(record.LANG),
    appSid: text(record.APP_SID),
    accessToken,
    refreshToken: text(record.REFRESH_ID),
    expiresIn: number(record.AUTH_EXPIRES),
    memberId: required(record, 'member_id', 'not a Bitrix24 application request'),
    status: text(record.status),
    placement: text(record.PLACEMENT) ?? 'DEFAULT',
    placementOptions,
    serverEndpoint: text(record.SERVER_ENDPOINT),
    applicationToken: text(record.APPLICATION_TOKEN),
    scope: scopes(record.APPLICATION_SCOPE),
  }
}

/** Constant-time comparison of the event's `application_token` with the one stored at install time. */
export function verifyApplicationToken(event: IncomingEvent<unknown>, expected: string): boolean {
  const actual = event.auth.applicationToken
  if (typeof expected !== 'string' || expected.length === 0 || actual.length !== expected.length) return false
  let difference = 0
  for (let index = 0; index < actual.length; index++)
    difference |= actual.charCodeAt(index) ^ expected.charCodeAt(index)
  return difference === 0
}
