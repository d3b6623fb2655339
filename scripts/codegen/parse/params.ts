/** The "Method Parameters" section: the main table plus sub-tables describing nested objects. */
import type { ParamSpec } from '../model.js'
import type { FieldRow } from './field-table.js'
import { type FieldResolver, sectionOwner, toParamSpec } from './field-tree.js'
import { plainText, type Section } from './markdown.js'
import { type DocPage, sectionFieldTables } from './page-store.js'

export interface ParsedParams {
  /** False when the page has no parameters section at all. */
  found: boolean
  params: ParamSpec[]
  /** Sub-tables that could not be tied to a parameter. */
  orphans: number
}

const PARAMS_HEADING = /^(method |request |command )?parameters( for .*)?$/i
const TRAILING_PARAM_HEADING = /^(parameters? \S+|\S+ parameters?)$/i

function paramsRegion(sections: Section[]): Section[] {
  const out: Section[] = []
  let state: 'before' | 'inside' | 'after' = 'before'
  for (const section of sections) {
    if (section.level === 2) {
      if (PARAMS_HEADING.test(section.title)) state = 'inside'
      else if (state === 'inside' && TRAILING_PARAM_HEADING.test(plainText(section.title))) state = 'inside'
      else if (state === 'inside') state = 'after'
    } else if (section.level === 1 && state === 'inside') state = 'after'
    if (state === 'inside') out.push(section)
  }
  return out
}

export function parseParams(page: DocPage, resolver: FieldResolver): ParsedParams {
  let region = paramsRegion(page.sections)
  if (region.length === 0) {
    // Some pages put the table straight under the title, with no "Method Parameters" heading.
    const intro = page.sections.filter((s) => s.level <= 1)
    if (!intro.some((s) => sectionFieldTables(s).length > 0)) return { found: false, params: [], orphans: 0 }
    region = [{ level: 2, title: '', anchor: null, body: intro.map((s) => s.body).join('\n') }]
  }
  const isMain = (s: Section) => s.level === 2 && (s.title === '' || PARAMS_HEADING.test(s.title))
  const mainTables = region.filter(isMain).flatMap(sectionFieldTables)
  let nodes = resolver.nodes(page, mainTables)
  const alternatives: FieldRow[][] = []
  let orphans = 0
  for (const section of region.filter((s) => !isMain(s))) {
    const tables = sectionFieldTables(section)
    if (tables.length === 0) continue
    const target = sectionOwner(nodes, section)
    if (target !== undefined) {
      target.fields = resolver.nodes(page, tables)
    } else if (mainTables.length === 0) {
      alternatives.push(...tables)
    } else {
      orphans++
    }
  }
  if (alternatives.length > 0) {
    const optional = alternatives.length > 1
    const extra = resolver.nodes(page, alternatives).filter((n) => !nodes.some((m) => m.name === n.name))
    if (optional) for (const node of extra) node.required = false
    nodes = [...nodes, ...extra]
  }
  return { found: true, params: nodes.map(toParamSpec), orphans }
}
