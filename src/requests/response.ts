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

/** What a method call returned: the value and the envelope's metadata. */
export class BitrixResponse<T> {
  readonly result: T
  readonly time: BitrixTime
  /** Number of records matching a list request (0 when counting was switched off with `start: -1`). */
  readonly total: number | undefined
  /** The `start` value of the next page, present when more records exist. */
  readonly next: number | undefined

  constructor(result: T, time: BitrixTime, total?: number, next?: number) {
    this.result = result
    this.time = time
    this.total = total
    this.next = next
  }
}
