/** Where the generator reads and writes. */
import { existsSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const SPEC_DIR = resolve(REPO_ROOT, 'spec')
export const PYSDK_FILE = resolve(SPEC_DIR, 'b24pysdk-methods.txt')
export const OVERRIDES_FILE = resolve(SPEC_DIR, 'overrides.json')
export const METHODS_FILE = resolve(SPEC_DIR, 'methods.json')
export const README_FILE = resolve(SPEC_DIR, 'README.md')

/** `B24_DOCS_DIR`, else `../shared/b24restdocs` next to the repository. */
export function docsDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.B24_DOCS_DIR
  return configured !== undefined && configured !== ''
    ? resolve(configured)
    : resolve(REPO_ROOT, '..', 'shared', 'b24restdocs')
}

export function docsDirExists(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory() && existsSync(resolve(dir, 'api-reference'))
}
