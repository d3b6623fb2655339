/**
 * Emits the compile-time catalogue: entity interfaces read off the docs' field tables and examples, one
 * parameter interface and result type per method, `MethodMap` (name → params and result) and the nested
 * `MethodTree` the client exposes.
 */
import { docUrl, type FieldSpec, type MethodSpec, type ParamSpec } from '../model.js'
import { fieldDoc, GENERATED_HEADER, methodDoc, pascalCase, propertyKey } from './ts-common.js'
import { v3TypeNames } from './ts-v3.js'

/** Public names for the entities developers reach for first; other namespaces get PascalCase of their path. */
const ENTITY_NAMES: Record<string, string> = {
  'crm.deal': 'Deal',
  'crm.lead': 'Lead',
  'crm.contact': 'Contact',
  'crm.company': 'Company',
  'crm.item': 'Item',
  'crm.activity': 'Activity',
  'crm.quote': 'Quote',
  'crm.product': 'CrmProduct',
  'catalog.product': 'Product',
  user: 'User',
  department: 'Department',
  'tasks.task': 'Task',
  'socialnetwork.api.workgroup': 'WorkGroup',
  sonet_group: 'SonetGroup',
}

/**
 * Type-name stems for methods whose PascalCase name the hand-written API already uses: `BatchResult` is the parsed
 * batch result (requests/batch.ts), so the raw `batch` method's types are `BatchMethodParams` / `BatchMethodResult`.
 */
export const TYPE_NAMES: Record<string, string> = { batch: 'BatchMethod' }

const SCALAR_TS: Record<string, string> = {
  string: 'string',
  integer: 'number',
  double: 'number',
  boolean: 'boolean',
  date: 'string',
  datetime: 'string',
  object: 'Record<string, unknown>',
  array: 'unknown[]',
  file: 'unknown',
  any: 'unknown',
}

/** Domain type names in the docs that are plain values on the wire. */
const DOMAIN_TS: Record<string, string> = {
  user: 'number',
  crm_status: 'string',
  crm_currency: 'string',
  crm_category: 'number',
  crm_company: 'number',
  crm_contact: 'number',
  crm_lead: 'number',
  crm_deal: 'number',
  crm_quote: 'number',
  crm_entity: 'string',
  crm_multifield: 'Record<string, unknown>',
  enumeration: 'string | number',
  char: 'string',
  text: 'string',
  url: 'string',
  money: 'string',
  location: 'string',
  address: 'Record<string, unknown>',
  iblock_element: 'number',
  iblock_section: 'number',
  employee: 'number',
  group: 'number',
}

function valueType(type: string, input: boolean): string {
  const parts = type.split('|').map((part) => {
    const base = SCALAR_TS[part] ?? DOMAIN_TS[part] ?? 'unknown'
    if (!input) return base
    // Inputs: what the server reads the same way.
    if (part === 'boolean') return "boolean | 'Y' | 'N' | 0 | 1"
    if (part === 'date' || part === 'datetime') return 'string | Date'
    // biome-ignore lint/suspicious/noTemplateCurlyInString: emitted TypeScript, not a template
    if (base === 'number') return 'number | `${number}`'
    return base
  })
  const unique = [...new Set(parts)]
  return unique.includes('unknown') ? 'unknown' : unique.join(' | ')
}

export function fieldsType(
  fields: readonly (FieldSpec | ParamSpec)[],
  input: boolean,
  extra: string,
  depth: number,
): string {
  const pad = '  '.repeat(depth + 1)
  const lines = fields
    .filter((field) => field.name !== '' && !/[[\]]/.test(field.name))
    .map((field) => {
      const required = input && 'required' in field && field.required ? '' : '?'
      return `${fieldDoc(field.description, pad)}${pad}${propertyKey(field.name)}${required}: ${fieldType(field, input, depth + 1)}`
    })
  if (extra) lines.push(`${pad}${extra}`)
  return `{\n${lines.join('\n')}\n${'  '.repeat(depth)}}`
}

export function fieldType(field: FieldSpec | ParamSpec, input: boolean, depth: number): string {
  let type: string
  if (field.values && field.values.length > 0 && field.values.length <= 40 && !field.type.includes('|')) {
    type = field.values.map((value) => JSON.stringify(value)).join(' | ')
  } else if (field.fields && field.fields.length > 0 && depth < 4) {
    type = fieldsType(field.fields, input, '', depth)
  } else type = valueType(field.type, input)
  return field.array ? `Array<${type}>` : type
}

