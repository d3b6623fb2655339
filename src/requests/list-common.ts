/** What every list reader shares: the sender it reads through, options, and small helpers. */
import type { BitrixAPIError } from '../errors/index.js'
import { BitrixValidationError } from '../errors/index.js'
import type { RawBatchResult } from './batch.js'
import { knownListShape, type ListShape } from './list-shape.js'
import type { BitrixResponse } from './response.js'

/** Rows per page of every REST v2 list method. */
export const PAGE_SIZE = 50

/** What list readers need from the client. */
export interface ListSender {
  send<T>(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<BitrixResponse<T>>
  batch(
    cmd: Record<string, string>,
    methods: readonly string[],
    signal?: AbortSignal,
  ): Promise<BitrixResponse<RawBatchResult>>
  /** Builds the typed error of a failed batch command. */
  commandError(raw: unknown, method: string): BitrixAPIError
}

export interface AsListOptions {
  /** Stop after this many records. */
  limit?: number
  signal?: AbortSignal
  /**
   * How to page: `auto` (default) picks the cheapest correct way — ID chunks for an `@ID` filter, keyset when the
   * order allows it, batched offsets otherwise.
   */
  strategy?: 'auto' | 'offsets' | 'keyset' | 'idChunks'
}

export interface AsListFastOptions {
  /** Stop after this many records. */
  limit?: number
  signal?: AbortSignal
  /** Newest (highest ID) first. */
  descending?: boolean
  /** Resume after this ID (exclusive): the last ID a previous, interrupted read yielded. */
  after?: number
  /**
   * Read this many disjoint ID ranges in parallel (default 1). Records then arrive in ID order within each
   * range, interleaved across ranges.
   */
  concurrency?: number
}

export function findKey(params: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const lower = name.toLowerCase()
  return Object.keys(params).find((key) => key.toLowerCase() === lower)
}

/** A value of a raw batch result map (`result`, `result_error`, …) by command key. */
export function pick(map: unknown, key: string): unknown {
  if (map === null || typeof map !== 'object') return undefined
  return (map as Record<string, unknown>)[key]
}

/** The shape of a list method from the catalogue, undefined when uncatalogued; throws for non-list methods. */
export function listShapeOf(method: string): ListShape | undefined {
  if (!/\.(list|get|search|getlist)$|^user\.get$|^department\.get$/i.test(method)) {
    throw new BitrixValidationError({
      message: 'not a list method; asList()/asListFast() read list methods only',
      method,
    })
  }
  return knownListShape(method)
}

/** The filter object of a list call and the key it sits under (null: filter fields at the top level). */
export function filterOf(
  params: Readonly<Record<string, unknown>>,
  shape: ListShape | undefined,
): { key: string | null; filter: Record<string, unknown> } {
  const key = findKey(params, 'filter') ?? (shape?.filterParam === null ? null : (shape?.filterParam ?? 'filter'))
  const source = key === null ? params : params[key]
  return {
    key,
    filter: typeof source === 'object' && source !== null ? { ...(source as Record<string, unknown>) } : {},
  }
}
