/** Counts printed by the generator and written into spec/README.md. */
import type { MethodSpec } from '../model.js'
import type { Discovery } from '../parse/discover.js'

export interface Stats {
  methods: number
  names: number
  v3: number
  fromDocs: number
  withParams: number
  withExamples: number
  deprecated: number
  pysdkOnly: number
  pysdkCovered: number
  overridden: number
  lists: number
  results: Record<'scalar' | 'object' | 'list' | 'unknown', number>
  pages: number
  methodPages: number
  paramsSections: number
  returnedTables: number
  examplesUnparsed: number
  orphanTables: number
  nameFromUrl: number
}

export function computeStats(specs: readonly MethodSpec[], discovery: Discovery): Stats {
  const count = (test: (s: MethodSpec) => boolean) => specs.filter(test).length
  const pages = discovery.methods
  const results = { scalar: 0, object: 0, list: 0, unknown: 0 }
  for (const spec of specs) results[spec.result.kind]++
  return {
    methods: specs.length,
    names: new Set(specs.map((s) => s.name.toLowerCase())).size,
    v3: count((s) => s.version === 3),
    fromDocs: count((s) => s.sources.includes('docs')),
    withParams: count((s) => s.params.length > 0),
    withExamples: count((s) => s.example !== undefined),
    deprecated: count((s) => s.deprecated),
    pysdkOnly: count((s) => s.sources.includes('pysdk') && !s.sources.includes('docs')),
    pysdkCovered: count((s) => s.sources.includes('pysdk')),
    overridden: count((s) => s.sources.includes('override')),
    lists: count((s) => s.list !== undefined),
    results,
    pages: discovery.pages,
    methodPages: pages.length,
    paramsSections: pages.filter((p) => p.stats.paramsSection).length,
    returnedTables: pages.filter((p) => p.stats.returnedTable).length,
    examplesUnparsed: pages.filter((p) => p.stats.exampleFailed).length,
    orphanTables: pages.reduce((sum, p) => sum + p.stats.orphanTables, 0),
    nameFromUrl: pages.filter((p) => p.nameFrom !== 'title').length,
  }
}

export function statsLine(s: Stats): string {
  return (
    `codegen: ${s.methods} methods (${s.names} names, ${s.v3} REST 3.0), ${s.fromDocs} from docs, ` +
    `${s.withParams} with params, ${s.withExamples} with examples, ${s.deprecated} deprecated, ` +
    `${s.pysdkOnly} pysdk-only, ${s.overridden} overridden, ${s.lists} list methods; ` +
    `${s.examplesUnparsed} examples unparseable`
  )
}
