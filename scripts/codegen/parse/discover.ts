/** Walking the docs for method pages and picking one page per method. */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { FieldResolver } from './field-tree.js'
import { type PageMethod, parseMethodPage } from './method-page.js'
import { PageStore } from './page-store.js'

/** Folders holding method pages. */
const ROOTS = ['api-reference', 'settings']
const SKIPPED_FILES = new Set(['index.md', 'data-types.md'])

export function listPages(docsDir: string): string[] {
  const out: string[] = []
  const walk = (rel: string) => {
    const entries = readdirSync(join(docsDir, rel), { withFileTypes: true })
      .map((e) => ({ name: e.name, dir: e.isDirectory() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      const path = `${rel}/${entry.name}`
      if (entry.dir) {
        if (!entry.name.startsWith('_')) walk(path)
      } else if (entry.name.endsWith('.md') && !SKIPPED_FILES.has(entry.name)) {
        out.push(path)
      }
    }
  }
  for (const root of ROOTS) walk(root)
  return out
}

function inRetiredFolder(path: string): boolean {
  return /(^|\/)(outdated|deprecated)\//.test(path)
}

/** Lower is better: current folders first, then pages named after the method, then shorter paths. */
function rank(method: PageMethod): [number, number, number, string] {
  const base = method.doc.split('/').pop()!.replace(/\.md$/, '')
  const slug = method.name.toLowerCase().replace(/[._]/g, '-')
  return [
    inRetiredFolder(method.doc) ? 1 : 0,
    base.toLowerCase() === slug || base === method.name ? 0 : 1,
    method.doc.length,
    method.doc,
  ]
}

function better(a: PageMethod, b: PageMethod): boolean {
  const ra = rank(a)
  const rb = rank(b)
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] < rb[i]
  return false
}

export interface Discovery {
  pages: number
  methods: PageMethod[]
  /** Pages that document a method already taken by a better page. */
  duplicates: { name: string; doc: string; kept: string }[]
}

export function discover(docsDir: string): Discovery {
  const store = new PageStore(docsDir)
  const resolver = new FieldResolver(store)
  const pages = listPages(docsDir)
  const chosen = new Map<string, PageMethod>()
  const duplicates: Discovery['duplicates'] = []
  for (const path of pages) {
    const method = parseMethodPage(store, resolver, path)
    if (method === null) continue
    const key = `${method.name.toLowerCase()}@${method.version}`
    const current = chosen.get(key)
    if (current === undefined) {
      chosen.set(key, method)
    } else if (better(method, current)) {
      duplicates.push({ name: current.name, doc: current.doc, kept: method.doc })
      chosen.set(key, method)
    } else {
      duplicates.push({ name: method.name, doc: method.doc, kept: current.doc })
    }
  }
  return { pages: pages.length, methods: [...chosen.values()], duplicates }
}
