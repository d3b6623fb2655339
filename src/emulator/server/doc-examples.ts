/**
 * Docs-example mode: every REST v2 method of the catalogue (`spec/methods.json`) that the emulator does not
 * implement for real answers the response example of its official documentation page, so that the whole
 * documented surface can be called. The catalogue is read once per process, on first need (it is ~2.8 MB), and
 * a portal builds its table of these methods the first time a lookup misses its real methods.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MethodDefinition, MethodResult, MethodTable } from '../kernel.js'
import { checkDocumentedParams } from './doc-params.js'
import { BASIC_SCOPE } from './scopes.js'

/** A documented parameter of a catalogue record (dotted names are nested: `fields.TITLE`). */
export interface CatalogueParam {
  name: string
  type: string
  required: boolean
  array: boolean
}

/** The part of a catalogue record this mode reads (see spec/README.md for the whole record). */
export interface CatalogueRecord {
  name: string
  version?: number
  scope: string | null
  params?: readonly CatalogueParam[]
  result: CatalogueResult
  example?: unknown
}

export type CatalogueResult =
  | { kind: 'scalar'; type: string }
  | { kind: 'object' }
  | { kind: 'list'; key: string | null }
  | { kind: 'unknown' }

/**
 * Scope codes the docs spell differently from the portal: the working-group pages say `sonet`, the permission
 * list (api-reference/scopes/permissions.md) and the emulator's own `sonet_group.*` methods say `sonet_group`.
 */
const SCOPE_ALIASES: Readonly<Record<string, string>> = { sonet: 'sonet_group' }

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Where this module sits: `src/emulator/server/` from the sources, `dist/` in the package. */
function moduleDirectory(): string | undefined {
  const url = (import.meta as { url?: string }).url
  if (url) return dirname(fileURLToPath(url))
  // The CommonJS build has no `import.meta`; its module scope has `__dirname` instead.
  return typeof __dirname === 'string' ? __dirname : undefined
}

/** Candidate locations of the catalogue, nearest first: `dist/../spec` (package), `src/emulator/server/../../../spec`. */
export function cataloguePaths(directory = moduleDirectory()): string[] {
  if (directory === undefined) return []
  return [join(directory, '..', 'spec', 'methods.json'), join(directory, '..', '..', '..', 'spec', 'methods.json')]
}

let catalogue: readonly CatalogueRecord[] | undefined

/**
 * The catalogue's records, read and parsed once per process. When no candidate file exists (a bundle that left
 * `spec/` behind) it is empty, and methods the emulator does not implement answer `ERROR_METHOD_NOT_FOUND` as
 * without this mode.
 */
export function loadCatalogue(): readonly CatalogueRecord[] {
  if (catalogue) return catalogue
  for (const path of cataloguePaths()) {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch {
      continue
    }
    const parsed: unknown = JSON.parse(text)
    catalogue = Array.isArray(parsed) ? (parsed as CatalogueRecord[]) : []
    return catalogue
  }
  catalogue = []
  return catalogue
}

let byName: ReadonlyMap<string, CatalogueRecord> | undefined

/** The REST v2 record of a method name (any case), or undefined when the catalogue does not list it. */
export function catalogueRecord(name: string): CatalogueRecord | undefined {
  if (!byName) {
    const map = new Map<string, CatalogueRecord>()
    for (const record of loadCatalogue()) {
      if (record.version !== 3 && typeof record.name === 'string') map.set(record.name.toLowerCase(), record)
    }
    byName = map
  }
  return byName.get(name.toLowerCase())
}

/** A value of the declared result shape, for methods whose page has no response example. */
export function emptyResultOf(result: CatalogueResult): unknown {
  switch (result.kind) {
    case 'scalar':
      switch (result.type) {
        case 'integer':
        case 'double':
          return 0
        case 'boolean':
          return false
        case 'string':
          return ''
        case 'array':
          return []
        default:
          return null
      }
    case 'object':
      return {}
    case 'list':
      return result.key === null ? [] : { [result.key]: [] }
    default:
      return null
  }
}

/** What the method answers: the example's `result` (and `total` / `next` when it has them), else an empty value. */
export function docExampleAnswer(record: CatalogueRecord): MethodResult {
  const example = record.example
  if (!isRecord(example) || !Object.hasOwn(example, 'result')) return { result: emptyResultOf(record.result) }
  const answer: MethodResult = { result: example.result }
  if (typeof example.total === 'number') answer.total = example.total
  if (typeof example.next === 'number') answer.next = example.next
  return answer
}

