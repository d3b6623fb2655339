/**
 * Offsets: the first page, then the following `start` offsets, many pages per batch. Works for any sort order.
 * Nothing the server claims is trusted: `total` only caps the plan, a short page ends the read, a page of rows
 * already read is an error, and each batch carries only as many pages as the server can answer well inside
 * its 60-second cut, judged by the time the pages so far took.
 */
import { describeValue } from '../errors/index.js'
import { buildQuery } from '../http/php-query.js'
import { MAX_BATCH_SIZE } from './batch.js'
import {
  commandResult,
  type ListContext,
  listError,
  PAGE_SIZE,
  type PageBudget,
  pageRows,
  pick,
} from './list-common.js'
import { detectListShape, type ListShape } from './list-shape.js'

/** Server seconds one batch of pages is planned to take: a third of the portal's 60-second cut. */
export const BATCH_SERVER_SECONDS = 20
/** Deeper pages cost more; plan each page at this multiple of the slowest page seen so far. */
const GROWTH = 1.5

/** Keeps the rows read so far, each once; a page of nothing but repeats means the server ignores `start`. */
class OffsetRows {
  readonly rows: unknown[] = []
  readonly #seen = new Set<string>()
  #lastPage = ''

  constructor(
    readonly context: ListContext,
    readonly idField: string | undefined,
  ) {}

  add(page: readonly unknown[], start: number): void {
    if (page.length === 0) return
    const ids = page.map((row) => this.#idOf(row))
    if (ids.every((id) => id !== undefined)) {
      const fresh = page.filter((_, index) => !this.#seen.has(ids[index] as string))
      if (fresh.length === 0) this.#repeat(start, `every row of it (${this.idField} ${ids[0]}, …) was read before`)
      for (const id of ids) this.#seen.add(id as string)
      this.rows.push(...fresh)
      return
    }
    const signature = JSON.stringify(page)
    if (signature === this.#lastPage) this.#repeat(start, 'it is the same as the page before')
    this.#lastPage = signature
    this.rows.push(...page)
  }

  #idOf(row: unknown): string | undefined {
    if (this.idField === undefined || typeof row !== 'object' || row === null) return undefined
    const value = (row as Record<string, unknown>)[this.idField]
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
  }

  #repeat(start: number, why: string): never {
    throw listError(
      this.context,
      'repeat',
      `the page at start=${start} repeats rows already read: ${why} — the method ignores "start"`,
      'read it with asListFast(), or page it yourself',
      this.idField,
    )
  }
}

export async function readAllByOffsets(
  context: ListContext,
  params: Record<string, unknown>,
  known: ListShape | undefined,
  options: { limit?: number; signal?: AbortSignal; budget: PageBudget },
): Promise<unknown[]> {
  const { sender, method } = context
  const { budget, signal } = options
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  const firstStart = Number(params.start ?? 0) > 0 ? Number(params.start) : 0
  budget.take(1)
  const first = await sender.send<unknown>(method, { ...params, start: firstStart }, signal)
  const shape = known ?? detectListShape(first.result)
  if (shape === undefined && !Array.isArray(first.result)) {
    throw listError(
      context,
      'shape',
      `result is ${describeValue(first.result)}, not a list of rows`,
      'asList()/asListFast() read list methods only; call the method directly to see its result',
    )
  }
  const key = shape?.key ?? null
  const collected = new OffsetRows(context, shape?.rowId)
  const firstRows = pageRows(context, first.result, key)
  collected.add(firstRows, firstStart)
  // Only a short page ends the read: `next` and `total` are the server's word, not evidence.
  if (firstRows.length < PAGE_SIZE) return collected.rows.slice(0, limit)
  // `total` is 0 when counting was switched off; a claimed total only ever shortens the plan.
  const claimed = first.total !== undefined && first.total > 0 ? first.total : Number.POSITIVE_INFINITY
  let start = firstStart + PAGE_SIZE
  let pageSeconds = first.time.processing
  while (collected.rows.length < limit && start < claimed) {
    const affordable = Math.floor(BATCH_SERVER_SECONDS / Math.max(pageSeconds * GROWTH, 1e-6))
    const wanted = Math.max(
      1,
      Math.min(
        MAX_BATCH_SIZE,
        affordable,
        Math.ceil((claimed - start) / PAGE_SIZE),
        Math.ceil((limit - collected.rows.length) / PAGE_SIZE),
      ),
    )
    const pages = budget.take(wanted)
    const starts = Array.from({ length: pages }, (_, index) => start + index * PAGE_SIZE)
    const cmd: Record<string, string> = {}
    for (const offset of starts) cmd[`p${offset}`] = `${method}?${buildQuery({ ...params, start: offset })}`
    const response = await sender.batch(
      cmd,
      starts.map(() => method),
      signal,
    )
    let slowest = 0
    for (const offset of starts) {
      const commandKey = `p${offset}`
      const rows = pageRows(context, commandResult(context, response, commandKey), key)
      collected.add(rows, offset)
      const time = pick(response.result.result_time, commandKey)
      slowest = Math.max(slowest, Number(pick(time, 'processing')) || 0)
      // A short page is the last one, whatever `total` said.
      if (rows.length < PAGE_SIZE) return collected.rows.slice(0, limit)
    }
    pageSeconds = slowest > 0 ? slowest : response.time.processing / pages
    start += pages * PAGE_SIZE
  }
  return collected.rows.slice(0, limit)
}
