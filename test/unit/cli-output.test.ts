import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { findMethods, formatMethods } from '../../src/cli/methods-command.js'
import { csvCell, csvColumns, HEADER_ROWS, RowWriter, streamSink } from '../../src/cli/output.js'
import { readCatalogue } from '../../src/cli/package-files.js'
import { formatDuration, formatProgress, ProgressBar } from '../../src/cli/progress.js'

async function written(format: 'csv' | 'ndjson', rows: unknown[]): Promise<string> {
  const stream = new PassThrough()
  const chunks: string[] = []
  stream.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk))
  const writer = new RowWriter(streamSink(stream), format)
  for (const row of rows) await writer.write(row)
  await writer.end()
  return chunks.join('')
}

describe('CSV', () => {
  it('quotes per RFC 4180 and writes nested values as JSON, null and missing as empty', () => {
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell(null)).toBe('')
    expect(csvCell(undefined)).toBe('')
    expect(csvCell(false)).toBe('false')
    expect(csvCell([{ VALUE: '+1 555', VALUE_TYPE: 'WORK' }])).toBe(
      '"[{""VALUE"":""+1 555"",""VALUE_TYPE"":""WORK""}]"',
    )
  })

  it('takes the header from the union of the first page keys, in order of first appearance', async () => {
    expect(csvColumns([{ ID: '1' }, { ID: '2', TITLE: 'x' }, 'not a row'])).toEqual(['ID', 'TITLE'])
    const rows = [{ ID: '1' }, { ID: '2', TITLE: 'b,c', PHONE: [{ VALUE: '1' }] }, { ID: '3', TITLE: null }]
    expect(await written('csv', rows)).toBe('ID,TITLE,PHONE\n1,,\n2,"b,c","[{""VALUE"":""1""}]"\n3,,\n')
  })

  it('ignores keys that first appear after the first page', async () => {
    const rows = Array.from({ length: HEADER_ROWS + 1 }, (_, i) =>
      i === HEADER_ROWS ? { ID: 'x', LATE: 1 } : { ID: i },
    )
    const lines = (await written('csv', rows)).trimEnd().split('\n')
    expect(lines[0]).toBe('ID')
    expect(lines).toHaveLength(HEADER_ROWS + 2)
    expect(lines.at(-1)).toBe('x')
  })

  it('writes nothing for no rows, and NDJSON one object per line', async () => {
    expect(await written('csv', [])).toBe('')
    expect(await written('ndjson', [{ ID: '1' }, { ID: '2', A: [1] }])).toBe('{"ID":"1"}\n{"ID":"2","A":[1]}\n')
  })
})

describe('progress line', () => {
  it('shows a bar, percentage, counts, rate and ETA when the total is known', () => {
    expect(formatProgress({ rows: 1900, total: 5000, elapsedMs: 2000 })).toBe(
      '[#########---------------]  38% 1,900/5,000 rows  950 rows/s  ETA 0:03',
    )
    expect(formatProgress({ rows: 5000, total: 5000, elapsedMs: 4000 })).toBe(
      '[########################] 100% 5,000/5,000 rows  1250 rows/s  ETA 0:00',
    )
  })

  it('shows rows and rate alone when the total is unknown, and no ETA before any rate', () => {
    expect(formatProgress({ rows: 250_000, total: undefined, elapsedMs: 10_000 })).toBe('250,000 rows  25k rows/s')
    expect(formatProgress({ rows: 0, total: 100, elapsedMs: 0 })).toBe(
      '[------------------------]   0% 0/100 rows  0 rows/s  ETA --:--',
    )
  })

  it('never passes 100 % when the portal undercounted', () => {
    expect(formatProgress({ rows: 120, total: 100, elapsedMs: 1000 })).toContain('] 100% 120/100 rows')
  })

  it('is drawn on a terminal only, redrawing one line and ending it with a newline', () => {
    const draw = (isTTY: boolean) => {
      const stream = Object.assign(new PassThrough(), { isTTY })
      const chunks: string[] = []
      stream.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk))
      const bar = new ProgressBar(stream)
      bar.total = 3
      for (let row = 0; row < 3; row++) bar.tick()
      bar.finish()
      stream.end()
      return chunks.join('')
    }
    expect(draw(false)).toBe('')
    const shown = draw(true)
    expect(shown.startsWith('\r[')).toBe(true)
    expect(shown).toMatch(/\r\[#{24}\] 100% 3\/3 rows {2}\S+ rows\/s {2}ETA \S+/)
    expect(shown.endsWith('\u001b[K\n')).toBe(true)
  })

  it('formats durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(65)).toBe('1:05')
    expect(formatDuration(3723)).toBe('1:02:03')
  })
})

describe('methods', () => {
  it('finds by prefix and words, with the official page', () => {
    const catalogue = readCatalogue()
    const found = findMethods(catalogue, 'CRM.DEAL.', 'product rows')
    expect(found.map((entry) => entry.name)).toContain('crm.deal.productrows.get')
    expect(found.every((entry) => entry.name.startsWith('crm.deal.'))).toBe(true)
    const text = formatMethods(findMethods(catalogue, 'crm.deal.get', undefined))
    expect(text).toMatch(
      /^crm\.deal\.get {2}.+ {2}https:\/\/apidocs\.bitrix24\.com\/api-reference\/crm\/deals\/crm-deal-get\.html\n$/,
    )
  })
})
