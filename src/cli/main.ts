#!/usr/bin/env node
/** The `b24` command (`b24tssdk-emulator` is `b24 emulator`). */
import { basename } from 'node:path'
import { EMULATOR_USAGE, runEmulatorCommand } from './emulator-command.js'

const USAGE = `Usage: b24 <command> [options]

Commands:
  emulator    run a local Bitrix24 portal emulator (see: b24 emulator --help)
`

const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
}

/** Runs the command line; resolves with the process exit code. */
export async function main(argv: readonly string[], programName: string): Promise<number> {
  if (programName.startsWith('b24tssdk-emulator')) return runEmulatorCommand(argv, io)
  const [command, ...rest] = argv
  switch (command) {
    case 'emulator':
      return runEmulatorCommand(rest, io)
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(`${USAGE}\n${EMULATOR_USAGE}`)
      return command === undefined ? 1 : 0
    default:
      io.err(`Unknown command: ${command}\n\n${USAGE}`)
      return 2
  }
}

main(process.argv.slice(2), basename(process.argv[1] ?? ''))
  .then((code) => {
    process.exitCode = code
  })
  .catch((error: unknown) => {
    io.err(error instanceof Error ? (error.stack ?? error.message) : String(error))
    process.exitCode = 1
  })
