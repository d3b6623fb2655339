/**
 * Event pages (`on-*.md`): the event code, the page title and every example of what the handler receives
 * (a JSON object with an `event` key; some pages show several, in tabs).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseLenientJson } from './lenient-json.js'

export interface EventExample {
  /** The payload as the docs show it (JSON view of the form the portal posts). */
  payload: Record<string, unknown>
}

export interface EventPage {
  /** Upper-case event code, e.g. `ONCRMDEALADD`. */
  code: string
  /** Type-name stem from the file name: `on-crm-deal-add.md` → `OnCrmDealAdd`. */
  stem: string
  /** Path under the docs root. */
  doc: string
  title: string
  outdated: boolean
  examples: EventExample[]
}

/** Every `on-*.md` under api-reference/, sorted by path. */
export function listEventPages(docsDir: string): string[] {
  const out: string[] = []
  const walk = (rel: string) => {
    const entries = readdirSync(join(docsDir, rel), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )
    for (const entry of entries) {
      const path = `${rel}/${entry.name}`
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('_')) walk(path)
      } else if (/^on-[A-Za-z0-9-]+\.md$/.test(entry.name)) out.push(path)
    }
  }
  walk('api-reference')
  return out
}

/** Bodies of the page's code fences, dedented (fences inside tabs are indented). */
function codeBlocks(text: string): string[] {
  const blocks: string[] = []
  let current: string[] | undefined
  let indent = 0
  for (const line of text.split('\n')) {
    const fence = /^(\s*)(```|~~~)/.exec(line)
    if (fence !== null) {
      if (current === undefined) {
        current = []
        indent = fence[1].length
      } else {
        blocks.push(current.join('\n'))
        current = undefined
      }
      continue
    }
    current?.push(line.slice(Math.min(indent, line.length - line.trimStart().length)))
  }
  return blocks
}

function pascal(parts: string[]): string {
  return parts.map((part) => part[0].toUpperCase() + part.slice(1)).join('')
}

export function parseEventPage(docsDir: string, doc: string): EventPage {
  const text = readFileSync(join(docsDir, doc), 'utf8')
  const title = (/^#\s+(.*)$/m.exec(text)?.[1] ?? '').trim()
  const file = doc.split('/').pop()!.replace(/\.md$/, '')
  const examples: EventExample[] = []
  for (const block of codeBlocks(text)) {
    if (!/"event"\s*:/.test(block)) continue
    const parsed = parseLenientJson(block)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) continue
    const payload = parsed as Record<string, unknown>
    if (typeof payload.event === 'string' && payload.event !== '') examples.push({ payload })
  }
  const fromTitle = /\b(on[A-Z][A-Za-z0-9]+)\b/.exec(title)?.[1]
  const fromExample = examples.length > 0 ? String(examples[0].payload.event) : undefined
  const code = (fromExample ?? fromTitle ?? file.replace(/-/g, '')).toUpperCase()
  return {
    code,
    stem: pascal(file.split('-').filter(Boolean)),
    doc,
    title,
    outdated: /(^|\/)(outdated|deprecated)\//.test(doc),
    examples: examples.filter((example) => String(example.payload.event).toUpperCase() === code),
  }
}
