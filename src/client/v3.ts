/**
 * `client.v3`: REST 3.0 (`/rest/api/`) by the documented names (`client.v3.tasks.task.get(…)`), a generic `call`,
 * and the REST 3.0 batch (`callBatch`, `callBatches`): commands as a JSON list, results in order, references to
 * earlier results with `ref(request).item.id`.
 */
import { BitrixValidationError } from '../errors/index.js'
import type { V3MethodMap, V3MethodTree } from '../methods/generated/v3.js'
import type { BatchCommand } from '../requests/batch.js'
import { type BatchEntry, planBatches, planOneBatch } from '../requests/batch-plan.js'
import type { BitrixRequest } from '../requests/request.js'
import { BitrixResponse } from '../requests/response.js'
import { encodeV3Commands } from '../requests/v3-batch.js'
import type { ResultOf } from './client.js'
import type { CallOptions, Dispatcher } from './dispatcher.js'
import { createV3Tree } from './tree.js'

/** REST 3.0 batch results: by name for named commands, by position for a list. */
export type V3BatchResults<C> = { [K in keyof C]: ResultOf<C[K]> }

/** The parameters of a documented REST 3.0 method by name: `V3MethodParams<'tasks.task.list'>`. */
export type V3MethodParams<M extends keyof V3MethodMap> = V3MethodMap[M]['params']
/** What a documented REST 3.0 method returns in `result`, by name: `V3MethodResult<'tasks.task.get'>`. */
export type V3MethodResult<M extends keyof V3MethodMap> = V3MethodMap[M]['result']

/** Any REST 3.0 method by name; typed when the name is a documented REST 3.0 method. */
export interface V3CallFunction {
  <M extends keyof V3MethodMap>(
    method: M,
    params?: V3MethodParams<M>,
    options?: CallOptions,
  ): BitrixRequest<V3MethodResult<M>>
  <T = unknown>(method: string, params?: Record<string, unknown>, options?: CallOptions): BitrixRequest<T>
}

/** The REST 3.0 batch and generic call of `client.v3`. */
export interface V3Members {
  /** Any REST 3.0 method by name; also carries the documented `call.*` methods (`client.v3.call.followup.list`). */
  call: V3CallFunction & V3MethodTree['call']
  /**
   * Up to 50 REST 3.0 commands in one request, run in order; results by name (named commands) or position. A
   * command may take `ref(earlier).item.id` in its parameters. A failing command fails the batch with its typed
   * error. Requests must be REST 3.0 ones (`client.v3.…`).
   */
  callBatch<const C extends Record<string, BatchCommand> | readonly BatchCommand[]>(
    commands: C,
    options?: CallOptions,
  ): Promise<BitrixResponse<V3BatchResults<C>>>
  /**
   * Any number of REST 3.0 commands, sent 50 per batch in order (a command and the ones it references travel
   * together); the results are merged by name or position.
   */
  callBatches<const C extends Record<string, BatchCommand> | readonly BatchCommand[]>(
    commands: C,
    options?: CallOptions,
  ): Promise<V3BatchResults<C>>
}

/** `client.v3`: every documented REST 3.0 method by name, the generic `call` and the REST 3.0 batch. */
export type V3Client = Omit<V3MethodTree, 'call'> & V3Members

type MakeRequest = (method: string, params?: Record<string, unknown>, options?: CallOptions) => BitrixRequest<unknown>

function entriesOf(commands: Record<string, BatchCommand> | readonly BatchCommand[]): BatchEntry[] {
  if (typeof commands !== 'object' || commands === null) {
    throw new BitrixValidationError({
      message: 'batch commands must be an object of named requests or an array of requests',
      method: 'batch',
    })
  }
  const entries: BatchEntry[] = Array.isArray(commands)
    ? commands.map((command, index) => [String(index), command] as const)
    : Object.entries(commands)
  for (const [key, command] of entries) {
    if (typeof command?.method !== 'string' || command.method.toLowerCase() === 'batch') {
      throw new BitrixValidationError({
        message: `batch command "${key}" must be a request such as client.v3.tasks.task.get({ id: 1 })`,
        method: 'batch',
        parameter: key,
      })
    }
  }
  return entries
}

async function sendChunk(
  dispatcher: Dispatcher,
  chunk: readonly BatchEntry[],
  positional: boolean,
  options: CallOptions,
): Promise<BitrixResponse<unknown[]>> {
  const body = encodeV3Commands(chunk, positional)
  const response = await dispatcher.send<unknown[]>(
    'batch',
    body,
    { ...options, apiVersion: 3 },
    chunk.map(([, command]) => command.method),
  )
  if (response.result.length !== chunk.length) {
    throw new BitrixValidationError({
      message: `the REST 3.0 batch answered ${response.result.length} results for ${chunk.length} commands`,
      method: 'batch',
    })
  }
  return response
}

function place(target: Record<string, unknown> | unknown[], chunk: readonly BatchEntry[], results: readonly unknown[]) {
  chunk.forEach(([key], index) => {
    ;(target as Record<string, unknown>)[key] = results[index]
  })
}

/** Builds `client.v3` over the client's request factory and dispatcher. */
export function createV3Client(makeRequest: MakeRequest, dispatcher: Dispatcher): V3Client {
  const v3Request: MakeRequest = (method, params, options) => makeRequest(method, params, { ...options, apiVersion: 3 })
  const members: V3Members = {
    call: v3Request as V3Members['call'],
    async callBatch(commands, options = {}) {
      const entries = entriesOf(commands)
      planOneBatch(entries)
      const positional = Array.isArray(commands)
      const response = await sendChunk(dispatcher, entries, positional, options)
      const results: Record<string, unknown> | unknown[] = positional ? [] : Object.create(null)
      place(results, entries, response.result)
      return new BitrixResponse(results as never, response.time, response.total, response.next)
    },
    async callBatches(commands, options = {}) {
      const entries = entriesOf(commands)
      const positional = Array.isArray(commands)
      const results: Record<string, unknown> | unknown[] = positional ? [] : Object.create(null)
      for (const chunk of planBatches(entries))
        place(results, chunk, (await sendChunk(dispatcher, chunk, positional, options)).result)
      return results as never
    },
  }
  return createV3Tree({ call: v3Request }, members) as unknown as V3Client
}
