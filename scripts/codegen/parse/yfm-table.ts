/** Tokenizer for YFM tables: `#| || a | b || ... |#`, with nested tables, code fences and escapes inside cells. */

export interface YfmTable {
  /** Offset of the opening `#|` in the text. */
  start: number
  /** Offset just past the closing `|#`. */
  end: number
  /** Rows of raw cell markdown (trimmed); the first row is usually the header. */
  rows: string[][]
}

const FENCE = /^[ \t]*(```|~~~)/

function atLineStart(text: string, pos: number): boolean {
  let i = pos - 1
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--
  return i < 0 || text[i] === '\n'
}

/** Length of the code span starting at `pos` (a run of backticks closed on the same line), or 0. */
function codeSpanLength(text: string, pos: number): number {
  let run = 0
  while (text[pos + run] === '`') run++
  const lineEnd = text.indexOf('\n', pos)
  const limit = lineEnd === -1 ? text.length : lineEnd
  const closer = '`'.repeat(run)
  let i = pos + run
  while (i < limit) {
    const found = text.indexOf(closer, i)
    if (found === -1 || found >= limit) return 0
    if (text[found + run] !== '`') return found + run - pos
    i = found + run
    while (text[i] === '`') i++
  }
  return 0
}

/** Parse the table whose `#|` is at `start`; returns null when it is never closed. */
export function parseTableAt(text: string, start: number): YfmTable | null {
  const rows: string[][] = []
  let row: string[] | null = null
  let cell = ''
  let depth = 0
  let fenced = false
  let i = start + 2
  while (i < text.length) {
    if (atLineStart(text, i) && FENCE.test(text.slice(i, i + 8))) {
      fenced = !fenced
      const eol = text.indexOf('\n', i)
      const next = eol === -1 ? text.length : eol
      cell += text.slice(i, next)
      i = next
      continue
    }
    const ch = text[i]
    if (fenced) {
      cell += ch
      i++
      continue
    }
    if (ch === '\\' && text[i + 1] === '|') {
      cell += '|'
      i += 2
      continue
    }
    if (ch === '`') {
      const len = codeSpanLength(text, i)
      if (len > 0) {
        cell += text.slice(i, i + len)
        i += len
        continue
      }
      let run = 0
      while (text[i + run] === '`') run++
      cell += text.slice(i, i + run)
      i += run
      continue
    }
    if (ch === '#' && text[i + 1] === '|') {
      depth++
      cell += '#|'
      i += 2
      continue
    }
    if (ch === '|' && depth > 0) {
      if (text[i + 1] === '#') depth--
      cell += text[i + 1] === '#' ? '|#' : '|'
      i += text[i + 1] === '#' ? 2 : 1
      continue
    }
    if (ch === '|' && text[i + 1] === '|') {
      if (row === null) {
        row = []
        cell = ''
      } else {
        row.push(cell.trim())
        rows.push(row)
        row = null
        cell = ''
      }
      i += 2
      continue
    }
    if (ch === '|' && text[i + 1] === '#') {
      if (row !== null) {
        row.push(cell.trim())
        rows.push(row)
      }
      return { start, end: i + 2, rows }
    }
    if (ch === '|' && row !== null) {
      row.push(cell.trim())
      cell = ''
      i++
      continue
    }
    if (row !== null) cell += ch
    i++
  }
  return null
}

/** Every top-level YFM table in the text, skipping code fences outside tables. */
export function findTables(text: string): YfmTable[] {
  const tables: YfmTable[] = []
  const lines = text.split('\n')
  let offset = 0
  let fenced = false
  let skipUntil = -1
  for (const line of lines) {
    const lineStart = offset
    offset += line.length + 1
    if (lineStart < skipUntil) continue
    if (FENCE.test(line)) {
      fenced = !fenced
      continue
    }
    if (fenced) continue
    const col = line.indexOf('#|')
    if (col === -1 || line.slice(0, col).trim() !== '') continue
    const table = parseTableAt(text, lineStart + col)
    if (table === null) continue
    tables.push(table)
    skipUntil = table.end
  }
  return tables
}
