/**
 * `b24tssdk list METHOD [key=value…]`: every record of a list method, streamed as NDJSON or CSV to stdout or a
 * file, with a progress line on a terminal.
 */
import { extname } from 'node:path'
import { callParams, integerOption, methodName, parseCommand } from './arguments.js'
import { type CliContext, clientFromEnvironment, printOut, stdoutSink } from './context.js'
import { CliUsageError, EXIT_OK } from './errors.js'
import { fileSink, type RowFormat, RowWriter } from './output.js'
import { ProgressBar } from './progress.js'

export const LIST_USAGE = `Usage: b24tssdk list METHOD [key=value ...] [--json '{...}'] [options]

Streams every record of a list method (crm.deal.list, tasks.task.list, user.get, ...), one per line.

Parameters: as for "b24tssdk call" (filter[>OPPORTUNITY]=1000, select[]=ID, --json '{...}').
Without an order the records come sorted by ID, read ~2,500 per request (asListFast); with
order[...]=... they come in that order, read page by page (asList).

Options:
  --format F          ndjson (default) or csv; -o FILE.csv implies csv
  -o, --output FILE   write to FILE instead of stdout
  --limit N           stop after N records
  --quiet             no progress line (it is shown only when stderr is a terminal anyway)
  -h, --help          show this help

CSV: the header is the union of the keys of the first 50 records; nested values are written as JSON.

Example: b24tssdk list crm.deal.list select[]=ID select[]=TITLE --format csv -o deals.csv
`

function rowFormat(format: string | undefined, output: string | undefined): RowFormat {
  const chosen = format ?? (output && extname(output).toLowerCase() === '.csv' ? 'csv' : 'ndjson')
  if (chosen !== 'ndjson' && chosen !== 'csv') {
    throw new CliUsageError(`--format expects ndjson or csv, got "${chosen}"`, LIST_USAGE)
  }
  return chosen
}

function hasOrder(params: Record<string, unknown>): boolean {
  return Object.keys(params).some((key) => key.toLowerCase() === 'order' || key.toLowerCase() === 'sort')
}

export async function runListCommand(args: readonly string[], context: CliContext): Promise<number> {
  const parsed = parseCommand(
    args,
    {
      json: { type: 'string' },
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      limit: { type: 'string' },
      quiet: { type: 'boolean' },
    },
    LIST_USAGE,
  )
  if (parsed === 'help') {
    await printOut(context, LIST_USAGE)
    return EXIT_OK
  }
  const { values } = parsed
  const [name, ...pairs] = parsed.positionals
  const method = methodName(name, LIST_USAGE)
  const params = callParams(pairs, values.json, LIST_USAGE)
  const format = rowFormat(values.format, values.output)
  const limit = integerOption('limit', values.limit, LIST_USAGE)
  const client = clientFromEnvironment(context.env)
  const writer = new RowWriter(values.output ? await fileSink(values.output) : stdoutSink(context), format)
  const request = client.call(method, params)
  const progress = new ProgressBar(context.stderr)
  const showProgress = !values.quiet && progress.enabled
  if (showProgress) {
    const total = (await client.call(method, { ...params, start: 0 })).total
    progress.total = total === undefined || limit === undefined ? total : Math.min(total, limit)
  }
  const rows: AsyncIterable<unknown> | Iterable<unknown> = hasOrder(params)
    ? await request.asList({ limit })
    : request.asListFast({ limit })
  try {
    for await (const row of rows) {
      await writer.write(row)
      if (showProgress) progress.tick()
    }
    await writer.end()
  } finally {
    if (showProgress) progress.finish()
  }
  return EXIT_OK
}