/** The namespace of a method: everything before its last segment. */
export function namespaceOf(name: string): string {
  const cut = name.lastIndexOf('.')
  return cut < 0 ? name : name.slice(0, cut)
}

/** A row (or the single wrapped object) of a documented example result. */
function exampleRow(example: unknown, list: boolean): Record<string, unknown> | undefined {
  const result = (example as { result?: unknown } | undefined)?.result
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
  if (list || Array.isArray(result)) {
    const rows = Array.isArray(result)
      ? result
      : isObject(result)
        ? Object.values(result).find((value) => Array.isArray(value))
        : undefined
    const first = (rows as unknown[] | undefined)?.[0]
    return isObject(first) ? first : undefined
  }
  if (!isObject(result)) return undefined
  const values = Object.values(result)
  if (values.length === 1 && isObject(values[0])) return values[0]
  return result
}

function typeOfExampleValue(value: unknown): string {
  if (value === null) return 'unknown'
  if (Array.isArray(value)) return 'unknown[]'
  switch (typeof value) {
    case 'string':
      return 'string'
    case 'number':
      return 'number'
    case 'boolean':
      return 'boolean'
    case 'object':
      return 'Record<string, unknown>'
    default:
      return 'unknown'
  }
}

export interface Entity {
  name: string
  namespace: string
  /** field → TS type */
  fields: Map<string, string>
  /** Field name → the docs' description, where a table gives one. */
  descriptions: Map<string, string>
  upperCase: boolean
}

/** Entities by namespace; an alias spelling's namespace maps to the documented namespace's entity. */
export function collectEntities(allSpecs: readonly MethodSpec[]): Map<string, Entity> {
  const specs = allSpecs.filter((spec) => spec.aliasOf === undefined)
  const byName = new Map(specs.map((spec) => [spec.name, spec]))
  const namespaces = new Set(specs.map((spec) => namespaceOf(spec.name)))
  const usedNames = new Set<string>()
  const entities = new Map<string, Entity>()
  for (const namespace of [...namespaces].sort()) {
    const fields = new Map<string, string>()
    const descriptions = new Map<string, string>()
    const addFields = (list: readonly FieldSpec[] | undefined) => {
      for (const field of list ?? []) {
        if (!field.name || /[\s[\]]/.test(field.name)) continue
        if (field.description && !descriptions.has(field.name)) descriptions.set(field.name, field.description)
        if (!fields.has(field.name)) fields.set(field.name, fieldType(field, false, 1))
      }
    }
    const addExample = (row: Record<string, unknown> | undefined) => {
      for (const [key, value] of Object.entries(row ?? {})) {
        if (!fields.has(key) && !/^UF_CRM|^ufCrm/.test(key)) fields.set(key, typeOfExampleValue(value))
      }
    }
    // Examples show the wire types (legacy CRM sends every value as a string); tables fill in the rest.
    for (const suffix of ['get', 'list']) {
      const spec = byName.get(`${namespace}.${suffix}`)
      if (spec) addExample(exampleRow(spec.example, suffix === 'list'))
    }
    const stringly =
      /^crm\./.test(namespace) &&
      !namespace.startsWith('crm.item') &&
      [...fields.values()].some((type) => type === 'string')
    const before = fields.size
    for (const suffix of ['get', 'list']) {
      const spec = byName.get(`${namespace}.${suffix}`)
      if (!spec) continue
      const result = spec.result
      if (result.kind === 'object') addFields(result.fields)
      if (result.kind === 'list') addFields(result.item)
    }
    if (stringly || before === 0) {
      for (const [field, type] of fields) if (stringly && type === 'number') fields.set(field, 'string')
    }
    if (fields.size < 3) continue
    let name = ENTITY_NAMES[namespace] ?? pascalCase(namespace)
    if (usedNames.has(name)) name = pascalCase(namespace)
    usedNames.add(name)
    const keys = [...fields.keys()]
    const upperCase = keys.filter((key) => key === key.toUpperCase()).length > keys.length / 2
    entities.set(namespace, { name, namespace, fields, descriptions, upperCase })
  }
  for (const alias of allSpecs) {
    if (alias.aliasOf === undefined) continue
    const entity = entities.get(namespaceOf(alias.aliasOf))
    if (entity && !entities.has(namespaceOf(alias.name))) entities.set(namespaceOf(alias.name), entity)
  }
  return entities
}

