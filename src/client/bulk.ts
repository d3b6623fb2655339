/**
 * Bulk calls: any number of commands packed 50 per batch, each item's result or error reported in input order.
 * A batch is sent again only when the portal certainly did not run it (the dispatcher's retry rules), so no item
 * is written twice; when an item's fate is unknown (a timeout after sending, an unreadable answer, a command the
 * portal answered nothing for), its outcome says so with `unknown: true`.
 */
import { BitrixAPIError, BitrixAPIRateLimitError, type BitrixError } from '../errors/index.js'
import type { BatchCommand } from '../requests/batch.js'
import { type BatchEntry, planBatches } from '../requests/batch-plan.js'

/**
 * One call's outcome in `client.callMany(…)`: `{ ok: true, result }`, or `{ ok: false, error, unknown }` where
 * `unknown` says whether the call may have been applied anyway.
 */
export type BulkOutcome<T> =
  | { ok: true; result: T }
  | {
      ok: false
      error: BitrixError
      /**
       * True when the call may have been applied even though it failed (the request reached the portal and its
       * answer was lost or unreadable): check before sending a write again. False when the portal refused it.
       */
      unknown: boolean
    }

/** Options of `client.callMany(…)`: how many batches in flight, cancellation and progress. */
export interface BulkOptions {
  /**
   * Batches in flight at once; default 1, so the portal applies the calls in input order. With 2 or more, the next
   * batch is on its way while the portal works on one (the limiter paces them either way), which saves a round
   * trip per batch where the bucket allows a request sooner than a batch takes; but batches then race, and
   * items of different batches may be applied out of input order (a later row may get the lower ID, an update
   * may land before the add it follows). Use it only for calls that do not depend on each other's order.
   */
  concurrency?: number
  /**
   * Stops the run: batches not yet sent are not sent and `callMany` rejects with the signal's reason (batches the
   * portal already ran stay applied).
   */
  signal?: AbortSignal
  /** Called after each batch with the number of items done so far. */
  onProgress?: (done: number, total: number) => void
}

/** Sends one batch; the maps are keyed like the entries (their keys are input positions). */
export type SendChunk = (
  entries: readonly BatchEntry[],
  signal?: AbortSignal,
) => Promise<{ result: Record<string, unknown>; resultError: Record<string, BitrixError | undefined> }>

/**
 * Whether an error leaves the call's outcome unknown: the request may have reached the portal (`sent`) and no
 * answer says it was refused. An API error answered for the call or the whole batch is a refusal, except a 5xx
 * that is not a rate limit (the portal may have failed halfway through the batch).
 */
export function outcomeUnknown(error: BitrixError): boolean {
  if ('sent' in error && typeof error.sent === 'boolean') return error.sent
  if (error instanceof BitrixAPIError) return error.status >= 500 && !(error instanceof BitrixAPIRateLimitError)
  return false
}

function failed(error: BitrixError): BulkOutcome<never> {
  return { ok: false, error, unknown: outcomeUnknown(error) }
}

export async function runBulk<T>(
  commands: readonly BatchCommand[],
  sendChunk: SendChunk,
  options: BulkOptions = {},
): Promise<BulkOutcome<T>[]> {
  const outcomes: BulkOutcome<T>[] = new Array(commands.length)
  // Planned before anything is sent: a call and those it references share a batch, or nothing is sent.
  const chunks = planBatches(commands.map((command, index) => [String(index), command] as const))
  let next = 0
  let done = 0
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]
      try {
        const { result, resultError } = await sendChunk(chunk, options.signal)
        for (const [key] of chunk) {
          const error = resultError[key]
          outcomes[Number(key)] = error ? failed(error) : { ok: true, result: result[key] as T }
        }
      } catch (error) {
        if (options.signal?.aborted) throw error
        for (const [key] of chunk) outcomes[Number(key)] = failed(error as BitrixError)
      }
      done += chunk.length
      options.onProgress?.(done, commands.length)
    }
  }
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, chunks.length))
  await Promise.all(Array.from({ length: workers }, worker))
  return outcomes
}
