/**
 * Typed `$result[...]` references for batches. `ref(request).UF_DEPARTMENT[0]` stands for
 * `$result[<key of request in the batch>][UF_DEPARTMENT][0]`: the key is filled in when the batch is built,
 * so a reference can't point at a command that isn't there.
 */
import { BitrixValidationError } from '../errors/index.js'

const REF = Symbol('b24tssdk.batchRef')

export interface BatchRefTarget {
  readonly method: string
}

/** The state behind a reference: what it points at and where. */
export interface RefState {
  target: BatchRefTarget | string
  path: readonly (string | number)[]
  source: 'result' | 'next' | 'total'
}

/** A reference to (a part of) another command's result; typed by what it points at. */
export type BatchRef<T> = {
  readonly [REF]: RefState
} & (unknown extends T
  ? { readonly [key: string | number]: BatchRef<unknown> }
  : T extends readonly (infer I)[]
    ? { readonly [index: number]: BatchRef<I> }
    : T extends object
      ? { readonly [K in keyof T]-?: BatchRef<NonNullable<T[K]>> }
      : unknown)

/** Any reference, whatever it points at; the type parameters of methods accept it in every value position. */
export type AnyBatchRef = { readonly [REF]: RefState }

function makeRef(state: RefState): AnyBatchRef {
  const holder = { [REF]: state }
  return new Proxy(holder, {
    get(_target, property) {
      if (property === REF) return state
      if (property === 'toJSON' || property === 'toString' || typeof property === 'symbol') return undefined
      if (property === 'then') return undefined
      const segment = /^\d+$/.test(property) ? Number(property) : property
      return makeRef({ ...state, path: [...state.path, segment] })
    },
    has: (_target, property) => property === REF,
  }) as AnyBatchRef
}

/** References the result of `command` (a request put in the same batch, or its key) at a path built by property access. */
export function ref<T>(command: { readonly method: string } & PromiseLike<{ result: T }>): BatchRef<T>
export function ref(command: string): BatchRef<unknown>
export function ref(command: BatchRefTarget | string): AnyBatchRef {
  return makeRef({ target: command, path: [], source: 'result' })
}

/** What a reference points at: its target, the path into the target's result, and which part of the answer. */
export function refState(value: AnyBatchRef): Readonly<RefState> {
  return value[REF]
}

export function isBatchRef(value: unknown): value is AnyBatchRef {
  return typeof value === 'object' && value !== null && REF in value
}

/** Renders a reference as the server reads it, given the key each command got in the batch. */
export function renderRef(value: AnyBatchRef, keyOf: (target: BatchRefTarget) => string | undefined): string {
  const state = value[REF]
  const key = typeof state.target === 'string' ? state.target : keyOf(state.target)
  if (key === undefined) {
    throw new BitrixValidationError({
      message: `a batch reference points at a ${(state.target as BatchRefTarget).method} request that is not in this batch; put the request in the same call`,
      method: 'batch',
    })
  }
  return `$${state.source}[${key}]${state.path.map((segment) => `[${segment}]`).join('')}`
}

/** Replaces every reference inside `params` with its rendered string; returns the same object when there are none. */
export function resolveRefs(params: unknown, keyOf: (target: BatchRefTarget) => string | undefined): unknown {
  if (isBatchRef(params)) return renderRef(params, keyOf)
  if (Array.isArray(params)) {
    let changed = false
    const out = params.map((item) => {
      const next = resolveRefs(item, keyOf)
      if (next !== item) changed = true
      return next
    })
    return changed ? out : params
  }
  if (typeof params === 'object' && params !== null && !(params instanceof Date)) {
    let changed = false
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(params)) {
      const next = resolveRefs(item, keyOf)
      if (next !== item) changed = true
      out[key] = next
    }
    return changed ? out : params
  }
  return params
}

/** What the references inside `params` point at: requests, or command keys; in order of appearance. */
export function refTargets(
  params: unknown,
  found: Array<BatchRefTarget | string> = [],
): Array<BatchRefTarget | string> {
  if (isBatchRef(params)) found.push(params[REF].target)
  else if (Array.isArray(params)) for (const item of params) refTargets(item, found)
  else if (typeof params === 'object' && params !== null && !(params instanceof Date)) {
    for (const item of Object.values(params)) refTargets(item, found)
  }
  return found
}
