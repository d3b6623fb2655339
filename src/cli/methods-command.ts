/** `b24tssdk methods [prefix]`: the method catalogue, searched by name prefix or by words, with doc links. */
import { parseCommand } from './arguments.js'
import { type CliContext, printOut } from './context.js'
import { CliUsageError, EXIT_FAILED, EXIT_OK } from './errors.js'
import { type CatalogueEntry, readCatalogue } from './package-files.js'

export const METHODS_USAGE = `Usage: b24tssdk methods [PREFIX] [--search WORDS] [--json]

Lists the catalogued REST methods whose name starts with PREFIX (case-insensitive), with a one-line
summary and the official documentation page.

Options:
  --search WORDS      only methods whose name or summary contains every word
  --json              one JSON object per line: name, version, scope, summary, deprecated, docUrl
  -h, --help          show this help

Examples: b24tssdk methods crm.deal.      b24tssdk methods --search "product rows"
`

/** The entries whose name starts with `prefix` and whose name or summary holds every word of `search`. */
export function findMethods(
  catalogue: readonly CatalogueEntry[],
  prefix: string | undefined,
  search: string | undefined,
): CatalogueEntry[] {
  const start = (prefix ?? '').toLowerCase()
  const words = (search ?? '').toLowerCase().split(/\s+/).filter(Boolean)
  return catalogue.filter((entry) => {
    const name = entry.name.toLowerCase()
    if (!name.startsWith(start)) return false
    const text = `${name} ${entry.summary.toLowerCase()}`
    return words.every((word) => text.includes(word))
  })
}

/** Aligned text lines: name, summary (with REST 3.0 / deprecated marks), doc link. */
export function formatMethods(entries: readonly CatalogueEntry[]): string {
  const width = Math.max(0, ...entries.map((entry) => entry.name.length))
  return entries
    .map((entry) => {
      const marks = [entry.version === 3 ? '[REST 3.0]' : '', entry.deprecated ? '[deprecated]' : '']
      const summary = [entry.summary, ...marks].filter(Boolean).join(' ')
      return `${entry.name.padEnd(width)}  ${summary}${entry.docUrl ? `  ${entry.docUrl}` : ''}\n`
    })
    .join('')
}

export async function runMethodsCommand(args: readonly string[], context: CliContext): Promise<number> {
  const parsed = parseCommand(args, { search: { type: 'string' }, json: { type: 'boolean' } }, METHODS_USAGE)
  if (parsed === 'help') {
    await printOut(context, METHODS_USAGE)
    return EXIT_OK
  }
  if (parsed.positionals.length > 1) {
    throw new CliUsageError(
      `one PREFIX at most, got "${parsed.positionals.join(' ')}"; use --search for words`,
      METHODS_USAGE,
    )
  }
  const found = findMethods(readCatalogue(), parsed.positionals[0], parsed.values.search)
  if (found.length === 0) {
    context.stderr.write('No catalogued method matches.\n')
    return EXIT_FAILED
  }
  const text = parsed.values.json ? found.map((entry) => `${JSON.stringify(entry)}\n`).join('') : formatMethods(found)
  await printOut(context, text)
  return EXIT_OK
}
