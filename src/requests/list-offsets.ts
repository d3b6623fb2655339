/** Offsets: the first page, then every remaining `start` sent 50 pages per batch. Works for any sort order. */
import { buildQuery } from '../http/php-query.js'
import { MAX_BATCH_SIZE } from './batch.js'
import { type ListSender, PAGE_SIZE, pick } from './list-common.js'
import { detectListShape, type ListShape, rowsOf } from './list-shape.js'

export async function readAllByOffsets(
  sender: ListSender,
  method: string,
  params: Record<string, unknown>,
  known: ListShape | undefined,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<unknown[]> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  const firstStart = Number(params.start ?? 0) > 0 ? Number(params.start) : 0
  const first = await sender.send<unknown>(method, { ...params, start: firstStart }, options.signal)
  const key = (known ?? detectListShape(first.result))?.key ?? null
  const rows = [...rowsOf(first.result, key)]
  if (first.next === undefined || rows.length >= limit) return rows.slice(0, limit)
  const total = first.total ?? 0
  const starts: number[] = []
  for (let start = first.next; start < total && rows.length + starts.length * PAGE_SIZE < limit; start += PAGE_SIZE) {
    starts.push(start)
  }
  for (let index = 0; index < starts.length; index += MAX_BATCH_SIZE) {
    const chunk = starts.slice(index, index + MAX_BATCH_SIZE)
    const cmd: Record<string, string> = {}
    for (const start of chunk) cmd[`p${start}`] = `${method}?${buildQuery({ ...params, start })}`
    const response = await sender.batch(
      cmd,
      chunk.map(() => method),
      options.signal,
    )
    for (const start of chunk) {
      const error = pick(response.result.result_error, `p${start}`)
      if (error !== undefined) throw sender.commandError(error, method)
      rows.push(...rowsOf(pick(response.result.result, `p${start}`), key))
    }
  }
  return rows.slice(0, limit)
}
