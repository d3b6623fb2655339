/** Builds `batch` commands and reads the five result maps back, keyed like the input. */
import { apiErrorFromResponse, type BitrixAPIError } from '../errors/index.js'
import { buildQuery } from '../http/php-query.js'
import { type AnyBatchRef, type BatchRefTarget, resolveRefs } from './batch-ref.js'
import { type BitrixTime, parseTime, type RawTime } from './response.js'

/** The most commands one `batch` request carries. */
export const MAX_BATCH_SIZE = 50

/** A command as a method and its parameters; a `BitrixRequest` is one too. */
export interface BatchCommand {
  readonly method: string
  readonly params: Readonly<Record<string, unknown>>
}

/** Per-command outcome maps, keyed like the commands (record keys, or array positions). */
export interface BatchResult<R> {
  /** Results of the commands that succeeded. */
  result: Partial<R>
  /** Errors of the commands that failed, as typed API errors. */
  resultError: Partial<Record<keyof R, BitrixAPIError>>
  resultTotal: Partial<Record<keyof R, number>>
  resultNext: Partial<Record<keyof R, number>>
  resultTime: Partial<Record<keyof R, BitrixTime>>
}

export function encodeCommand(command: BatchCommand, keyOf: (target: BatchRefTarget) => string | undefined): string {
  const params = resolveRefs(command.params, keyOf) as Record<string, unknown>
  const query = buildQuery(params)
  return query === '' ? command.method : `${command.method}?${query}`
}

/** Encodes commands for the `cmd` parameter; references to other commands are rendered with their keys. */
export function encodeCommands(entries: ReadonlyArray<readonly [string, BatchCommand]>): Record<string, string> {
  const keys = new Map<BatchRefTarget, string>()
  for (const [key, command] of entries) keys.set(command, key)
  const keyOf = (target: BatchRefTarget) => keys.get(target)
  const cmd: Record<string, string> = {}
  for (const [key, command] of entries) cmd[key] = encodeCommand(command, keyOf)
  return cmd
}

type RawMap = Record<string, unknown> | unknown[]

function entriesOf(map: unknown): Array<[string, unknown]> {
  if (Array.isArray(map)) return map.map((value, index) => [String(index), value])
  if (typeof map === 'object' && map !== null) return Object.entries(map)
  return []
}

export interface RawBatchResult {
  result?: RawMap
  result_error?: RawMap
  result_total?: RawMap
  result_next?: RawMap
  result_time?: RawMap
}

/** Reads the raw `batch` result into typed maps; errors become `BitrixAPIError` instances. */
export function parseBatchResult<R>(
  raw: RawBatchResult,
  methodOf: (key: string) => string | undefined,
): BatchResult<R> {
  const out = { result: {}, resultError: {}, resultTotal: {}, resultNext: {}, resultTime: {} } as {
    result: Record<string, unknown>
    resultError: Record<string, BitrixAPIError>
    resultTotal: Record<string, number>
    resultNext: Record<string, number>
    resultTime: Record<string, BitrixTime>
  }
  for (const [key, value] of entriesOf(raw.result)) out.result[key] = value
  for (const [key, value] of entriesOf(raw.result_error)) {
    const body = (typeof value === 'object' && value !== null ? value : { error: String(value) }) as {
      error: string
      error_description?: string
    }
    out.resultError[key] = apiErrorFromResponse(0, body, methodOf(key))
  }
  for (const [key, value] of entriesOf(raw.result_total)) out.resultTotal[key] = Number(value)
  for (const [key, value] of entriesOf(raw.result_next)) out.resultNext[key] = Number(value)
  for (const [key, value] of entriesOf(raw.result_time)) out.resultTime[key] = parseTime(value as RawTime)
  return out as unknown as BatchResult<R>
}

export type { AnyBatchRef }
