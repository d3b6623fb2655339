/** Writes src/methods/generated/ from the catalogue: runtime tables and compile-time types. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../config.js'
import type { MethodSpec } from '../model.js'
import { emitListShapes, emitNames, emitParamRules } from './ts-runtime.js'
import { emitEntities, emitTypes } from './ts-types.js'
import { emitV3Names, emitV3Types } from './ts-v3.js'

export const GENERATED_DIR = join(REPO_ROOT, 'src', 'methods', 'generated')

/**
 * The reference SDK spells some names in other case than the docs (`disk.file.copyto` for `disk.file.copyTo`);
 * those spellings become aliases of the documented method, so both work on the client tree.
 */
export function withReferenceAliases(specs: readonly MethodSpec[], referenceNames: readonly string[]): MethodSpec[] {
  const exact = new Set(specs.map((spec) => spec.name))
  const byLower = new Map<string, MethodSpec>()
  for (const spec of specs)
    if (spec.version !== 3 || !byLower.has(spec.name.toLowerCase())) byLower.set(spec.name.toLowerCase(), spec)
  const aliases: MethodSpec[] = []
  for (const name of referenceNames) {
    const target = exact.has(name) ? undefined : byLower.get(name.toLowerCase())
    if (target)
      aliases.push({ ...target, name, aliasOf: target.name, summary: `${target.summary} Same as ${target.name}.` })
  }
  return [...specs, ...aliases].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

export function writeGenerated(catalogue: readonly MethodSpec[], referenceNames: readonly string[]): void {
  const specs = withReferenceAliases(catalogue, referenceNames)
  mkdirSync(GENERATED_DIR, { recursive: true })
  const files: Record<string, string> = {
    'names.ts': emitNames(specs),
    'params.ts': emitParamRules(specs),
    'lists.ts': emitListShapes(specs),
    'entities.ts': emitEntities(specs),
    'types.ts': emitTypes(specs),
    'v3.ts': emitV3Types(specs),
    'v3-names.ts': emitV3Names(specs),
  }
  for (const [name, content] of Object.entries(files)) writeFileSync(join(GENERATED_DIR, name), content)
}
