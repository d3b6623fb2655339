import { type BitrixErrorJSON, BitrixRequestError } from './base.js'

/** What a call was queued for: the request rate, a method's operating-time budget, or recovery from a refusal. */
export type QueueReason = 'bucket' | 'operating' | 'backoff'

/** What a `BitrixQueueTimeout` is built from: the call, what it waited for, and for how long. */
export interface BitrixQueueTimeoutOptions {
  /** The REST method of the call (`batch` for a batch). */
  method: string
  /** What it was waiting for. */
  reason: QueueReason
  /** The method whose budget held it (`operating`, `backoff`), or the call's own method / `batch` (`bucket`). */
  waitingFor: string
  /** How long it had been queued, ms. */
  waitedMs: number
  /** The bound it hit (`maxQueueWait`), ms. */
  maxQueueWaitMs: number
  /** The further wait that did not fit, ms; undefined when it was open-ended (calls in flight must report first). */
  neededMs?: number
}

function describe(reason: QueueReason, waitingFor: string): string {
  if (reason === 'bucket') return `a request slot of the portal's rate limit (${waitingFor})`
  if (reason === 'operating') return `the operating-time budget of ${waitingFor}`
  return `the portal to lift its block of ${waitingFor}`
}

/**
 * The call spent longer in the client's limiter than `maxQueueWait` allows. Nothing was sent (`sent: false`):
 * the call may be made again later.
 */
export class BitrixQueueTimeout extends BitrixRequestError {
  override readonly name: string = 'BitrixQueueTimeout'
  readonly reason: QueueReason
  readonly waitingFor: string
  readonly waitedMs: number
  readonly maxQueueWaitMs: number
  readonly neededMs: number | undefined

  constructor(options: BitrixQueueTimeoutOptions) {
    const needed = options.neededMs === undefined ? '' : `, ${Math.ceil(options.neededMs)} ms more needed`
    super({
      method: options.method,
      sent: false,
      message:
        `${options.method}: not sent, queued ${Math.round(options.waitedMs)} ms of maxQueueWait ` +
        `${options.maxQueueWaitMs} ms waiting for ${describe(options.reason, options.waitingFor)}${needed}`,
    })
    this.reason = options.reason
    this.waitingFor = options.waitingFor
    this.waitedMs = options.waitedMs
    this.maxQueueWaitMs = options.maxQueueWaitMs
    this.neededMs = options.neededMs
  }

  override toJSON(): BitrixErrorJSON {
    const { reason, waitingFor, waitedMs, maxQueueWaitMs, neededMs } = this
    return { ...super.toJSON(), reason, waitingFor, waitedMs, maxQueueWaitMs, neededMs }
  }
}
