/**
 * `asListFast({ concurrency: 'auto' })`: the ID range cut into segments read by keyset, as many at once as the
 * method's operating-time budget allows. Before each segment starts, the reader takes the method's figures — from
 * the limiter's store when it keeps one (shared by every process that uses the store), else from the `time` of
 * the answers it saw — and keeps as many segments open as the budget left under `operatingShare` of the limit can
 * pay for in full. The limiter still paces every request, so neither the bucket nor the limit is exceeded.
 */
import { BitrixValidationError } from '../errors/index.js'
import type { OperatingBudget } from '../limits/limiter.js'
import { MAX_BATCH_SIZE, type RawBatchResult } from './batch.js'
import { type AsListFastOptions, type ListContext, PAGE_SIZE, type PageBudget } from './list-common.js'
import { idRange, readByKeyset } from './list-keyset.js'
import type { ListShape } from './list-shape.js'

/** Default share of the operating limit the read may bring the method to; the rest is the app's other calls'. */
export const DEFAULT_OPERATING_SHARE = 0.5
/** Default most segments read at once. */
export const DEFAULT_MAX_CONCURRENCY = 8
/** The portal's operating limit when nothing reports it: 480 s per 10 minutes. */
const DEFAULT_OPERATING_LIMIT = 480
/** Batches per segment: two, so a segment is worth starting and the pool can still adapt often. */
const SEGMENT_BATCHES = 2
/** IDs per segment (pages hold up to 50 rows, so a segment is at most this many pages over 50). */
const SEGMENT_IDS = PAGE_SIZE * MAX_BATCH_SIZE * SEGMENT_BATCHES

/** What the concurrency decision reads. */
export interface AutoConcurrencyInput {
  /** Server seconds the method used in the window. */
  operating: number
  /** Server seconds allowed per window. */
  limit: number
  /** Server seconds of one list page; undefined before any answer told it. */
  pageCost: number | undefined
  /** Share of `limit` the read may bring the method to. */
  share: number
  /** Most segments at once. */
  max: number
}

/**
 * How many segments may be open at once: each open segment may still spend up to a whole segment's pages, so the
 * budget left under `share × limit` divided by one segment's cost, between 1 and `max`. One until a page cost has
 * been seen. Segments already open count against it, so the read stays near the share (one segment over at
 * most, since one is always allowed); the limiter's own threshold still guards the limit itself.
 */
export function autoConcurrency(input: AutoConcurrencyInput): number {
  if (input.pageCost === undefined || !(input.pageCost > 0)) return 1
  const headroom = input.share * input.limit - input.operating
  const segmentCost = input.pageCost * MAX_BATCH_SIZE * SEGMENT_BATCHES
  return Math.max(1, Math.min(input.max, Math.floor(headroom / segmentCost)))
}

/** The method's figures as the answers of this read reported them (batch sub-calls' `time`). */
class ObservedBudget {
  operating = 0
  pageCost: number | undefined

  observe(raw: RawBatchResult | undefined): void {
    const times = raw?.result_time
    if (typeof times !== 'object' || times === null) return
    let total = 0
    let pages = 0
    for (const time of Object.values(times) as Array<{ operating?: unknown; processing?: unknown } | null>) {
      const operating = Number(time?.operating)
      const processing = Number(time?.processing)
      if (Number.isFinite(operating)) this.operating = Math.max(this.operating, operating)
      if (Number.isFinite(processing)) {
        total += processing
        pages++
      }
    }
    if (pages > 0) this.pageCost = total / pages
  }
}

export interface AutoOptions extends Pick<AsListFastOptions, 'descending' | 'after' | 'signal' | 'limit'> {
  operatingShare?: number
  maxConcurrency?: number
  onConcurrency?: (concurrency: number) => void
  budget: PageBudget
}

interface Lane {
  iterator: AsyncIterator<unknown>
  next: Promise<{ lane: Lane; result: IteratorResult<unknown> }>
}

/** Reads the list in ID segments, as many at once as the operating budget allows; rows interleave across segments. */
export async function* readAutoConcurrent(
  context: ListContext,
  params: Readonly<Record<string, unknown>>,
  shape: ListShape,
  options: AutoOptions,
): AsyncGenerator<unknown, void, undefined> {
  const share = options.operatingShare ?? DEFAULT_OPERATING_SHARE
  const max = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY
  if (!(share > 0 && share <= 1)) {
    throw new BitrixValidationError({
      method: context.method,
      parameter: 'operatingShare',
      expected: 'a number in (0, 1]',
      received: share,
    })
  }
  if (!(Number.isSafeInteger(max) && max >= 1)) {
    throw new BitrixValidationError({
      method: context.method,
      parameter: 'maxConcurrency',
      expected: 'a positive integer',
      received: max,
    })
  }
  const observed = new ObservedBudget()
  const { sender } = context
  const observing: ListContext = {
    ...context,
    sender: {
      send: (method, sent, signal) => sender.send(method, sent, signal),
      commandError: (raw, method) => sender.commandError(raw, method),
      batch: async (cmd, methods, signal) => {
        const response = await sender.batch(cmd, methods, signal)
        observed.observe(response.result)
        return response
      },
    },
  }
  const range = await idRange(context, params, shape, options)
  if (!range) return
  const { low, high } = range
  const descending = options.descending === true
  // Segments in reading order: ascending from the low end, or descending from the high end.
  const segments: Array<[from: number, to: number]> = []
  for (let from = low; from <= high; from += SEGMENT_IDS) segments.push([from, Math.min(high, from + SEGMENT_IDS - 1)])
  if (descending) segments.reverse()

  const allowed = async (): Promise<number> => {
    const stored: OperatingBudget | undefined = await sender.operatingBudget?.(context.method)
    const concurrency = autoConcurrency({
      operating: Math.max(stored?.operating ?? 0, observed.operating),
      limit: stored?.limit ?? DEFAULT_OPERATING_LIMIT,
      pageCost: observed.pageCost ?? stored?.cost,
      share,
      max,
    })
    options.onConcurrency?.(concurrency)
    return concurrency
  }
  const lanes = new Set<Lane>()
  const open = (segment: [number, number]) => {
    const [from, to] = segment
    const iterator = readByKeyset(observing, params, shape, {
      descending,
      after: descending ? to + 1 : from - 1,
      until: descending ? from : to,
      signal: options.signal,
      budget: options.budget,
    })[Symbol.asyncIterator]()
    const lane: Lane = { iterator, next: undefined as unknown as Lane['next'] }
    lane.next = iterator.next().then((result) => ({ lane, result }))
    lanes.add(lane)
  }
  const fill = async () => {
    const wanted = await allowed()
    while (lanes.size < wanted && segments.length > 0) open(segments.shift() as [number, number])
  }
  let remaining = options.limit ?? Number.POSITIVE_INFINITY
  try {
    await fill()
    while (lanes.size > 0) {
      const { lane, result } = await Promise.race([...lanes].map((each) => each.next))
      if (result.done) {
        lanes.delete(lane)
        if (segments.length > 0) await fill()
        continue
      }
      lane.next = lane.iterator.next().then((next) => ({ lane, result: next }))
      yield result.value
      if (--remaining <= 0) return
    }
  } finally {
    await Promise.allSettled([...lanes].map((lane) => lane.iterator.return?.()))
  }
}
