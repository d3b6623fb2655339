/**
 * Emits the REST 3.0 catalogue (src/methods/generated/v3.ts): entities read off the v3 pages' examples, one
 * `…V3Params` / `…V3Result` per documented REST 3.0 method with the v3 list parameters (`filter` of conditions,
 * `select` with related fields, `order`, `pagination`, `cursor`), `V3MethodMap` and the `V3MethodTree` that
 * `client.v3` exposes.
 */
import { docUrl, type MethodSpec, type ParamSpec } from '../model.js'
import { fieldDoc, GENERATED_HEADER, pascalCase, propertyKey } from './ts-common.js'
import {
  buildTree,
  collectEntities,
  type Entity,
  emitNode,
  fieldsType,
  fieldType,
  namespaceOf,
  TYPE_NAMES,
} from './ts-types.js'

/** The documented REST 3.0 methods (aliases of the reference SDK excluded). */
export function v3Specs(specs: readonly MethodSpec[]): MethodSpec[] {
  return specs.filter((spec) => spec.version === 3 && spec.aliasOf === undefined)
}

/** Type-name stems of the REST 3.0 methods: `tasks.task.get` → `TasksTaskGetV3`. */
export function v3TypeNames(specs: readonly MethodSpec[]): Map<MethodSpec, string> {
  const names = new Map<MethodSpec, string>()
  const taken = new Set<string>()
  for (const spec of v3Specs(specs)) {
    let name = `${TYPE_NAMES[spec.name] ?? pascalCase(spec.name)}V3`
    while (taken.has(name)) name += '_'
    taken.add(name)
    names.set(spec, name)
  }
  return names
}

/** Rows per page when the docs name no maximum: the default page of most REST 3.0 lists. */
const DEFAULT_PAGE_CAP = 50

/** The documented maximum `pagination.limit` of each REST 3.0 list method, lower-case name → rows. */
export function v3PageCaps(specs: readonly MethodSpec[]): Record<string, number> {
  const caps: Record<string, number> = {}
  for (const spec of v3Specs(specs)) {
    const pagination = spec.params.find((param) => param.name === 'pagination')
    if (!pagination) continue
    const max = /maximum\D{0,12}(\d+)/i.exec(pagination.description ?? '')
    caps[spec.name.toLowerCase()] = max ? Number(max[1]) : DEFAULT_PAGE_CAP
  }
  return caps
}

const ANY_ROW = 'Record<string, V3Scalar>'

function paramType(param: ParamSpec, entity: Entity | undefined): string {
  const row = entity?.name ?? ANY_ROW
  // A method with its own filter object (`call.followup.list`: `{ startDate: { from, to } }`) keeps the docs' shape.
  if (param.name === 'filter' && param.type !== 'array') return fieldType(param, true, 1)
  switch (param.name) {
    case 'filter':
      return `V3Filter<${row}>`
    case 'select':
      return entity ? `V3Select<${row}>` : 'readonly string[]'
    case 'order':
      return `V3Order<${row}>`
    case 'pagination':
      return 'V3Pagination'
    case 'cursor':
      return `V3Cursor<${row}>`
    default:
      return fieldType(param, true, 1)
  }
}

function paramsType(spec: MethodSpec, entity: Entity | undefined): string {
  const lines = spec.params
    .filter((param) => param.name !== '' && !/[\s[\]]/.test(param.name))
    .map(
      (param) =>
        `${fieldDoc(param.description, '  ')}  ${propertyKey(param.name)}${param.required ? '' : '?'}: ${paramType(param, entity)}`,
    )
  return lines.length === 0 ? 'Record<string, never>' : `{\n${lines.join('\n')}\n}`
}

function exampleResult(spec: MethodSpec): Record<string, unknown> | undefined {
  const result = (spec.example as { result?: unknown } | undefined)?.result
  return typeof result === 'object' && result !== null && !Array.isArray(result)
    ? (result as Record<string, unknown>)
    : undefined
}

