#!/usr/bin/env node
/** The `b24tssdk` command (also installed as `b24`; `b24tssdk-emulator` is `b24tssdk emulator`). */
import { basename } from 'node:path'
import { BATCH_USAGE, runBatchCommand } from './batch-command.js'
import { CALL_USAGE, runCallCommand } from './call-command.js'
import { type CliContext, printOut } from './context.js'
import { EMULATOR_USAGE, runEmulatorCommand } from './emulator-command.js'
import { environmentSecrets } from './environment.js'
import { CliUsageError, EXIT_OK, reportFailure } from './errors.js'
import { LIST_USAGE, runListCommand } from './list-command.js'
import { METHODS_USAGE, runMethodsCommand } from './methods-command.js'
import { OutputClosed } from './output.js'
import { packageVersion } from './package-files.js'
import { runTypegenCommand, TYPEGEN_USAGE } from './typegen-command.js'

export const USAGE = `Usage: b24tssdk <command> [options]      (b24tssdk <command> --help for more)

Commands:
  call METHOD [key=value ...]   call one REST method, print its result as JSON
  list METHOD [key=value ...]   stream every record of a list method as NDJSON or CSV
  batch FILE                    send the calls of a JSON file in batches of 50
  methods [PREFIX]              search the method catalogue, with documentation links
  emulator [options]            run a local portal emulator and print its webhook URL
  typegen [--out FILE]          write the portal's own fields as a .d.ts that narrows the client

Options:
  -h, --help                    show this help
  -v, --version                 print the version

The portal comes from the environment: B24_WEBHOOK_URL=https://PORTAL/rest/USER_ID/KEY/, or B24_DOMAIN with
B24_WEBHOOK (USER_ID/KEY), or B24_DOMAIN with B24_CLIENT_ID, B24_CLIENT_SECRET, B24_ACCESS_TOKEN, B24_REFRESH_TOKEN.
Exit codes: 0 done, 1 the portal or the network failed, 2 the command line was wrong.
`

type Command = (args: readonly string[], context: CliContext) => Promise<number>

const COMMANDS: Record<string, { run: Command; usage: string }> = {
  call: { run: runCallCommand, usage: CALL_USAGE },
  list: { run: runListCommand, usage: LIST_USAGE },
  batch: { run: runBatchCommand, usage: BATCH_USAGE },
  methods: { run: runMethodsCommand, usage: METHODS_USAGE },
  emulator: { run: runEmulatorCommand, usage: EMULATOR_USAGE },
  typegen: { run: runTypegenCommand, usage: TYPEGEN_USAGE },
}

async function dispatch(argv: readonly string[], programName: string, context: CliContext): Promise<number> {
  if (programName.startsWith('b24tssdk-emulator')) return runEmulatorCommand(argv, context)
  const [command, ...rest] = argv
  if (command === '--version' || command === '-v' || command === 'version') {
    await printOut(context, `${packageVersion()}\n`)
    return EXIT_OK
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' && rest[0] ? COMMANDS[rest[0]] : undefined
    await printOut(context, topic ? topic.usage : USAGE)
    return EXIT_OK
  }
  if (command === undefined) throw new CliUsageError('missing command', USAGE)
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
  if (!entry) throw new CliUsageError(`unknown command "${command}"`, USAGE)
  return entry.run(rest, context)
}

/** Runs the command line; resolves with the exit code. Failures are printed as one line, never a stack. */
export async function main(argv: readonly string[], programName: string, context: CliContext): Promise<number> {
  try {
    return await dispatch(argv, programName, context)
  } catch (error) {
    if (error instanceof OutputClosed) return EXIT_OK // the reader went away (`| head`): not a failure
    const { text, exitCode } = reportFailure(error, environmentSecrets(context.env))
    context.stderr.write(`${text}\n`)
    return exitCode
  }
}

main(process.argv.slice(2), basename(process.argv[1] ?? ''), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then((code) => {
  process.exitCode = code
})
