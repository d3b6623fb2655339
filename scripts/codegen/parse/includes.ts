import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/** `{% include [title](path) %}` and `{% include notitle [title](path) %}`. */
const INCLUDE = /\{%\s*include\s+(?:notitle\s+)?\[[^\]]*\]\(([^)]+)\)\s*%\}/g

/** Site-wide boilerplate (notes on examples, error tables): never carries method data. */
function isBoilerplate(docsDir: string, file: string): boolean {
  return relative(docsDir, file).split(/[\\/]/)[0] === '_includes'
}

/** Inline section-local includes (shared field tables and the like), recursively. */
export function expandIncludes(docsDir: string, file: string, text: string, depth = 0): string {
  if (depth > 5) return text
  return text.replace(INCLUDE, (whole, target: string) => {
    const path = resolve(dirname(file), target.split('#')[0])
    if (!path.startsWith(resolve(docsDir)) || isBoilerplate(docsDir, path)) return ''
    let included: string
    try {
      included = readFileSync(path, 'utf8')
    } catch {
      return whole
    }
    return expandIncludes(docsDir, path, included, depth + 1)
  })
}

export function readPage(docsDir: string, relPath: string): string {
  const file = join(docsDir, relPath)
  return expandIncludes(docsDir, file, readFileSync(file, 'utf8').replace(/\r\n?/g, '\n'))
}
