/** `b24tssdk batch FILE`: the calls of a JSON file sent as batches of 50; prints the result maps. */
import { readFile } from 'node:fs/promises'
import type { BitrixAPIError } from '../errors/index.js'
import type { BitrixRequest, Client } from '../index.js'
import { parseCommand } from './arguments.js'
import { type CliContext, clientFromEnvironment, printErr, printOut } from './context.js'
import { CliUsageError, describeApiError, EXIT_FAILED, EXIT_OK } from './errors.js'

export const BATCH_USAGE = `Usage: b24tssdk batch FILE [--halt]

Sends the calls listed in FILE (JSON; "-" reads stdin) in batches of 50 and prints the result maps
{ result, result_error, result_total, result_next, result_time } keyed like the file.

FILE is either an object of named calls or an array of calls:
  { "me": { "method": "user.current" },
    "deal": { "method": "crm.deal.get", "params": { "id": 2 } } }
  [ { "method": "crm.deal.get", "params": { "id": 1 } }, { "method": "crm.deal.get", "params": { "id": 2 } } ]
A parameter may refer to an earlier result of the same batch: "$result[me][ID]".

Options:
  --halt              stop at the first failing call
  -h, --help          show this help

Exit code 1 when any call failed (each failure is also printed on stderr).
`

interface CommandSpec {
  method: string
  params: Record<string, unknown>
}

function commandSpec(key: string, value: unknown): CommandSpec {
  const where = `call "${key}"`
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliUsageError(`${where} must be an object { "method": "...", "params": { ... } }`, BATCH_USAGE)
  }
  const { method, params } = value as { method?: unknown; params?: unknown }
  if (typeof method !== 'string' || !/^[A-Za-z0-9_.]+$/.test(method)) {
    throw new CliUsageError(`${where} needs "method", a REST method name such as "crm.deal.get"`, BATCH_USAGE)
  }
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    throw new CliUsageError(`${where}: "params" must be an object`, BATCH_USAGE)
  }
  return { method, params: (params ?? {}) as Record<string, unknown> }
}

/** The calls of a batch file, named or by position; a usage error naming what is wrong. */
export function parseBatchFile(text: string): Record<string, CommandSpec> | CommandSpec[] {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new CliUsageError(`the batch file is not valid JSON: ${(error as Error).message}`, BATCH_USAGE)
  }
  if (Array.isArray(data)) return data.map((value, index) => commandSpec(String(index), value))
  if (typeof data === 'object' && data !== null) {
    return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, commandSpec(key, value)]))
  }
  throw new CliUsageError('the batch file must hold an object of named calls or an array of calls', BATCH_USAGE)
}

async function readInput(path: string): Promise<string> {
  if (path !== '-') {
    try {
      return await readFile(path, 'utf8')
    } catch (error) {
      throw new CliUsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, BATCH_USAGE)
    }
  }
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function errorJson(error: BitrixAPIError | undefined): unknown {
  return error === undefined ? null : { error: error.error, error_description: error.errorDescription }
}

export async function runBatchCommand(args: readonly string[], context: CliContext): Promise<number> {
  const parsed = parseCommand(args, { halt: { type: 'boolean' } }, BATCH_USAGE)
  if (parsed === 'help') {
    await printOut(context, BATCH_USAGE)
    return EXIT_OK
  }
  const [path, ...extra] = parsed.positionals
  if (path === undefined) throw new CliUsageError('missing FILE (a JSON file of calls, or - for stdin)', BATCH_USAGE)
  if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`, BATCH_USAGE)
  const specs = parseBatchFile(await readInput(path))
  const client: Client = clientFromEnvironment(context.env)
  const toRequest = (spec: CommandSpec): BitrixRequest => client.call(spec.method, spec.params)
  const commands = Array.isArray(specs)
    ? specs.map(toRequest)
    : Object.fromEntries(Object.entries(specs).map(([key, spec]) => [key, toRequest(spec)]))
  const batch = await client.callBatches(commands, { halt: parsed.values.halt === true })
  const errors = Object.entries(batch.resultError as Record<string, BitrixAPIError | undefined>).filter(
    ([, error]) => error !== undefined,
  )
  const mapErrors = (map: Record<string, BitrixAPIError | undefined> | Array<BitrixAPIError | undefined>) =>
    Array.isArray(map) ? map.map(errorJson) : Object.fromEntries(Object.entries(map).map(([k, e]) => [k, errorJson(e)]))
  const output = {
    result: batch.result,
    result_error: mapErrors(batch.resultError as Record<string, BitrixAPIError | undefined>),
    result_total: batch.resultTotal,
    result_next: batch.resultNext,
    result_time: batch.resultTime,
  }
  await printOut(context, `${JSON.stringify(output, null, 2)}\n`)
  for (const [key, error] of errors) {
    if (error) printErr(context, `Error in "${key}": ${describeApiError(error)}`)
  }
  return errors.length > 0 ? EXIT_FAILED : EXIT_OK
}
