/** A scope for methods the docs do not describe: the scope most documented methods of the same module use. */
import type { MethodSpec } from '../model.js'

/** Modules whose methods live in a scope of another name. */
const KNOWN: Record<string, string> = {
  app: 'basic',
  access: 'basic',
  documentation: 'basic',
  event: 'basic',
  events: 'basic',
  feature: 'basic',
  method: 'basic',
  methods: 'basic',
  profile: 'basic',
  scope: 'basic',
  server: 'basic',
  batch: 'basic',
  voximplant: 'telephony',
  userfieldtype: 'placement',
}

export function moduleScopes(specs: readonly MethodSpec[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>()
  for (const spec of specs) {
    if (spec.scope === null) continue
    const module = spec.name.split('.')[0].toLowerCase()
    const perModule = counts.get(module) ?? new Map<string, number>()
    perModule.set(spec.scope, (perModule.get(spec.scope) ?? 0) + 1)
    counts.set(module, perModule)
  }
  const out = new Map<string, string>()
  for (const [module, perModule] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const best = [...perModule].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]
    out.set(module, best[0])
  }
  return out
}

export function guessScope(name: string, byModule: ReadonlyMap<string, string>): string {
  const module = name.split('.')[0].toLowerCase()
  return KNOWN[module] ?? byModule.get(module) ?? module
}
