/**
 * Plans how commands are split into batches before anything is sent: a command and every command it references
 * (`ref(request)`, `ref('key')`, directly or through others) travel in one batch, since the portal resolves
 * `$result[…]` only within a batch. References that can't be honoured are refused up front.
 */
import { BitrixValidationError } from '../errors/index.js'
import { type BatchCommand, MAX_BATCH_SIZE } from './batch.js'
import { type BatchRefTarget, refTargets } from './batch-ref.js'

export type BatchEntry = readonly [key: string, command: BatchCommand]

function describeTarget(target: BatchRefTarget | string): string {
  return typeof target === 'string' ? `command "${target}"` : `a ${target.method} request`
}

/**
 * Splits `entries` into batches of at most `size`, keeping input order within each batch and between groups of
 * commands that reference each other. Throws `BitrixValidationError` for a reference to a command that is not
 * among `entries`, to one that comes later (the portal runs commands in order), or for a group of commands
 * linked by references that is larger than one batch.
 */
export function planBatches(entries: readonly BatchEntry[], size: number = MAX_BATCH_SIZE): BatchEntry[][] {
  const byKey = new Map<string, number>()
  const byCommand = new Map<BatchRefTarget, number>()
  entries.forEach(([key, command], index) => {
    byKey.set(key, index)
    byCommand.set(command, index)
  })
  const parent = entries.map((_, index) => index)
  const root = (index: number): number => {
    let at = index
    while (parent[at] !== at) {
      parent[at] = parent[parent[at]]
      at = parent[at]
    }
    return at
  }
  entries.forEach(([key, command], index) => {
    for (const target of refTargets(command.params)) {
      const referenced = typeof target === 'string' ? byKey.get(target) : byCommand.get(target)
      if (referenced === undefined) {
        throw new BitrixValidationError({
          message: `batch command "${key}" references ${describeTarget(target)} that is not among the commands; put it in the same call`,
          method: 'batch',
          parameter: key,
        })
      }
      if (referenced >= index) {
        throw new BitrixValidationError({
          message: `batch command "${key}" references command "${entries[referenced][0]}", which does not come before it; the portal runs commands in order`,
          method: 'batch',
          parameter: key,
        })
      }
      parent[root(index)] = root(referenced)
    }
  })
  const groups = new Map<number, number[]>()
  entries.forEach((_, index) => {
    const group = groups.get(root(index))
    if (group) group.push(index)
    else groups.set(root(index), [index])
  })
  const batches: number[][] = []
  let current: number[] = []
  // Groups in order of their first command; a group that doesn't fit starts the next batch.
  for (const group of groups.values()) {
    if (group.length > size) {
      const keys = group.slice(0, 3).map((index) => `"${entries[index][0]}"`)
      throw new BitrixValidationError({
        message: `batch commands ${keys.join(', ')}… reference each other in a chain of ${group.length} commands; one batch carries at most ${size}`,
        method: 'batch',
      })
    }
    if (current.length + group.length > size) {
      batches.push(current)
      current = []
    }
    current.push(...group)
  }
  if (current.length > 0) batches.push(current)
  return batches.map((batch) => batch.sort((a, b) => a - b).map((index) => entries[index]))
}

/** Plans the commands of one `callBatch`: at most one batch's worth, references checked; nothing is sent. */
export function planOneBatch(entries: readonly BatchEntry[], size: number = MAX_BATCH_SIZE): void {
  if (entries.length > size) {
    throw new BitrixValidationError({
      message: `callBatch takes at most ${size} commands, received ${entries.length}; use callBatches for more`,
      method: 'batch',
    })
  }
  planBatches(entries, size)
}
