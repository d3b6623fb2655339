/** "Response Handling": the JSON example and the "Returned Data" tables, read into a result shape. */
import type { ResultSpec } from '../model.js'
import { type FieldNode, type FieldResolver, findNode, sectionOwner, toFieldSpec } from './field-tree.js'
import { parseLenientJson } from './lenient-json.js'
import type { Section } from './markdown.js'
import { type DocPage, sectionFieldTables } from './page-store.js'
import { codeTokens, isScalarType } from './types.js'

export interface ParsedResponse {
  /** The documented success response, parsed. */
  example?: unknown
  /** A response example exists but could not be parsed even leniently. */
  exampleFailed: boolean
  result: ResultSpec
  /** `total` / `next` are documented or shown. */
  paged: boolean
  /** Returned-data tables were found. */
  hasTable: boolean
}

const RESPONSE_HEADING =
  /^(response handling|response processing|returned data|response on success|successful response|response|response example|result|method result|command result)$/i
const ENVELOPE = new Set(['result', 'total', 'next', 'time', 'error', 'error_description'])
/** Keys allowed beside the rows array for a wrapped list (`{ items: [...] }`). */
const LIST_SIDE_KEYS = new Set(['total', 'next', 'hasMore', 'hasNextPage'])

function responseRegion(sections: Section[]): Section[] {
  const out: Section[] = []
  let inside = false
  for (const section of sections) {
    if (section.level > 0 && section.level <= 2) inside = section.level === 2 && RESPONSE_HEADING.test(section.title)
    if (inside) out.push(section)
  }
  return out
}

function fencedBlocks(text: string): string[] {
  const blocks: string[] = []
  const re = /^([ \t]*)(```|~~~)[^\n]*\n([\s\S]*?)\n[ \t]*\2[ \t]*$/gm
  for (const m of text.matchAll(re)) {
    const indent = m[1].length
    blocks.push(
      m[3]
        .split('\n')
        .map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)))
        .join('\n'),
    )
  }
  return blocks
}

function findExample(region: Section[], page: DocPage): { example?: unknown; failed: boolean } {
  const inRegion = region.map((s) => s.body).join('\n')
  const candidates = fencedBlocks(inRegion).filter((b) => /^\s*[{[]/.test(b) && b.includes('"result"'))
  let failed = false
  for (const block of candidates) {
    const parsed = parseLenientJson(block)
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && 'result' in parsed) {
      return { example: parsed, failed: false }
    }
    failed = true
  }
  if (candidates.length > 0) return { failed }
  for (const block of fencedBlocks(page.text)) {
    if (!/^\s*\{/.test(block) || !block.includes('"result"') || !block.includes('"time"')) continue
    const parsed = parseLenientJson(block)
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && 'result' in parsed) {
      return { example: parsed, failed: false }
    }
    failed = true
  }
  return { failed }
}

function jsonType(value: unknown): string {
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'double'
  if (typeof value === 'string') return 'string'
  return 'any'
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** A wrapped list: one array-valued key, with only paging keys beside it. */
function wrappedListKey(result: Record<string, unknown>): string | null {
  const arrays = Object.keys(result).filter((k) => Array.isArray(result[k]))
  if (arrays.length !== 1) return null
  const others = Object.keys(result).filter((k) => k !== arrays[0])
  if (!others.every((k) => LIST_SIDE_KEYS.has(k))) return null
  const rows = result[arrays[0]] as unknown[]
  return rows.every((r) => isPlainObject(r)) ? arrays[0] : null
}

function specs(nodes: FieldNode[] | undefined): { fields?: ReturnType<typeof toFieldSpec>[] } {
  return nodes === undefined || nodes.length === 0 ? {} : { fields: nodes.map(toFieldSpec) }
}

function itemSpecs(nodes: FieldNode[] | undefined): { item?: ReturnType<typeof toFieldSpec>[] } {
  return nodes === undefined || nodes.length === 0 ? {} : { item: nodes.map(toFieldSpec) }
}

export function parseResponse(page: DocPage, resolver: FieldResolver): ParsedResponse {
  const region = responseRegion(page.sections)
  const { example, failed } = findExample(region, page)
  const tables = region.map((s) => ({ section: s, tables: sectionFieldTables(s) })).filter((t) => t.tables.length > 0)
  const primary = tables.find((t) => t.tables.some((rows) => rows.some((r) => r.name === 'result'))) ?? tables[0]
  const top = primary === undefined ? [] : resolver.nodes(page, primary.tables)
  for (const { section, tables: sub } of tables) {
    if (section === primary?.section) continue
    const target = sectionOwner(top, section)
    if (target !== undefined && target.fields === undefined) target.fields = resolver.nodes(page, sub)
  }
  const resultNode = top.find((n) => n.name === 'result')
  const children = top.filter((n) => !ENVELOPE.has(n.name))
  const topNames = new Set(top.map((n) => n.name))
  const exampleObject = isPlainObject(example) ? example : undefined
  const paged =
    topNames.has('total') || topNames.has('next') || (exampleObject !== undefined && 'total' in exampleObject)
  const base = { example, exampleFailed: failed, paged, hasTable: primary !== undefined }
  const value = exampleObject?.result
  const resultFields = resultNode?.fields ?? (children.length > 0 ? children : undefined)

  if (Array.isArray(value) && value.length === 0 && !paged && resultNode?.array !== true) {
    // PHP's empty array: what delete-style methods return on success, not a list.
    return { ...base, result: { kind: 'scalar', type: 'array' } }
  }
  if (Array.isArray(value) || (value === undefined && resultNode?.array === true)) {
    return { ...base, result: { kind: 'list', key: null, ...itemSpecs(resultFields) } }
  }
  if (isPlainObject(value)) {
    const key = wrappedListKey(value)
    if (key !== null) {
      const holder = findNode(top, key, false) ?? findNode(top, `${key}[]`, false)
      const itemNode = findNode(top, `${key}[]`, false)
      return { ...base, result: { kind: 'list', key, ...itemSpecs(itemNode?.fields ?? holder?.fields) } }
    }
    return { ...base, result: { kind: 'object', ...specs(resultFields) } }
  }
  if (value !== undefined && value !== null) {
    const documented = resultNode !== undefined && isScalarType(resultNode.type) ? resultNode.type : undefined
    return { ...base, result: { kind: 'scalar', type: documented ?? jsonType(value) } }
  }
  const documentsNull = resultNode === undefined || codeTokens(resultNode.row.typeMd).every((t) => t.trim() === 'null')
  if (exampleObject !== undefined && 'result' in exampleObject && value === null && documentsNull) {
    return { ...base, result: { kind: 'scalar', type: 'null' } }
  }
  if (resultNode !== undefined) {
    if (isScalarType(resultNode.type)) return { ...base, result: { kind: 'scalar', type: resultNode.type } }
    if (resultNode.type !== 'any') return { ...base, result: { kind: 'object', ...specs(resultFields) } }
  }
  return { ...base, result: { kind: 'unknown' } }
}
