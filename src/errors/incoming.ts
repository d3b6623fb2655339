import { BitrixError, type BitrixErrorJSON } from './base.js'

/** Why an incoming call (an event, an app page, a robot call, an OAuth redirect) was refused. */
export type BitrixIncomingRejectionReason =
  /** Not a form or JSON body the portal sends: bad JSON, unbalanced brackets, prototype keys (`__proto__`). */
  | 'malformed'
  /** A field every such call carries is missing (`event`, `auth[member_id]`, `AUTH_ID`, `code`, …). */
  | 'missing-field'
  /** The body is larger than the handler accepts (`maxBodyBytes`). */
  | 'too-large'
  /** The `application_token` differs from the one stored at install time (or the app could not confirm it). */
  | 'forged'
  /** No installation is known for the portal's `member_id`, so nothing can vouch for the call. */
  | 'unknown-installation'
  /** The OAuth `state` is not one this app signed (or was signed for another session). */
  | 'state-invalid'
  /** The OAuth `state` was signed by this app but has expired. */
  | 'state-expired'
  /** A method the handler does not serve (anything but POST for events, robots and pages). */
  | 'method'

const STATUS: Record<BitrixIncomingRejectionReason, number> = {
  malformed: 400,
  'missing-field': 400,
  'too-large': 413,
  forged: 401,
  'unknown-installation': 401,
  'state-invalid': 400,
  'state-expired': 400,
  method: 405,
}

/** What a `BitrixIncomingRejected` reports. */
export interface BitrixIncomingRejectedOptions {
  reason: BitrixIncomingRejectionReason
  /** What is wrong, in a few words (never a token value). */
  detail: string
  /** The field involved (`auth[application_token]`, `PLACEMENT_OPTIONS`, `state`), when one is. */
  field?: string
  /** The event code, when the body got far enough to tell it. */
  event?: string
}

/**
 * A call from outside (a portal event, an app page, a robot call, the OAuth redirect) that the app must not trust:
 * forged, malformed, incomplete or too large. Nothing was stored and no handler of the app ran. `status` is the
 * HTTP status a handler answers with (400, 401, 405 or 413).
 *
 * @example
 * // ONCRMDEALADD rejected (forged): auth[application_token] does not match the installation of member_id a223…
 */
export class BitrixIncomingRejected extends BitrixError {
  override readonly name: string = 'BitrixIncomingRejected'
  readonly reason: BitrixIncomingRejectionReason
  readonly field: string | undefined
  readonly event: string | undefined
  /** HTTP status to answer the caller with. */
  readonly status: number

  constructor(options: BitrixIncomingRejectedOptions) {
    const subject = options.event === undefined ? 'Incoming call' : options.event
    super(`${subject} rejected (${options.reason}): ${options.detail}`)
    this.reason = options.reason
    this.field = options.field
    this.event = options.event
    this.status = STATUS[options.reason]
  }

  override toJSON(): BitrixErrorJSON {
    const { reason, field, event, status } = this
    return { ...super.toJSON(), reason, field, event, status }
  }
}
