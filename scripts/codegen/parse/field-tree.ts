/** Turning field tables into trees, following links to the tables that describe nested objects. */
import type { FieldSpec, ParamSpec } from '../model.js'
import { allowedValues, anchorLinks, type FieldRow, type LinkTarget } from './field-table.js'
import { descriptionText, plainText, type Section } from './markdown.js'
import type { DocPage, PageStore } from './page-store.js'
import { isStructType } from './types.js'

export interface FieldNode {
  name: string
  type: string
  array: boolean
  required: boolean
  values?: string[]
  fields?: FieldNode[]
  row: FieldRow
}

const MAX_DEPTH = 4
/** Names that hold a reference (an ID), not the referenced object. */
const ID_NAME = /(^|_)IDS?$|[a-z]Ids?$|^ids?$/
/** Anchors of generic structures that every response carries. */
const SKIPPED_ANCHORS = new Set(['time', 'compound-types', 'standart-types', 'standart-objects'])

function mergeRows(tables: FieldRow[][]): FieldRow[] {
  const seen = new Set<string>()
  const out: FieldRow[] = []
  for (const row of tables.flat()) {
    if (seen.has(row.name)) continue
    seen.add(row.name)
    out.push(row)
  }
  return out
}

export class FieldResolver {
  constructor(private readonly store: PageStore) {}

  /** Build nodes from the rows of one or more tables (same names merged, first wins). */
  nodes(page: DocPage, tables: FieldRow[][], depth = 0, seen: ReadonlySet<string> = new Set()): FieldNode[] {
    return mergeRows(tables).map((row) => {
      const node: FieldNode = { name: row.name, type: row.type, array: row.array, required: row.required, row }
      // On objects and bare arrays a "Possible values" list describes keys or directions inside, not the value.
      const values = row.type === 'object' || row.type === 'array' ? undefined : allowedValues(row.description)
      if (values !== undefined) node.values = values
      const fields = this.linked(page, row, depth, seen)
      if (fields !== undefined) node.fields = fields
      return node
    })
  }

  /** Fields of a row's structure, found through the anchors its type or description links to. */
  linked(page: DocPage, row: FieldRow, depth: number, seen: ReadonlySet<string>): FieldNode[] | undefined {
    if (depth >= MAX_DEPTH || ID_NAME.test(row.name)) return undefined
    const struct = isStructType(row.type) || row.type === 'array'
    if (!struct) return undefined
    for (const target of this.targets(row)) {
      const path = this.store.resolve(page.path, target.file)
      const key = `${path}#${target.anchor}`
      if (seen.has(key) || SKIPPED_ANCHORS.has(target.anchor)) continue
      const targetPage = this.store.get(path)
      const rows = targetPage?.tablesByAnchor.get(target.anchor)
      if (targetPage == null || rows === undefined) continue
      const next = new Set(seen)
      next.add(key)
      return this.nodes(targetPage, [rows], depth + 1, next)
    }
    return undefined
  }

  private targets(row: FieldRow): LinkTarget[] {
    const out = anchorLinks(row.typeMd)
    const base = row.type.split('|')[0]
    if (out.length === 0 && !base.includes('.') && base !== 'object' && base !== 'array') {
      for (const m of row.typeMd.matchAll(/\]\(([^)#\s]*data-types\.md)\)/g)) out.push({ file: m[1], anchor: base })
    }
    for (const link of anchorLinks(row.description)) if (link.file === '') out.push(link)
    return out
  }
}

/** Find a node by name (or dotted path) anywhere in the tree, breadth first. */
export function findNode(nodes: FieldNode[], name: string, caseInsensitive: boolean): FieldNode | undefined {
  const path = name.split('.')
  if (path.length > 1) {
    let level: FieldNode[] | undefined = nodes
    let found: FieldNode | undefined
    for (const part of path) {
      found = level === undefined ? undefined : findNode(level, part, caseInsensitive)
      if (found === undefined) return undefined
      level = found.fields
    }
    return found
  }
  const same = (a: string) => (caseInsensitive ? a.toLowerCase() === name.toLowerCase() : a === name)
  const queue = [...nodes]
  while (queue.length > 0) {
    const node = queue.shift()!
    if (same(node.name)) return node
    if (node.fields !== undefined) queue.push(...node.fields)
  }
  return undefined
}

export function toParamSpec(node: FieldNode): ParamSpec {
  const spec: ParamSpec = { name: node.name, type: node.type, required: node.required, array: node.array }
  if (node.fields !== undefined && node.fields.length > 0) spec.fields = node.fields.map(toParamSpec)
  return withDetails(spec, node)
}

/** Values and the docs' description, where the row has them. */
function withDetails<S extends FieldSpec>(spec: S, node: FieldNode): S {
  if (node.values !== undefined) spec.values = node.values
  const description = descriptionText(node.row.description)
  if (description !== '') spec.description = description
  return spec
}

export function toFieldSpec(node: FieldNode): FieldSpec {
  const spec: FieldSpec = { name: node.name, type: node.type, array: node.array }
  if (node.fields !== undefined && node.fields.length > 0) spec.fields = node.fields.map(toFieldSpec)
  return withDetails(spec, node)
}

const HEADING_NOISE = new Set(['parameter', 'parameters', 'object', 'objects', 'type', 'of', 'the', 'element', 'array'])

/** Which node a sub-section describes: the one linking to its anchor, else one named in its heading. */
export function sectionOwner(nodes: FieldNode[], section: Section): FieldNode | undefined {
  if (section.anchor !== null) {
    const link = `](#${section.anchor})`
    const queue = [...nodes]
    while (queue.length > 0) {
      const node = queue.shift()!
      if (node.row.typeMd.includes(link) || node.row.description.includes(link)) return node
      if (node.fields !== undefined) queue.push(...node.fields)
    }
  }
  const tokens = plainText(section.title)
    .split(/[\s,:()<>]+/)
    .filter((t) => t !== '' && !HEADING_NOISE.has(t.toLowerCase()))
  for (const caseInsensitive of [false, true]) {
    for (const token of tokens) {
      const found = findNode(nodes, token, caseInsensitive)
      if (found !== undefined) return found
    }
  }
  return undefined
}
