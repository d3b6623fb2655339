/**
 * Emits the runtime tables the client needs: method names (for the tree), parameter rules (for validation,
 * a separate lazily-loaded chunk) and list shapes (for asList / asListFast).
 */
import type { ListShape } from '../../../src/requests/list-shape.js'
import type { MethodSpec, ParamSpec } from '../model.js'
import { GENERATED_HEADER } from './ts-common.js'

const TYPE_LETTER: Record<string, string> = {
  integer: 'i',
  double: 'n',
  string: 's',
  boolean: 'b',
  object: 'o',
  array: 'a',
  date: 'd',
  datetime: 'd',
}

function ruleOf(param: ParamSpec): string {
  const letter = param.type.includes('|') ? '?' : (TYPE_LETTER[param.type] ?? '?')
  return `${param.name}:${letter}${param.required ? '!' : ''}${param.array ? '[]' : ''}`
}

export function emitNames(specs: readonly MethodSpec[]): string {
  const v2 = new Set(specs.filter((spec) => spec.version !== 3).map((spec) => spec.name))
  const names = [...new Set(specs.map((spec) => spec.name))].join('\n')
  const v3Only = specs.filter((spec) => spec.version === 3 && !v2.has(spec.name)).map((spec) => spec.name.toLowerCase())
  return `${GENERATED_HEADER}
/** Every catalogued method name, sorted. */
export const METHOD_NAMES: readonly string[] = ${JSON.stringify(names)}.split('\\n')

/** Methods that exist only in REST 3.0 (\`/rest/api/\`), lower case. */
export const V3_ONLY_METHODS: ReadonlySet<string> = new Set(${JSON.stringify(v3Only.join('\n'))}.split('\\n'))
`
}

export function emitParamRules(specs: readonly MethodSpec[]): string {
  const rules: Record<string, string> = {}
  for (const spec of specs) {
    if (spec.version === 3 && rules[spec.name.toLowerCase()] !== undefined) continue
    const checked = spec.params.filter((param) => /^[\w.[\]-]+$/.test(param.name))
    rules[spec.name.toLowerCase()] = checked.map(ruleOf).join(',')
  }
  const v3Rules: Record<string, string> = {}
  for (const spec of specs) {
    if (spec.version !== 3 || spec.aliasOf !== undefined) continue
    v3Rules[spec.name.toLowerCase()] = spec.params
      .filter((param) => /^[\w.[\]-]+$/.test(param.name))
      .map(ruleOf)
      .join(',')
  }
  const table = (map: Record<string, string>) => JSON.stringify(map, null, 0).replace(/","/g, '",\n"')
  return `${GENERATED_HEADER}
/** method (lower case) → "name:type[!][[]]" rules; type letters: i integer, n number, s string, b boolean, o object, a array, d date, ? any. */
export const PARAM_RULES: Record<string, string> = ${table(rules)}

/** The same rules for calls sent to REST 3.0 (\`/rest/api/\`), whose methods take other parameters than their REST 2 namesakes. */
export const V3_PARAM_RULES: Record<string, string> = ${table(v3Rules)}
`
}

/** The ID field as rows spell it, read off the documented example (`tasks.task.list` rows say `id`, its filter `ID`). */
function rowIdOf(spec: MethodSpec, filterId: string): string {
  const result = (spec.example as { result?: unknown } | undefined)?.result
  const rows = Array.isArray(result)
    ? result
    : typeof result === 'object' && result !== null && spec.list?.key
      ? (result as Record<string, unknown>)[spec.list.key]
      : undefined
  const first: unknown = Array.isArray(rows) ? rows[0] : undefined
  if (typeof first === 'object' && first !== null && !(filterId in first)) {
    const match = Object.keys(first).find((key) => key.toLowerCase() === filterId.toLowerCase())
    if (match) return match
  }
  return filterId
}

export function emitListShapes(specs: readonly MethodSpec[]): string {
  const shapes: Record<string, ListShape> = {}
  for (const spec of specs) {
    if (!spec.list || spec.version === 3) continue
    const filterId = spec.list.idField
    shapes[spec.name.toLowerCase()] = {
      key: spec.list.key ?? null,
      rowId: rowIdOf(spec, filterId),
      filterId,
      filterParam: spec.list.filterKey === '' ? null : spec.list.filterKey,
      orderStyle: spec.list.orderKey === 'sort' ? 'sortOrder' : 'map',
      keyset: spec.list.filterKey !== '',
    }
  }
  return `${GENERATED_HEADER}
import type { ListShape } from '../../requests/list-shape.js'

/** method (lower case) → where its rows are, what its ID is called and how to filter and sort by it. */
export const LIST_SHAPES: Record<string, ListShape> = ${JSON.stringify(shapes, null, 1)}
`
}
