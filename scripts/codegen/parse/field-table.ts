/** Reading one "Name / type / Description" table into rows. */
import { codeTokens, normalizeType } from './types.js'
import type { YfmTable } from './yfm-table.js'

export interface FieldRow {
  name: string
  required: boolean
  type: string
  array: boolean
  /** Raw markdown of the type notation. */
  typeMd: string
  /** Raw markdown of the description. */
  description: string
}

/** A link target inside the page (`#anchor`) or on another page (`file.md#anchor`). */
export interface LinkTarget {
  file: string
  anchor: string
}

const STAR = '\u0000'
const NAME = /^\*\*(.+?)\*\*(\*|\^\*\^|\\\*)?/

export type TableLayout = 'two' | 'three' | 'headless'

/**
 * "**Name** `type` | **Description**" (two columns), "**Field** | **Type** | **Description**" (three), or a table
 * with no header whose first row already reads "**name** `type` | description".
 */
export function fieldTableLayout(table: YfmTable): TableLayout | null {
  const header = table.rows[0]
  if (header === undefined || header.length < 2) return null
  const first = header[0].toLowerCase()
  if (/^\*\*(name|parameter|field|key|value|property|option|element|attribute)s?\*\*/.test(first)) {
    if (/`type`/.test(first)) return 'two'
    if (header.length >= 3 && /^\*\*type\*\*/.test(header[1].toLowerCase())) return 'three'
    // "**Name** | **Description**" (no type column): an error table says "error", "fix" or "solution" instead.
    if (header.slice(1).some((cell) => /error|fix|solution|triggered/i.test(cell))) return null
    return 'two'
  }
  if (header.length === 2 && /^\*\*[^*\n]+\*\*\S*\s*\n\s*\[?`/.test(header[0])) return 'headless'
  return null
}

function cleanName(raw: string): { name: string; required: boolean } {
  let name = raw.trim()
  let required = false
  // `**UF_***` is the custom-field mask UF_*, not a required parameter named UF_.
  if (/_\*$/.test(name)) return { name, required: false }
  for (const mark of ['^*^', '*']) {
    if (name.endsWith(mark)) {
      name = name.slice(0, -mark.length).trim()
      required = true
    }
  }
  name = name.replace(/\\_/g, '_').replace(/^`|`$/g, '')
  return { name, required }
}

export function readFieldTable(table: YfmTable): FieldRow[] {
  const layout = fieldTableLayout(table)
  if (layout === null) return []
  const rows: FieldRow[] = []
  for (const cells of layout === 'headless' ? table.rows : table.rows.slice(1)) {
    if (cells.length < 2) continue
    // An escaped star is part of the name (`**UF_\***` is the mask UF_*), not the required mark.
    const head = cells[0].replace(/\\\*/g, STAR)
    const match = NAME.exec(head)
    if (match === null) continue
    const masked = match[2] === '*' && match[1].endsWith('_')
    const { name: cleaned, required } = cleanName(masked ? `${match[1]}*` : match[1])
    // "LANGUAGE_ID (LANG)" names the parameter first; other names with spaces are prose, not keys.
    const name = cleaned.replaceAll(STAR, '*').replace(/^(\S+) \([^)]*\)$/, '$1')
    if (name === '' || /\s/.test(name)) continue
    const typeMd = layout === 'three' ? cells[1] : head.slice(match[0].length).trim()
    const normalized = normalizeType(codeTokens(typeMd.split('\n')[0] ?? ''))
    rows.push({
      name,
      required: required || (match[2] !== undefined && !masked),
      type: normalized.type,
      array: normalized.array,
      typeMd,
      description: cells[cells.length - 1],
    })
  }
  return rows
}

/** Links in markdown that carry an anchor, relative to the page. */
export function anchorLinks(md: string): LinkTarget[] {
  const out: LinkTarget[] = []
  const re = /\]\(([^)\s]*?)#([^)\s]+)\)/g
  for (let m = re.exec(md); m !== null; m = re.exec(md)) out.push({ file: m[1], anchor: m[2] })
  return out
}

const VALUES_INTRO =
  /(?:^|\n)[^\n]*\b(?:possible|allowed|acceptable|available|valid|supported) values(?: of elements| for array elements)?:[ \t]*\n((?:[ \t]*\n)*(?:[ \t]*[-*] [^\n]*\n?(?:[ \t]{2,}[^\n]*\n?)*)+)/i

/** Allowed values from a "Possible values:" bullet list whose items start with a code span. */
export function allowedValues(description: string): string[] | undefined {
  const match = VALUES_INTRO.exec(description)
  if (match === null) return undefined
  const values: string[] = []
  for (const line of match[1].split('\n')) {
    const item = /^[-*] +(`+)(.+?)\1/.exec(line)
    if (item === null) continue
    // Authors double the backslashes of PHP class names inside code spans.
    const value = item[2].trim().replace(/\\\\/g, '\\')
    if (!values.includes(value)) values.push(value)
  }
  return values.length > 0 ? values : undefined
}
