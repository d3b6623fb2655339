/** Shapes written to spec/methods.json. Keep in step with spec/README.md. */

export type Source = 'docs' | 'pysdk' | 'override'

export interface FieldSpec {
  name: string
  /** Normalized: string|integer|double|boolean|date|datetime|object|array|file|any, or an entity/object type name. */
  type: string
  array: boolean
  fields?: FieldSpec[]
  values?: string[]
  /** The docs' description of the field, as plain text (first paragraph). */
  description?: string
}

export interface ParamSpec extends FieldSpec {
  required: boolean
  fields?: ParamSpec[]
}

export type ResultSpec =
  | { kind: 'scalar'; type: string }
  | { kind: 'object'; fields?: FieldSpec[] }
  | { kind: 'list'; key: string | null; item?: FieldSpec[] }
  | { kind: 'unknown' }

export interface ListSpec {
  /** Key under `result` holding the rows; null when `result` is the array itself. */
  key: string | null
  idField: 'ID' | 'id'
  filterKey: string
  orderKey: string
  selectKey: string
}

export interface MethodSpec {
  name: string
  /** Present only for REST 3.0 methods (`/rest/api/`). */
  version?: 3
  scope: string | null
  scopes: string[]
  doc: string | null
  deprecated: boolean
  summary: string
  params: ParamSpec[]
  result: ResultSpec
  list?: ListSpec
  example?: unknown
  sources: Source[]
  /**
   * Only on the records the TypeScript emitters add for the reference SDK's other spellings (never in
   * spec/methods.json): the documented name this one stands for.
   */
  aliasOf?: string
}

export const DOCS_BASE_URL = 'https://apidocs.bitrix24.com/'

/** The official page of a method, or null when it has none. */
export function docUrl(doc: string | null): string | null {
  return doc === null ? null : DOCS_BASE_URL + doc.replace(/\.md$/, '.html')
}
