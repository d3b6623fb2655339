/**
 * The REST 3.0 batch (`api-reference/rest-v3.md#batch`): the body is a JSON list of `{ method, query }` run in
 * order, the result a list in the same order. References to earlier results are `{ "$ref": "alias.item.id" }`
 * objects, the alias being the `as` of an earlier command, as the official JS SDK's `actions.v3` sends them; they
 * are written with the same `ref(request).item.id` helper as REST 2 batches. A failed command fails the whole
 * batch with that command's error (the JS SDK reads REST 3.0 batches as all-or-nothing too).
 */
import { BitrixValidationError } from '../errors/index.js'
import type { BatchCommand } from './batch.js'
import type { BatchEntry } from './batch-plan.js'
import { type AnyBatchRef, type BatchRefTarget, isBatchRef, refState } from './batch-ref.js'

/** Parameters whose values, and the values of their object members, may be `ref(...)` references to earlier commands. */
export type WithV3Refs<P> = {
  [K in keyof P]:
    | P[K]
    | AnyBatchRef
    | (NonNullable<P[K]> extends readonly unknown[]
        ? never
        : NonNullable<P[K]> extends object
          ? { [J in keyof NonNullable<P[K]>]: NonNullable<P[K]>[J] | AnyBatchRef }
          : never)
}

/** One command of a REST 3.0 batch as it goes on the wire. */
export interface V3BatchCommand {
  method: string
  query: Record<string, unknown>
  /** The name later commands reference this one's result by. */
  as: string
}

/** The alias a command travels under: its name, or `c<index>` for a command given by position. */
export function v3Alias(key: string, positional: boolean): string {
  return positional ? `c${key}` : key
}

function renderV3Ref(value: AnyBatchRef, aliasOf: (target: BatchRefTarget | string) => string | undefined) {
  const state = refState(value)
  const alias = aliasOf(state.target)
  if (alias === undefined || state.source !== 'result') {
    throw new BitrixValidationError({
      message:
        state.source === 'result'
          ? 'a REST 3.0 batch reference points at a request that is not in this batch; put the request in the same call'
          : 'REST 3.0 batches reference results only (ref(request).item.id), not next or total',
      method: 'batch',
    })
  }
  return { $ref: [alias, ...state.path].join('.') }
}

function resolve(value: unknown, aliasOf: (target: BatchRefTarget | string) => string | undefined): unknown {
  if (isBatchRef(value)) return renderV3Ref(value, aliasOf)
  if (Array.isArray(value)) return value.map((item) => resolve(item, aliasOf))
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = resolve(item, aliasOf)
    return out
  }
  return value
}

/** The wire form of planned entries; references become `{ $ref }` objects naming earlier commands' aliases. */
export function encodeV3Commands(entries: readonly BatchEntry[], positional: boolean): V3BatchCommand[] {
  const aliases = new Map<BatchCommand, string>()
  const byKey = new Map<string, string>()
  return entries.map(([key, command]) => {
    const alias = v3Alias(key, positional)
    const aliasOf = (target: BatchRefTarget | string) =>
      typeof target === 'string' ? byKey.get(target) : aliases.get(target as BatchCommand)
    const query = resolve(command.params, aliasOf) as Record<string, unknown>
    aliases.set(command, alias)
    byKey.set(key, alias)
    return { method: command.method, query, as: alias }
  })
}