/** The unified REST 3.0 result: `{ item }`, `{ items }`, `{ result: boolean }`, or what the docs describe. */
function resultType(spec: MethodSpec, entity: Entity | undefined): string {
  const row = entity?.name ?? 'Record<string, unknown>'
  const result = spec.result
  const example = exampleResult(spec)
  if (result.kind === 'list' || Array.isArray(example?.items)) {
    const item = result.kind === 'list' && !entity && result.item?.length ? fieldsType(result.item, false, '', 0) : row
    return `{ items: ${item}[] }`
  }
  const fields = result.kind === 'object' ? (result.fields ?? []) : []
  if (fields.some((field) => field.name === 'item') || (example && 'item' in example)) return `{ item: ${row} }`
  if (example && Object.keys(example).length === 1 && typeof example.result === 'boolean') return '{ result: boolean }'
  if (fields.length > 0) return fieldsType(fields, false, '', 0)
  return 'Record<string, unknown>'
}

function signature(spec: MethodSpec, typeName: string): string {
  const required = spec.params.some((param) => param.required && !/[\s[\]]/.test(param.name))
  return `(params${required ? '' : '?'}: WithV3Refs<${typeName}Params>, options?: CallOptions): BitrixRequest<${typeName}Result>`
}

export function emitV3Types(allSpecs: readonly MethodSpec[]): string {
  const specs = v3Specs(allSpecs)
  const names = v3TypeNames(allSpecs)
  const entities = new Map<string, Entity>()
  for (const [namespace, entity] of collectEntities(specs))
    entities.set(namespace, { ...entity, name: `${entity.name}V3` })
  const out: string[] = [
    GENERATED_HEADER,
    "import type { CallOptions } from '../../client/dispatcher.js'",
    "import type { BitrixRequest } from '../../requests/request.js'",
    "import type { WithV3Refs } from '../../requests/v3-batch.js'",
    "import type { V3Cursor, V3Filter, V3Order, V3Pagination, V3Scalar, V3Select } from '../../requests/v3-query.js'",
    '',
  ]
  for (const entity of [...new Set(entities.values())].sort((a, b) => a.name.localeCompare(b.name))) {
    const lines = [...entity.fields].map(
      ([field, type]) =>
        `${fieldDoc(entity.descriptions.get(field), '  ')}  ${propertyKey(field)}?: ${type}${type === 'unknown' ? '' : ' | null'}`,
    )
    out.push(`/** A \`${entity.namespace}\` object as REST 3.0 returns it. */`)
    out.push(`export interface ${entity.name} {\n${lines.join('\n')}\n}\n`)
  }
  for (const spec of specs) {
    const entity = entities.get(namespaceOf(spec.name))
    const name = names.get(spec)!
    const see = docUrl(spec.doc)
    const link = see ? ` @see ${see}` : ''
    out.push(`/** Parameters of \`${spec.name}\` in REST 3.0.${link} */`)
    out.push(`export type ${name}Params = ${paramsType(spec, entity)}`)
    out.push(`/** What \`${spec.name}\` returns in \`result\` in REST 3.0.${link} */`)
    out.push(`export type ${name}Result = ${resultType(spec, entity)}`)
  }
  out.push(
    '',
    '/** Every documented REST 3.0 method: its parameters and its result. */',
    'export interface V3MethodMap {',
  )
  for (const spec of specs) {
    const name = names.get(spec)!
    out.push(`  ${JSON.stringify(spec.name)}: { params: ${name}Params; result: ${name}Result }`)
  }
  out.push('}', '')
  out.push('/** The REST 3.0 client tree, `client.v3`: every documented REST 3.0 method under its dotted name. */')
  out.push(`export interface V3MethodTree ${emitNode(buildTree(specs), names, 1, signature, new Set())}`)
  return `${out.join('\n')}\n`
}

/** Runtime tables of the REST 3.0 tree: its names (documented spelling) and the page caps of its lists. */
export function emitV3Names(allSpecs: readonly MethodSpec[]): string {
  const names = [...new Set(v3Specs(allSpecs).map((spec) => spec.name))].sort()
  return `${GENERATED_HEADER}
/** Every documented REST 3.0 method name, sorted. */
export const V3_METHOD_NAMES: readonly string[] = ${JSON.stringify(names.join('\n'))}.split('\\n')

/** The documented maximum \`pagination.limit\` of each REST 3.0 list (lower-case name → rows; 50 where none is named). */
export const V3_PAGE_CAPS: Readonly<Record<string, number>> = ${JSON.stringify(v3PageCaps(allSpecs))}
`
}
