/** One doc page read into a method record (or null when the page documents no method). */
import type { ParamSpec, ResultSpec } from '../model.js'
import type { FieldResolver } from './field-tree.js'
import { isDeprecated, leadMethod, pageScopes, pageTitle, titleMethod, urlMethods } from './page-meta.js'
import type { PageStore } from './page-store.js'
import { parseParams } from './params.js'
import { parseResponse } from './response.js'

export interface PageMethod {
  name: string
  version: 2 | 3
  doc: string
  title: string
  scopes: string[]
  deprecated: boolean
  params: ParamSpec[]
  result: ResultSpec
  paged: boolean
  example?: unknown
  /** How the name was found: the page title, a cURL example URL, or the lead sentence. */
  nameFrom: 'title' | 'url' | 'lead'
  stats: { paramsSection: boolean; returnedTable: boolean; exampleFailed: boolean; orphanTables: number }
}

const NOT_METHOD_TITLE = /^events?\b|\bevent$|overview/i
const METHOD_NAME = /^[a-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/

/** A page found by URL or lead sentence must also be named after the method (`crm-status-fields.md`). */
function namedAfter(path: string, name: string): boolean {
  const base = path.split('/').pop()!.replace(/\.md$/, '').toLowerCase()
  return base.replace(/-/g, '') === name.toLowerCase().replace(/[._]/g, '')
}
const REST_V3_NOTE = /belongs to REST 3\.0|This method (is|belongs) .*REST 3\.0/i

function versionOf(name: string, text: string, urls: { name: string; version: 2 | 3 }[]): 2 | 3 {
  const lower = name.toLowerCase()
  const mentions = urls.filter((u) => u.name.toLowerCase() === lower)
  if (mentions.some((u) => u.version === 3) && !mentions.some((u) => u.version === 2)) return 3
  if (mentions.length === 0 && REST_V3_NOTE.test(text)) return 3
  return 2
}

export function parseMethodPage(store: PageStore, resolver: FieldResolver, path: string): PageMethod | null {
  const page = store.get(path)
  if (page === null) return null
  const title = pageTitle(page.sections)
  if (title === null || NOT_METHOD_TITLE.test(title)) return null
  const urls = urlMethods(page.text)
  const scopes = pageScopes(page.text)
  let name = titleMethod(title)
  let nameFrom: PageMethod['nameFrom'] = 'title'
  if (name !== null && urls.length > 0 && !namedAfter(path, name)) {
    const lower = name.toLowerCase()
    const fromUrl = urls.find((u) => namedAfter(path, u.name))
    // A title typo ("ctrigger.delete"): trust the example URL when it matches the page's file name.
    if (fromUrl !== undefined && !urls.some((u) => u.name.toLowerCase() === lower)) {
      name = fromUrl.name
      nameFrom = 'url'
    }
  }
  if (name === null) {
    const intro = page.sections
      .filter((s) => s.level <= 1)
      .map((s) => s.body)
      .join('\n')
    const candidates: [string | null, PageMethod['nameFrom']][] = [
      ...urls.map((u): [string, PageMethod['nameFrom']] => [u.name, 'url']),
      [leadMethod(intro), 'lead'],
    ]
    const found = candidates.find(([n]) => n !== null && namedAfter(path, n))
    if (found !== undefined) [name, nameFrom] = found
  }
  if (name === null || !METHOD_NAME.test(name)) return null
  const params = parseParams(page, resolver)
  const response = parseResponse(page, resolver)
  if (scopes.length === 0 && !params.found && response.example === undefined) return null
  const method: PageMethod = {
    name,
    version: versionOf(name, page.text, urls),
    doc: path,
    title,
    scopes,
    deprecated: isDeprecated(path, page.sections),
    params: params.params,
    result: response.result,
    paged: response.paged,
    nameFrom,
    stats: {
      paramsSection: params.found,
      returnedTable: response.hasTable,
      exampleFailed: response.exampleFailed,
      orphanTables: params.orphans,
    },
  }
  if (response.example !== undefined) method.example = response.example
  return method
}
