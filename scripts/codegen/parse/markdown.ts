/** Splitting a page into headed sections, outside code fences. */

export interface Section {
  level: number
  /** Heading text without the `{#anchor}` suffix. */
  title: string
  anchor: string | null
  /** Body up to the next heading of any level. */
  body: string
}

const HEADING = /^(#{1,6})\s+(.*?)\s*$/
const ANCHOR = /\s*\{#([^}]+)\}\s*$/

export function splitSections(text: string): Section[] {
  const sections: Section[] = [{ level: 0, title: '', anchor: null, body: '' }]
  let fenced = false
  let body: string[] = []
  const flush = () => {
    sections[sections.length - 1].body = body.join('\n')
    body = []
  }
  for (const line of text.split('\n')) {
    if (/^[ \t]*(```|~~~)/.test(line)) fenced = !fenced
    const match = fenced ? null : HEADING.exec(line)
    if (match === null || line.startsWith('#|')) {
      body.push(line)
      continue
    }
    flush()
    const raw = match[2]
    const anchor = ANCHOR.exec(raw)
    sections.push({
      level: match[1].length,
      title: raw.replace(ANCHOR, '').trim(),
      anchor: anchor === null ? null : anchor[1].trim(),
      body: '',
    })
  }
  flush()
  return sections
}

/** Inline markdown reduced to plain text: links to their label, emphasis and code marks dropped. */
export function plainText(md: string): string {
  return md
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]+/g, '')
    .replace(/\s+/g, ' ')
    .trim()
}

const DESCRIPTION_MAX = 400

/**
 * A table cell's description as one line of plain text for a doc comment: the first paragraph, HTML and
 * inline markdown dropped, cut at a word boundary. Empty when the cell says nothing.
 */
export function descriptionText(md: string): string {
  const paragraph = md.split(/\n\s*\n|<br\s*\/?>\s*<br\s*\/?>/i)[0] ?? ''
  const text = plainText(paragraph.replace(/<[^>]+>/g, ' ').replace(/\\([\\`*_{}[\]()#+\-.!|])/g, '$1'))
  if (text.length <= DESCRIPTION_MAX) return text
  const cut = text.lastIndexOf(' ', DESCRIPTION_MAX)
  return `${text.slice(0, cut > 0 ? cut : DESCRIPTION_MAX)}…`
}
