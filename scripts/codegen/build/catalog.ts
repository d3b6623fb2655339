/** Assembling the catalogue: doc pages, then the Python SDK's names, then the hand overrides. */
import type { MethodSpec, Source } from '../model.js'
import type { PageMethod } from '../parse/method-page.js'
import { deepMerge, type Overrides } from '../sources/overrides.js'
import { inferList } from './list.js'
import { guessScope, moduleScopes } from './scopes.js'
import { summarize } from './summary.js'

const SOURCE_ORDER: Source[] = ['docs', 'pysdk', 'override']

function key(name: string, version: 2 | 3 | undefined): string {
  return `${name.toLowerCase()}@${version ?? 2}`
}

function fromPage(page: PageMethod): MethodSpec {
  const version = page.version === 3 ? 3 : undefined
  const byId = page.params.some((p) => p.name.toLowerCase() === 'id')
  const spec: MethodSpec = {
    name: page.name,
    ...(version === undefined ? {} : { version }),
    scope: page.scopes[0] ?? null,
    scopes: page.scopes,
    doc: page.doc,
    deprecated: page.deprecated,
    summary: summarize(page.name, { version, byId }),
    params: page.params,
    result: page.result,
    sources: ['docs'],
  }
  const list = version === 3 ? undefined : inferList(page.result, page.params, page.example, page.paged)
  if (list !== undefined) spec.list = list
  if (page.example !== undefined) spec.example = page.example
  return spec
}

function bare(name: string, version: 3 | undefined, scope: string, source: Source): MethodSpec {
  return {
    name,
    ...(version === undefined ? {} : { version }),
    scope,
    scopes: [scope],
    doc: null,
    deprecated: false,
    summary: summarize(name, { version }),
    params: [],
    result: { kind: 'unknown' },
    sources: [source],
  }
}

function addSource(spec: MethodSpec, source: Source): void {
  if (!spec.sources.includes(source))
    spec.sources = SOURCE_ORDER.filter((s) => s === source || spec.sources.includes(s))
}

export interface CatalogInput {
  pages: PageMethod[]
  pysdkNames: string[]
  overrides: Overrides
}

export function buildCatalog(input: CatalogInput): MethodSpec[] {
  const byKey = new Map<string, MethodSpec>()
  for (const page of input.pages) byKey.set(key(page.name, page.version === 3 ? 3 : undefined), fromPage(page))
  const scopes = moduleScopes([...byKey.values()])
  for (const name of input.pysdkNames) {
    // B24PySDK calls REST 3.0-only methods (humanresources.node.*, mail.*) by their plain names.
    const existing = byKey.get(key(name, undefined)) ?? byKey.get(key(name, 3))
    if (existing !== undefined) addSource(existing, 'pysdk')
    else byKey.set(key(name, undefined), bare(name, undefined, guessScope(name, scopes), 'pysdk'))
  }
  for (const [target, patch] of Object.entries(input.overrides).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [name, v] = target.split('@')
    const version = v === '3' ? 3 : undefined
    const k = key(name, version)
    const current = byKey.get(k) ?? bare(name, version, guessScope(name, scopes), 'override')
    const merged = deepMerge(current as unknown as Record<string, unknown>, patch) as unknown as MethodSpec
    if (!('summary' in patch)) {
      const byId = merged.params.some((p) => p.name.toLowerCase() === 'id')
      merged.summary = summarize(merged.name, { version: merged.version, byId })
    }
    addSource(merged, 'override')
    byKey.set(k, merged)
  }
  return [...byKey.values()].sort(compareSpecs)
}

export function compareSpecs(a: MethodSpec, b: MethodSpec): number {
  const la = a.name.toLowerCase()
  const lb = b.name.toLowerCase()
  if (la !== lb) return la < lb ? -1 : 1
  if (a.name !== b.name) return a.name < b.name ? -1 : 1
  return (a.version ?? 2) - (b.version ?? 2)
}