const FILTER_OPERATORS = [
  "''",
  "'='",
  "'!'",
  "'!='",
  "'>'",
  "'>='",
  "'<'",
  "'<='",
  "'@'",
  "'!@'",
  "'%'",
  "'=%'",
  "'%='",
  "'!%'",
  "'!=%'",
  "'!%='",
]

export function emitEntities(specs: readonly MethodSpec[]): string {
  const entities = collectEntities(clientSpecs(specs))
  const out: string[] = [GENERATED_HEADER]
  out.push(`/** Filter operators Bitrix24 list methods read from the start of a filter key (\`'>OPPORTUNITY'\`). */
export type FilterOperator = ${FILTER_OPERATORS.join(' | ')}

/** A value a filter key compares its field with: a scalar, a date, or a list of them (for \`@\` and \`!@\`). */
export type FilterValue = string | number | boolean | null | Date | ReadonlyArray<string | number | boolean | null | Date> | { readonly [REF]: unknown }
declare const REF: unique symbol

/** Filter keys: an entity's own field names, each optionally prefixed with an operator. */
export type FilterFields<E> = {
  [K in keyof E & string as \`\${FilterOperator}\${K}\`]?: FilterValue
}

/** Nested groups: \`{ 0: { logic: 'OR', '>OPPORTUNITY': 100, '=STAGE_ID': 'WON' } }\`. */
export interface FilterGroup<E> {
  logic?: 'AND' | 'OR' | 'and' | 'or'
  [group: number]: Filter<E>
}

/** A list filter over an entity's own field names, each optionally prefixed with an operator. */
export type Filter<E> = FilterFields<E> & FilterGroup<E>

/** A sort order over an entity's own field names. */
export type Order<E> = { [K in keyof E & string]?: 'ASC' | 'DESC' | 'asc' | 'desc' }

/** Fields to return: the entity's own names, \`*\`, and user-field masks. */
export type Select<E> = ReadonlyArray<(keyof E & string) | '*' | 'UF_*'>
`)
  for (const entity of [...new Set(entities.values())].sort((a, b) => a.name.localeCompare(b.name))) {
    const userFieldPrefix = entity.upperCase ? 'UF_' : 'uf'
    const userFields = entity.namespace.startsWith('crm.')
      ? `[userField: \`${userFieldPrefix}\${string}\`]: unknown`
      : ''
    const lines = [...entity.fields].map(
      ([field, type]) =>
        `${fieldDoc(entity.descriptions.get(field), '  ')}  ${propertyKey(field)}?: ${type}${type === 'unknown' ? '' : ' | null'}`,
    )
    if (userFields) lines.push(`  ${userFields}`)
    out.push(
      `/** A \`${entity.namespace}\` record as the API returns it. */\nexport interface ${entity.name} {\n${lines.join('\n')}\n}\n`,
    )
  }
  return out.join('\n')
}

/** Lists whose filter and select take other names than their rows carry (`TITLE` in, `title` out). */
const INPUT_NAMES_DIFFER = new Set(['tasks.task'])
const TOP_LEVEL_FILTER = new Set(['user.get'])

