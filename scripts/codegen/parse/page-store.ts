/** Loaded doc pages with their sections and field tables, cached so cross-page links resolve cheaply. */
import { existsSync } from 'node:fs'
import { join, posix } from 'node:path'
import { type FieldRow, fieldTableLayout, readFieldTable } from './field-table.js'
import { readPage } from './includes.js'
import { type Section, splitSections } from './markdown.js'
import { findTables } from './yfm-table.js'

export interface DocPage {
  /** Path inside the docs directory, with forward slashes. */
  path: string
  text: string
  sections: Section[]
  /** The first field table under each heading, by explicit anchor, heading slug and heading text. */
  tablesByAnchor: Map<string, FieldRow[]>
}

export function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[`*]/g, '')
    .replace(/[^\p{L}\p{N}_]+/gu, '-')
    .replace(/^-+|-+$/g, '')
}

export function sectionFieldTables(section: Section): FieldRow[][] {
  return findTables(section.body)
    .filter((t) => fieldTableLayout(t) !== null)
    .map(readFieldTable)
    .filter((rows) => rows.length > 0)
}

function indexTables(sections: Section[]): Map<string, FieldRow[]> {
  const byAnchor = new Map<string, FieldRow[]>()
  for (const section of sections) {
    if (section.level === 0) continue
    const first = sectionFieldTables(section)[0]
    if (first === undefined) continue
    for (const key of [section.anchor, slug(section.title), section.title.replace(/`/g, '').trim()]) {
      if (key !== null && key !== '' && !byAnchor.has(key)) byAnchor.set(key, first)
    }
  }
  return byAnchor
}

export class PageStore {
  private readonly cache = new Map<string, DocPage | null>()

  constructor(readonly docsDir: string) {}

  get(path: string): DocPage | null {
    const key = posix.normalize(path)
    if (this.cache.has(key)) return this.cache.get(key) ?? null
    let page: DocPage | null = null
    if (key.endsWith('.md') && !key.startsWith('..') && existsSync(join(this.docsDir, key))) {
      const text = readPage(this.docsDir, key)
      const sections = splitSections(text)
      page = { path: key, text, sections, tablesByAnchor: indexTables(sections) }
    }
    this.cache.set(key, page)
    return page
  }

  /** Resolve a link written on page `from` (e.g. `../data-types.md`, `crm-deal-get.md`, ``) to a page path. */
  resolve(from: string, file: string): string {
    if (file === '') return from
    const clean = file.split('?')[0].replace(/\.html$/, '.md')
    if (clean.startsWith('/')) return posix.normalize(clean.slice(1))
    return posix.normalize(posix.join(posix.dirname(from), clean))
  }
}
