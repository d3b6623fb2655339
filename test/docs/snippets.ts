/**
 * The code blocks of the guides and migration tables: ```ts blocks are complete programs that are compiled and
 * run; ```ts no-run blocks are compiled only.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface Snippet {
  /** `guides/lists-and-exports.md#2`: the page and the block's position on it. */
  id: string
  /** A file name for the block: `guides-lists-and-exports-2.ts`. */
  fileName: string
  code: string
  run: boolean
}

const BLOCK = /^```ts( no-run)?[ \t]*\n([\s\S]*?)^```[ \t]*$/gm

export function readSnippets(docsDir: string, folders: readonly string[]): Snippet[] {
  const out: Snippet[] = []
  for (const folder of folders) {
    for (const page of readdirSync(join(docsDir, folder))
      .filter((name) => name.endsWith('.md'))
      .sort()) {
      const text = readFileSync(join(docsDir, folder, page), 'utf8')
      let index = 0
      for (const match of text.matchAll(BLOCK)) {
        index++
        const base = `${folder}-${page.replace(/\.md$/, '')}-${index}`
        out.push({
          id: `${folder}/${page}#${index}`,
          fileName: `${base}.ts`,
          code: match[2],
          run: match[1] === undefined,
        })
      }
    }
  }
  return out
}
