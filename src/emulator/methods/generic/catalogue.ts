/**
 * The catalogue records the generic store reads: the same `spec/methods.json` the docs-example mode reads (loaded
 * once per process by its loader), seen with the parameter trees and field tables that mode ignores.
 */
import { loadCatalogue } from '../../server/doc-examples.js'

/** A documented parameter (or a field of an object parameter). */
export interface CatalogueParam {
  name: string
  type: string
  required?: boolean
  array?: boolean
  fields?: CatalogueParam[]
  values?: string[]
}

export type CatalogueResultSpec =
  | { kind: 'scalar'; type: string }
  | { kind: 'object'; fields?: CatalogueParam[] }
  | { kind: 'list'; key: string | null; item?: CatalogueParam[] }
  | { kind: 'unknown' }

export interface CatalogueMethod {
  name: string
  version?: number
  scope: string | null
  params?: CatalogueParam[]
  result: CatalogueResultSpec
  list?: { key: string | null; idField: string; filterKey: string; orderKey: string; selectKey: string }
  example?: unknown
}

/** Lower-case name → record, REST v2 only; built once per process from the shared catalogue loader. */
let index: ReadonlyMap<string, CatalogueMethod> | undefined

export function catalogueIndex(): ReadonlyMap<string, CatalogueMethod> {
  if (index) return index
  const map = new Map<string, CatalogueMethod>()
  for (const record of loadCatalogue() as readonly CatalogueMethod[]) {
    if (record.version === 3 || typeof record.name !== 'string') continue
    map.set(record.name.toLowerCase(), record)
  }
  index = map
  return index
}

/** The `result` of a record's documented example, or `undefined` when the page has none. */
export function exampleResult(record: CatalogueMethod | undefined): unknown {
  const example = record?.example
  if (typeof example !== 'object' || example === null || Array.isArray(example)) return undefined
  return Object.hasOwn(example, 'result') ? (example as { result: unknown }).result : undefined
}
