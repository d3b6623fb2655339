/**
 * ID chunks: a filter on a list of IDs (`'@ID': [...]`) is split into chunks of 50, one command each, 50
 * commands per batch — 2,500 IDs per HTTP request, no counting, no offsets.
 */
import { buildQuery } from '../http/php-query.js'
import { MAX_BATCH_SIZE } from './batch.js'
import { commandResult, filterOf, type ListContext, PAGE_SIZE, type PageBudget, pageRows } from './list-common.js'
import type { ListShape } from './list-shape.js'

/** The IDs of an `@ID` filter, when the call has one. */
export function idListOf(params: Readonly<Record<string, unknown>>, shape: ListShape): unknown[] | undefined {
  const value = filterOf(params, shape).filter[`@${shape.filterId}`]
  return Array.isArray(value) ? value : undefined
}

export async function readByIdChunks(
  context: ListContext,
  params: Readonly<Record<string, unknown>>,
  shape: ListShape,
  ids: readonly unknown[],
  options: { limit?: number; signal?: AbortSignal; budget: PageBudget },
): Promise<unknown[]> {
  const { sender, method } = context
  const { key: filterKey, filter } = filterOf(params, shape)
  const unique = [...new Set(ids.map(String))]
  const chunks: string[][] = []
  for (let index = 0; index < unique.length; index += PAGE_SIZE) chunks.push(unique.slice(index, index + PAGE_SIZE))
  const rows: unknown[] = []
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  for (let index = 0; index < chunks.length && rows.length < limit; ) {
    const group = chunks.slice(index, index + options.budget.take(Math.min(MAX_BATCH_SIZE, chunks.length - index)))
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
    for (const key of Object.keys(cmd))
      rows.push(...pageRows(context, commandResult(context, response, key), shape.key))
    index += group.length
  }
  return rows.slice(0, limit)
}