/** The scope a docs-example method is checked against: the page's first scope; none documented → `basic`. */
export function docExampleScope(record: CatalogueRecord): string {
  const scope = (record.scope ?? BASIC_SCOPE).toLowerCase()
  return SCOPE_ALIASES[scope] ?? scope
}

const docExampleDefinitions = new WeakSet<MethodDefinition>()

/** Whether a method definition answers a documented example (a canned answer). */
export function isDocExample(definition: MethodDefinition): boolean {
  return docExampleDefinitions.has(definition)
}

/**
 * Lower-case name → definition for every REST v2 record (REST 3.0 is not emulated). Each call first checks the
 * documented required parameters and their types (`checkDocumentedParams`), then answers a fresh copy of the
 * example, so nothing a caller or a batch does to one answer shows in the next; each charges `cost` simulated
 * seconds, like the cheapest real call.
 */
export function createDocExampleMethods(
  records: readonly CatalogueRecord[],
  cost: number,
): Map<string, MethodDefinition> {
  const table = new Map<string, MethodDefinition>()
  for (const record of records) {
    if (record.version === 3 || typeof record.name !== 'string') continue
    const answer = docExampleAnswer(record)
    const definition: MethodDefinition = {
      scope: docExampleScope(record),
      handler: (params, ctx) => {
        ctx.cost(cost)
        checkDocumentedParams(record, params)
        return structuredClone(answer)
      },
    }
    docExampleDefinitions.add(definition)
    table.set(record.name.toLowerCase(), definition)
  }
  return table
}

/**
 * A method table whose misses fall through to the docs-example methods, built on first need. The portal's own
 * entries always win, also over a fallback spelled in another case (`imbot.v2.Bot.register` stored as given
 * hides `imbot.v2.bot.register`). Iteration, `has` and `size` see both layers, so `methods` and `method.get`
 * report the docs-example methods as existing; `set` / `delete` / `clear` change the portal's own entries only.
 */
export class DocExampleMethodTable extends Map<string, MethodDefinition> implements MethodTable {
  readonly #build: () => ReadonlyMap<string, MethodDefinition>
  #fallback: ReadonlyMap<string, MethodDefinition> | undefined
  /** Lower-cased own names → how many own spellings share it. */
  readonly #ownLower = new Map<string, number>()

  constructor(build: () => ReadonlyMap<string, MethodDefinition>) {
    super()
    this.#build = build
  }

  #docs(): ReadonlyMap<string, MethodDefinition> {
    this.#fallback ??= this.#build()
    return this.#fallback
  }

  #fallbackOf(key: string): MethodDefinition | undefined {
    if (this.#ownLower.has(key.toLowerCase())) return undefined
    return this.#docs().get(key)
  }

  override get(key: string): MethodDefinition | undefined {
    return super.get(key) ?? this.#fallbackOf(key)
  }

  override has(key: string): boolean {
    return super.has(key) || this.#fallbackOf(key) !== undefined
  }

  override set(key: string, value: MethodDefinition): this {
    if (!super.has(key)) {
      const lower = key.toLowerCase()
      this.#ownLower.set(lower, (this.#ownLower.get(lower) ?? 0) + 1)
    }
    return super.set(key, value)
  }

  override delete(key: string): boolean {
    if (!super.delete(key)) return false
    const lower = key.toLowerCase()
    const left = (this.#ownLower.get(lower) ?? 1) - 1
    if (left > 0) this.#ownLower.set(lower, left)
    else this.#ownLower.delete(lower)
    return true
  }

  override clear(): void {
    super.clear()
    this.#ownLower.clear()
  }

  override get size(): number {
    let size = super.size
    for (const key of this.#docs().keys()) if (!this.#ownLower.has(key)) size++
    return size
  }

  override *entries(): MapIterator<[string, MethodDefinition]> {
    yield* super.entries()
    for (const [key, value] of this.#docs()) if (!this.#ownLower.has(key)) yield [key, value]
  }

  override *keys(): MapIterator<string> {
    for (const [key] of this.entries()) yield key
  }

  override *values(): MapIterator<MethodDefinition> {
    for (const [, value] of this.entries()) yield value
  }

  override [Symbol.iterator](): MapIterator<[string, MethodDefinition]> {
    return this.entries()
  }

  override forEach(
    callback: (value: MethodDefinition, key: string, map: Map<string, MethodDefinition>) => void,
    thisArg?: unknown,
  ): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this)
  }
}

/** The table of a portal in docs-example mode: its real methods go in with `set`, the rest falls through. */
export function docExampleMethodTable(cost: number): DocExampleMethodTable {
  return new DocExampleMethodTable(() => createDocExampleMethods(loadCatalogue(), cost))
}