function paramsType(spec: MethodSpec, rowEntity: Entity | undefined): string {
  const entity = rowEntity && !INPUT_NAMES_DIFFER.has(rowEntity.namespace) ? rowEntity : undefined
  const lines: string[] = []
  const isList = spec.list !== undefined || spec.result.kind === 'list'
  for (const param of spec.params) {
    if (!param.name || /[\s[\]]/.test(param.name)) continue
    const lower = param.name.toLowerCase()
    let type = fieldType(param, true, 1)
    if (lower === 'fields' && spec.name.startsWith('crm.') && param.fields?.length && !param.array) {
      // CRM records also take user fields, named by the portal.
      const upper =
        param.fields.filter((field) => field.name === field.name.toUpperCase()).length > param.fields.length / 2
      type = fieldsType(param.fields, true, `[userField: \`${upper ? 'UF_' : 'uf'}\${string}\`]: unknown`, 1)
    }
    if (entity && isList && lower === 'filter') type = `Filter<${entity.name}>`
    if (entity && isList && lower === 'select') type = `Select<${entity.name}>`
    if (entity && isList && lower === 'order' && param.type !== 'string') type = `Order<${entity.name}>`
    lines.push(`${fieldDoc(param.description, '  ')}  ${propertyKey(param.name)}${param.required ? '' : '?'}: ${type}`)
  }
  if (isList && !spec.params.some((param) => param.name.toLowerCase() === 'start')) lines.push('  start?: number')
  const body = `{\n${lines.join('\n')}\n}`
  // `user.get` also reads filter fields given at the top level (`{ ID: 1 }`).
  return entity && TOP_LEVEL_FILTER.has(spec.name) ? `${body} & FilterFields<${entity.name}>` : body
}

function resultType(spec: MethodSpec, entity: Entity | undefined): string {
  const result = spec.result
  const last = spec.name.slice(spec.name.lastIndexOf('.') + 1)
  switch (result.kind) {
    case 'scalar':
      return valueType(result.type, false)
    case 'list': {
      const row =
        entity && (last === 'list' || last === 'get')
          ? entity.name
          : result.item?.length
            ? fieldsType(result.item, false, '', 0)
            : 'Record<string, unknown>'
      return result.key === null ? `${row}[]` : `{ ${propertyKey(result.key)}: ${row}[] }`
    }
    case 'object': {
      if (entity && (last === 'get' || last === 'current')) {
        const wrapper = wrapperKey(spec.example)
        return wrapper ? `{ ${propertyKey(wrapper)}: ${entity.name} }` : entity.name
      }
      return result.fields?.length ? fieldsType(result.fields, false, '', 0) : 'Record<string, unknown>'
    }
    default:
      return 'unknown'
  }
}

function wrapperKey(example: unknown): string | undefined {
  const result = (example as { result?: unknown } | undefined)?.result
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return undefined
  const keys = Object.keys(result)
  return keys.length === 1 && typeof (result as Record<string, unknown>)[keys[0]] === 'object' ? keys[0] : undefined
}

export interface TreeNode {
  spec?: MethodSpec
  children: Map<string, TreeNode>
}

export function buildTree(specs: readonly MethodSpec[]): TreeNode {
  const root: TreeNode = { children: new Map() }
  for (const spec of specs) {
    let node = root
    for (const part of spec.name.split('.')) {
      let child = node.children.get(part)
      if (!child) {
        child = { children: new Map() }
        node.children.set(part, child)
      }
      node = child
    }
    node.spec = spec
  }
  return root
}

export function signature(spec: MethodSpec, typeName: string): string {
  const required = spec.params.some((param) => param.required && !/[\s[\]]/.test(param.name))
  return `(params${required ? '' : '?'}: WithRefs<${typeName}Params>, options?: CallOptions): BitrixRequest<${typeName}Result>`
}

/** Root names the client itself uses; those methods stay reachable through `client.call(name)`. */
export const CLIENT_MEMBERS = new Set(['call', 'callBatch', 'callBatches', 'on', 'credentials'])

/**
 * The doc of a name that is both a method and a prefix (`im.notify`, `im.notify.read`): the method's own doc, said
 * once more on the member so that it is documented where it is reached. A deprecation stays on the call signature
 * only, so the names under it are not marked deprecated with it.
 */
function namespaceDoc(spec: MethodSpec, pad: string): string {
  const callable = `${spec.summary} Callable as \`${spec.name}(…)\`; also the prefix of \`${spec.name}.*\`.`
  return methodDoc({ ...spec, summary: callable, deprecated: false }, pad)
}

/**
 * A tree node as an interface body. `sign` writes a method's call signature; `skipRoots` leaves out root names
 * the client itself uses (the REST 3.0 tree hangs off `client.v3` and needs no such exception).
 */
