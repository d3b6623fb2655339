/** Writes src/methods/generated/ from the catalogue: runtime tables and compile-time types. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../config.js'
import type { MethodSpec } from '../model.js'
import { emitListShapes, emitNames, emitParamRules } from './ts-runtime.js'
import { emitEntities, emitTypes } from './ts-types.js'

export const GENERATED_DIR = join(REPO_ROOT, 'src', 'methods', 'generated')

export function writeGenerated(specs: readonly MethodSpec[]): void {
  mkdirSync(GENERATED_DIR, { recursive: true })
  const files: Record<string, string> = {
    'names.ts': emitNames(specs),
    'params.ts': emitParamRules(specs),
    'lists.ts': emitListShapes(specs),
    'entities.ts': emitEntities(specs),
    'types.ts': emitTypes(specs),
  }
  for (const [name, content] of Object.entries(files)) writeFileSync(join(GENERATED_DIR, name), content)
}
