/**
 * ID chunks: a filter on a list of IDs (`'@ID': [...]`) is split into chunks of 50, one command each, 50
 * commands per batch — 2,500 IDs per HTTP request, no counting, no offsets.
 */
import { buildQuery } from '../http/php-query.js'
import { MAX_BATCH_SIZE } from './batch.js'
import { filterOf, type ListSender, PAGE_SIZE, pick } from './list-common.js'
import { type ListShape, rowsOf } from './list-shape.js'

/** The IDs of an `@ID` filter, when the call has one. */
export function idListOf(params: Readonly<Record<string, unknown>>, shape: ListShape): unknown[] | undefined {
  const value = filterOf(params, shape).filter[`@${shape.filterId}`]
  return Array.isArray(value) ? value : undefined
}

export async function readByIdChunks(
  sender: ListSender,
  method: string,
  params: Readonly<Record<string, unknown>>,
  shape: ListShape,
  ids: readonly unknown[],
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<unknown[]> {
  const { key: filterKey, filter } = filterOf(params, shape)
  const unique = [...new Set(ids.map(String))]
  const chunks: string[][] = []
  for (let index = 0; index < unique.length; index += PAGE_SIZE) chunks.push(unique.slice(index, index + PAGE_SIZE))
  const rows: unknown[] = []
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  for (let index = 0; index < chunks.length && rows.length < limit; index += MAX_BATCH_SIZE) {
    const group = chunks.slice(index, index + MAX_BATCH_SIZE)
    const cmd: Record<string, string> = {}
    group.forEach((chunk, offset) => {
      const chunkFilter = { ...filter, [`@${shape.filterId}`]: chunk }
      const call = filterKey === null ? { ...params, ...chunkFilter } : { ...params, [filterKey]: chunkFilter }
      cmd[`i${index + offset}`] = `${method}?${buildQuery({ ...call, start: -1 })}`
    })
    const response = await sender.batch(
      cmd,
      group.map(() => method),
      options.signal,
    )
    for (const key of Object.keys(cmd)) {
      const error = pick(response.result.result_error, key)
      if (error !== undefined) throw sender.commandError(error, method)
      rows.push(...rowsOf(pick(response.result.result, key), shape.key))
    }
  }
  return rows.slice(0, limit)
}
