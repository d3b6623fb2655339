/** `b24tssdk call METHOD [key=value…] [--json '{…}']`: one REST call, its result printed as JSON. */
import { callParams, methodName, parseCommand } from './arguments.js'
import { type CliContext, clientFromEnvironment, printOut } from './context.js'
import { EXIT_OK } from './errors.js'

export const CALL_USAGE = `Usage: b24tssdk call METHOD [key=value ...] [--json '{...}'] [--full]

Calls one REST method and prints its result as JSON.

Parameters:
  key=value           a parameter; nest with PHP brackets: filter[>OPPORTUNITY]=1000, select[]=ID,
                      fields[TITLE]="New deal". Values are strings, as a form sends them.
  --json '{...}'      parameters as a JSON object (typed: numbers, booleans, arrays);
                      key=value pairs are laid over it

Options:
  --full              print the whole answer: { result, total, next, time }
  -h, --help          show this help

Example: b24tssdk call crm.deal.list filter[>OPPORTUNITY]=1000 select[]=ID select[]=TITLE
`

export async function runCallCommand(args: readonly string[], context: CliContext): Promise<number> {
  const parsed = parseCommand(args, { json: { type: 'string' }, full: { type: 'boolean' } }, CALL_USAGE)
  if (parsed === 'help') {
    await printOut(context, CALL_USAGE)
    return EXIT_OK
  }
  const [name, ...pairs] = parsed.positionals
  const method = methodName(name, CALL_USAGE)
  const params = callParams(pairs, parsed.values.json, CALL_USAGE)
  const response = await clientFromEnvironment(context.env).call(method, params)
  const shown = parsed.values.full
    ? { result: response.result, total: response.total, next: response.next, time: response.time }
    : response.result
  await printOut(context, `${JSON.stringify(shown, null, 2)}\n`)
  return EXIT_OK
}
