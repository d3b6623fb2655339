/** The `time` block of a response envelope, with the wire's snake_case keys in camelCase. */
export interface BitrixTime {
  /** Unix time (seconds, with fractions) when the portal started handling the request. */
  start: number
  finish: number
  /** `finish - start`, seconds. */
  duration: number
  /** Seconds spent inside the method handler. */
  processing: number
  dateStart: string
  dateFinish: string
  /** Server time this method has used for this app or webhook over the last 10 minutes, seconds. */
  operating?: number
  /** Unix time when the oldest minute of `operating` drops out of the window. */
  operatingResetAt?: number
}

export interface RawTime {
  start?: number
  finish?: number
  duration?: number
  processing?: number
  date_start?: string
  date_finish?: string
  operating?: number
  operating_reset_at?: number
}

export function parseTime(raw: RawTime | undefined): BitrixTime {
  const time: BitrixTime = {
    start: Number(raw?.start ?? 0),
    finish: Number(raw?.finish ?? 0),
    duration: Number(raw?.duration ?? 0),
    processing: Number(raw?.processing ?? 0),
    dateStart: String(raw?.date_start ?? ''),
    dateFinish: String(raw?.date_finish ?? ''),
  }
  if (raw?.operating !== undefined) time.operating = Number(raw.operating)
  if (raw?.operating_reset_at !== undefined) time.operatingResetAt = Number(raw.operating_reset_at)
  return time
}

/** How a REST 3.0 write was keyed, and whether the portal answered it from its idempotency store. */
export interface BitrixIdempotency {
  /** The `Idempotency-Key` the call carried (the caller's, or the one the SDK generated). */
  idempotencyKey: string
  /** The portal sent `Idempotent-Replayed: true`: the method did not run again, this is the stored answer. */
  replayed: boolean
}

/** What a method call returned: the value and the envelope's metadata. */
export class BitrixResponse<T> {
  readonly result: T
  readonly time: BitrixTime
  /** Number of records matching a list request (0 when counting was switched off with `start: -1`). */
  readonly total: number | undefined
  /** The `start` value of the next page, present when more records exist. */
  readonly next: number | undefined
  /** The `Idempotency-Key` of a REST 3.0 write, `undefined` for calls sent without one. */
  readonly idempotencyKey: string | undefined
  /** True when the portal answered a keyed REST 3.0 write from its store (`Idempotent-Replayed: true`). */
  readonly replayed: boolean

  constructor(result: T, time: BitrixTime, total?: number, next?: number, idempotency?: BitrixIdempotency) {
    this.result = result
    this.time = time
    this.total = total
    this.next = next
    this.idempotencyKey = idempotency?.idempotencyKey
    this.replayed = idempotency?.replayed ?? false
  }
}
