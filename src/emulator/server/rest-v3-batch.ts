/**
 * The REST 3.0 `batch` (rest-v3.md, "Batch call"): the body is a JSON array of `{ method, query }`, run in order;
 * `result` is the array of their results. A command may take values from earlier ones with `{ "$ref":
 * "alias.item.id" }` and `{ "$refArray": "alias.field" }` (alias = the command's `as`, else its index), as the
 * official JS SDK's BatchRefV3 builds them. Where the docs are silent the emulator follows that SDK (see
 * docs/emulator.md, "REST 3.0"): the batch is all-or-nothing for the answer — the first failing command stops it
 * and its error is the batch's answer (commands before it stay applied).
 */
import { type Params, RestError } from '../kernel.js'
import { invalidSelect, v3Error } from '../methods/v3/errors.js'
import type { Caller } from './auth.js'
import type { CallOutcome } from './calls.js'
import type { EmulatorClock } from './clock.js'
import { type TimeBlock, timeBlock } from './envelope.js'

/** As many commands as a v2 batch (and the JS SDK's MAX_BATCH_COMMANDS_V3). */
export const MAX_V3_BATCH_COMMANDS = 50

export interface V3Command {
  method: string
  query: Params
  /** The name later commands refer to it by; default its index. */
  as: string
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The commands of a batch body: a JSON array, or — as the official JS SDK sends it for an OAuth app, which
 * spreads the array into an object to add `auth` — an object whose keys are `0..n-1`. The v2 `cmd` form is
 * refused with INVALIDSELECTEXCEPTION, as documented.
 */
export function parseV3Commands(body: unknown): V3Command[] {
  let list: unknown[]
  if (Array.isArray(body)) list = body
  else if (isRecord(body) && Object.keys(body).length > 0 && Object.keys(body).every((k) => /^\d+$/.test(k))) {
    list = Object.entries(body)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, command]) => command)
  } else throw invalidSelect('The batch body must be a JSON array of { method, query } commands')
  if (list.length === 0) throw invalidSelect('The batch has no commands')
  if (list.length > MAX_V3_BATCH_COMMANDS) {
    throw v3Error('VALIDATION_REQUESTVALIDATIONEXCEPTION', 'Error validating request object', 400, [
      { field: 'batch', message: `A batch holds at most ${MAX_V3_BATCH_COMMANDS} commands` },
    ])
  }
  return list.map((command, index) => {
    if (!isRecord(command) || typeof command.method !== 'string' || command.method === '') {
      throw invalidSelect(`Command ${index} has no method`)
    }
    const query = command.query ?? {}
    if (!isRecord(query)) throw invalidSelect(`The query of command ${index} must be an object`)
    return { method: command.method, query, as: typeof command.as === 'string' ? command.as : String(index) }
  })
}

function walk(context: ReadonlyMap<string, unknown>, path: string): { found: boolean; value?: unknown } {
  const [alias, ...rest] = path.split('.')
  if (!context.has(alias)) return { found: false }
  let node = context.get(alias)
  for (const key of rest) {
    if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)]
    else if (isRecord(node) && Object.hasOwn(node, key)) node = node[key]
    else return { found: false }
  }
  return { found: true, value: node }
}

/** Replaces `$ref` / `$refArray` markers anywhere in `value` with what they point at in `context`. */
export function resolveReferences(value: unknown, context: ReadonlyMap<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveReferences(v, context))
  if (!isRecord(value)) return value
  const keys = Object.keys(value)
  if (keys.length === 1 && typeof value.$ref === 'string') {
    const hit = walk(context, value.$ref)
    if (!hit.found) throw invalidSelect(`Unable to resolve the reference \`${value.$ref}\``)
    return hit.value
  }
  if (keys.length === 1 && typeof value.$refArray === 'string') {
    const path = value.$refArray
    const dot = path.indexOf('.')
    if (dot < 0) throw invalidSelect(`The reference \`${path}\` must name a field: alias.field`)
    const items = walk(context, `${path.slice(0, dot)}.items`)
    if (!items.found || !Array.isArray(items.value)) throw invalidSelect(`Unable to resolve the reference \`${path}\``)
    const field = path.slice(dot + 1)
    return items.value.map((item) => (isRecord(item) ? item[field] : undefined)).filter((v) => v !== undefined)
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(v, context)]))
}

export interface V3BatchDeps {
  clock: EmulatorClock
  invoke(method: string, params: Params, caller: Caller): Promise<CallOutcome>
  /** True once the request was cut at the time limit: no further command runs. */
  stopped: () => boolean
}

/** Runs the commands in order; the first failure ends the batch with that command's error. */
export async function runV3Batch(
  commands: readonly V3Command[],
  caller: Caller,
  deps: V3BatchDeps,
): Promise<{ ok: true; result: unknown[]; time: TimeBlock } | { ok: false; error: RestError }> {
  const start = deps.clock.now()
  const context = new Map<string, unknown>()
  const results: unknown[] = []
  let processing = 0
  for (const command of commands) {
    if (deps.stopped()) break
    if (command.method.toLowerCase() === 'batch')
      return { ok: false, error: invalidSelect('A batch cannot hold a batch') }
    let query: Params
    try {
      query = resolveReferences(command.query, context) as Params
    } catch (error) {
      return { ok: false, error: error instanceof RestError ? error : invalidSelect(String(error)) }
    }
    const outcome = await deps.invoke(command.method, query, caller)
    if (!outcome.ok) return { ok: false, error: outcome.error }
    results.push(outcome.result)
    context.set(command.as, outcome.result)
    processing += outcome.time.processing
  }
  const finish = Math.max(deps.clock.now(), start + processing)
  return { ok: true, result: results, time: timeBlock(start, finish, processing, undefined, deps.clock.tzMinutes) }
}
