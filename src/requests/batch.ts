/** Builds `batch` commands and reads the five result maps back, keyed like the input. */
import { apiErrorFromResponse, type BitrixAPIError, BitrixAPIOutcomeUnknown } from '../errors/index.js'
import { isRecord, numeric, timeProblem } from '../http/envelope.js'
import { buildQuery } from '../http/php-query.js'
import { isReadMethod } from '../http/retry.js'
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
  /**
   * Errors of the commands that failed, as typed API errors; a command the portal answered neither a result nor
   * an error for gets a `BitrixAPIOutcomeUnknown` (a write's outcome is then unknown).
   */
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
  const cmd: Record<string, string> = Object.create(null)
  for (const [key, command] of entries) cmd[key] = encodeCommand(command, keyOf)
  return cmd
}

type RawMap = Record<string, unknown> | unknown[]

export interface RawBatchResult {
  result?: RawMap
  result_error?: RawMap
  result_total?: RawMap
  result_next?: RawMap
  result_time?: RawMap
}

/** The entry of a raw batch map (an object, or a list when the keys are 0..n-1) under `key`, if it has one. */
function entryOf(map: unknown, key: string): { value: unknown } | undefined {
  if (typeof map !== 'object' || map === null || !Object.hasOwn(map, key)) return undefined
  return { value: (map as Record<string, unknown>)[key] }
}

/** Empty outcome maps with no prototype: a command key such as `__proto__` stays an ordinary key. */
export function emptyBatchMaps(): Record<keyof BatchResult<unknown>, Record<string, unknown>> {
  return {
    result: Object.create(null),
    resultError: Object.create(null),
    resultTotal: Object.create(null),
    resultNext: Object.create(null),
    resultTime: Object.create(null),
  }
}

/** The error of a command the portal answered neither a result nor an error for: its outcome is unknown. */
function missingOutcome(key: string, method: string): BitrixAPIOutcomeUnknown {
  const write = isReadMethod(method) ? '' : '; the write may have been applied'
  return new BitrixAPIOutcomeUnknown({
    error: '',
    errorDescription: `the batch answered neither a result nor an error for command "${key}"${write}`,
    method,
  })
}

/**
 * Reads the raw `batch` result into typed maps, command by command (keys the portal invented are ignored). Errors
 * become `BitrixAPIError`s; a command with neither a result nor an error gets a `BitrixAPIOutcomeUnknown`,
 * unless `halt` stopped the batch at an earlier failure: then it was not run and is in no map.
 */
export function parseBatchResult<R>(
  raw: RawBatchResult,
  commands: ReadonlyArray<readonly [key: string, method: string]>,
  options: { halt?: boolean } = {},
): BatchResult<R> {
  const out = emptyBatchMaps()
  let halted = false
  for (const [key, method] of commands) {
    const error = entryOf(raw.result_error, key)
    if (error) {
      const body = typeof error.value === 'object' && error.value !== null ? error.value : { error: error.value }
      out.resultError[key] = apiErrorFromResponse(0, body as { error: string }, method)
      halted = options.halt === true
      continue
    }
    const result = entryOf(raw.result, key)
    if (!result) {
      if (!halted) out.resultError[key] = missingOutcome(key, method)
      continue
    }
    out.result[key] = result.value
    const total = numeric(entryOf(raw.result_total, key)?.value)
    if (total !== undefined) out.resultTotal[key] = total
    const next = numeric(entryOf(raw.result_next, key)?.value)
    if (next !== undefined) out.resultNext[key] = next
    const time = entryOf(raw.result_time, key)?.value
    if (isRecord(time) && timeProblem(time) === undefined) out.resultTime[key] = parseTime(time as RawTime)
  }
  return out as unknown as BatchResult<R>
}

export type { AnyBatchRef }
