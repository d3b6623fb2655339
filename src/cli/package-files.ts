/**
 * Files shipped beside the command: `package.json` (the version) and `spec/methods.json` (the catalogue with
 * doc pages and summaries). Found by walking up from this module, which works from `src/cli/` and from `dist/`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE_NAME = 'b24tssdk'

let root: string | undefined

/** The directory of b24tssdk's own package.json. */
export function packageRoot(): string {
  if (root) return root
  let directory = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 8; depth++) {
    const candidate = join(directory, 'package.json')
    if (existsSync(candidate)) {
      const name = (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown }).name
      if (name === PACKAGE_NAME) {
        root = directory
        return directory
      }
    }
    const parent = dirname(directory)
    if (parent === directory) break
    directory = parent
  }
  throw new Error(`the ${PACKAGE_NAME} package.json was not found above ${fileURLToPath(import.meta.url)}`)
}

export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0'
}

/** One catalogue record, as `methods` shows it. */
export interface CatalogueEntry {
  name: string
  version: 2 | 3
  scope: string | null
  summary: string
  deprecated: boolean
  /** The official page, or null when the method is known only from the reference SDK. */
  docUrl: string | null
}

const DOCS_BASE = 'https://apidocs.bitrix24.com/'

/** The official page of a catalogue `doc` path (`api-reference/crm/deals/crm-deal-get.md`). */
export function docUrl(doc: string | null | undefined): string | null {
  return doc ? `${DOCS_BASE}${doc.replace(/\.md$/, '.html')}` : null
}

/** Every catalogued method, sorted by name. */
export function readCatalogue(): CatalogueEntry[] {
  const records = JSON.parse(readFileSync(join(packageRoot(), 'spec', 'methods.json'), 'utf8')) as Array<{
    name: string
    version?: number
    scope?: string | null
    summary?: string
    deprecated?: boolean
    doc?: string | null
  }>
  return records.map((record) => ({
    name: record.name,
    version: record.version === 3 ? 3 : 2,
    scope: record.scope ?? null,
    summary: record.summary ?? '',
    deprecated: record.deprecated === true,
    docUrl: docUrl(record.doc),
  }))
}
