/** spec/overrides.json: hand corrections applied last, one deep merge per method. */
import { readFileSync } from 'node:fs'

/** Key: a method name, or `name@3` for the REST 3.0 record. `$why` explains the entry and is not merged. */
export type Overrides = Record<string, Record<string, unknown>>

export function readOverrides(file: string): Overrides {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${file}: expected an object keyed by method name`)
  }
  const out: Overrides = {}
  for (const [key, value] of Object.entries(parsed)) {
    if (key.startsWith('$')) continue
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`${file}: entry "${key}" must be an object`)
    }
    out[key] = value as Record<string, unknown>
  }
  return out
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** A patch value that removes the key instead of setting it. */
export const DELETE = '$delete'

/** Objects merge key by key; arrays, scalars and null replace; the string "$delete" removes the key. */
export function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue
    if (value === DELETE) delete out[key]
    else if (isObject(value) && isObject(out[key])) out[key] = deepMerge(out[key] as Record<string, unknown>, value)
    else out[key] = value
  }
  return out
}
