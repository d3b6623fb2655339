/**
 * Bulk calls: any number of commands packed 50 per batch, each item's result or error reported in input order.
 * A batch is sent again only when the portal certainly did not run it (the dispatcher's retry rules), so no item
 * is written twice; when a batch's fate is unknown (a timeout after sending), each of its items reports that error.
 */
import type { BitrixError } from '../errors/index.js'
import { type BatchCommand, MAX_BATCH_SIZE } from '../requests/batch.js'

export type BulkOutcome<T> = { ok: true; result: T } | { ok: false; error: BitrixError }

export interface BulkOptions {
  /**
   * Batches in flight at once; default 2, so the next batch is on its way while the portal works on one (the
   * limiter paces them either way). Items of different batches may then be applied out of input order.
   */
  concurrency?: number
  signal?: AbortSignal
  /** Called after each batch with the number of items done so far. */
  onProgress?: (done: number, total: number) => void
}

export type SendChunk = (
  commands: readonly BatchCommand[],
  signal?: AbortSignal,
) => Promise<{ results: unknown[]; errors: Array<BitrixError | undefined> }>

export async function runBulk<T>(
  commands: readonly BatchCommand[],
  sendChunk: SendChunk,
  options: BulkOptions = {},
): Promise<BulkOutcome<T>[]> {
  const outcomes: BulkOutcome<T>[] = new Array(commands.length)
  const chunks: number[] = []
  for (let start = 0; start < commands.length; start += MAX_BATCH_SIZE) chunks.push(start)
  let next = 0
  let done = 0
  const worker = async () => {
    while (next < chunks.length) {
      const start = chunks[next++]
      const chunk = commands.slice(start, start + MAX_BATCH_SIZE)
      try {
        const { results, errors } = await sendChunk(chunk, options.signal)
        chunk.forEach((_, offset) => {
          const error = errors[offset]
          outcomes[start + offset] = error ? { ok: false, error } : { ok: true, result: results[offset] as T }
        })
      } catch (error) {
        if (options.signal?.aborted) throw error
        for (let offset = 0; offset < chunk.length; offset++) {
          outcomes[start + offset] = { ok: false, error: error as BitrixError }
        }
      }
      done += chunk.length
      options.onProgress?.(done, commands.length)
    }
  }
  const workers = Math.max(1, Math.min(options.concurrency ?? 2, chunks.length))
  await Promise.all(Array.from({ length: workers }, worker))
  return outcomes
}