export function emitNode(
  node: TreeNode,
  names: Map<MethodSpec, string>,
  depth: number,
  sign: (spec: MethodSpec, typeName: string) => string = signature,
  skipRoots: ReadonlySet<string> = CLIENT_MEMBERS,
): string {
  const pad = '  '.repeat(depth)
  const lines: string[] = []
  if (node.spec) lines.push(`${methodDoc(node.spec, pad)}${pad}${sign(node.spec, names.get(node.spec)!)}`)
  for (const [key, child] of node.children) {
    if (depth === 1 && skipRoots.has(key)) continue
    if (child.children.size === 0 && child.spec) {
      lines.push(`${methodDoc(child.spec, pad)}${pad}${propertyKey(key)}${sign(child.spec, names.get(child.spec)!)}`)
    } else {
      const doc = child.spec ? namespaceDoc(child.spec, pad) : ''
      lines.push(`${doc}${pad}${propertyKey(key)}: ${emitNode(child, names, depth + 1, sign, skipRoots)}`)
    }
  }
  return `{\n${lines.join('\n')}\n${'  '.repeat(depth - 1)}}`
}

/** The specs the v2 client exposes: REST 3.0 variants of a v2 name stay reachable with `{ apiVersion: 3 }`. */
export function clientSpecs(specs: readonly MethodSpec[]): MethodSpec[] {
  const v2 = new Set(specs.filter((spec) => spec.version !== 3).map((spec) => spec.name))
  return specs.filter((spec) => spec.version !== 3 || !v2.has(spec.name))
}

export function emitTypes(allSpecs: readonly MethodSpec[]): string {
  const specs = clientSpecs(allSpecs)
  // A method only REST 3.0 has takes and returns what its REST 3.0 types say, on the main tree too.
  const v3Names = v3TypeNames(allSpecs)
  const entities = collectEntities(specs)
  const names = new Map<MethodSpec, string>()
  const taken = new Set<string>()
  for (const spec of specs) {
    let name = TYPE_NAMES[spec.name] ?? pascalCase(spec.name)
    while (taken.has(name)) name += '_'
    taken.add(name)
    names.set(spec, name)
  }
  const entityNames = [...new Set([...entities.values()].map((entity) => entity.name))].sort()
  const out: string[] = [
    GENERATED_HEADER,
    "import type { CallOptions } from '../../client/dispatcher.js'",
    "import type { AnyBatchRef } from '../../requests/batch-ref.js'",
    "import type { BitrixRequest } from '../../requests/request.js'",
    `import type { Filter, FilterFields, Order, Select, ${entityNames.join(', ')} } from './entities.js'`,
    "import type * as V3 from './v3.js'",
    '',
    '/** Parameters whose top-level values may also be `ref(...)` references to other commands of a batch. */',
    'export type WithRefs<P> = { [K in keyof P]: P[K] | AnyBatchRef }',
    '',
  ]
  for (const spec of specs) {
    const entity = entities.get(namespaceOf(spec.name))
    const name = names.get(spec)!
    const see = docUrl(spec.doc)
    const link = see ? ` @see ${see}` : ''
    const v3Name = v3Names.get(spec)
    out.push(`/** Parameters of \`${spec.name}\`.${link} */`)
    out.push(`export type ${name}Params = ${v3Name ? `V3.${v3Name}Params` : paramsType(spec, entity)}`)
    out.push(`/** What \`${spec.name}\` returns in \`result\`.${link} */`)
    out.push(`export type ${name}Result = ${v3Name ? `V3.${v3Name}Result` : resultType(spec, entity)}`)
  }
  out.push('', '/** Every catalogued method: its parameters and its result. */', 'export interface MethodMap {')
  for (const spec of specs) {
    const name = names.get(spec)!
    out.push(`  ${JSON.stringify(spec.name)}: { params: ${name}Params; result: ${name}Result }`)
  }
  out.push('}', '')
  const tree = buildTree(specs)
  out.push('/** The client tree: every catalogued method under its dotted name. */')
  out.push(`export interface MethodTree ${emitNode(tree, names, 1)}`)
  // `call` is also the client's generic call; its namespace (`call.followup.*`) hangs off that function.
  const callNode = tree.children.get('call')
  out.push('', '/** The `call.*` namespace, reached as `client.call.followup.get(…)`. */')
  out.push(`export interface CallTree ${callNode ? emitNode(callNode, names, 1) : '{}'}`)
  // Silence "declared but never used" for helper types a small catalogue may not need.
  out.push('', 'export type { Filter, FilterFields, Order, Select }')
  return `${out.join('\n')}\n`
}
