/** `b24tssdk emulator`: runs a local portal until Ctrl-C and prints how to reach it. */
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  EMULATOR_TLS_CERT,
  type Emulator,
  type EmulatorOptions,
  type SeedOptions,
  startEmulator,
} from '../emulator/index.js'
import { integerOption, parseCommand } from './arguments.js'
import { type CliContext, printOut } from './context.js'
import { CliUsageError, EXIT_FAILED, EXIT_OK } from './errors.js'

/** `--seed-NAME N` options and the seed sizes they set. */
const SEED_OPTIONS: Record<string, keyof SeedOptions> = {
  'seed-deals': 'deals',
  'seed-leads': 'leads',
  'seed-contacts': 'contacts',
  'seed-companies': 'companies',
  'seed-users': 'users',
  'seed-departments': 'departments',
  'seed-tasks': 'tasks',
  'seed-smart-items': 'smartItems',
}

export const EMULATOR_USAGE = `Usage: b24tssdk emulator [options]

Runs a local Bitrix24 portal emulator until Ctrl-C and prints a ready webhook URL.

Options:
  --port N            TCP port (default: any free port)
  --host ADDRESS      listen address (default: 127.0.0.1)
  --https             serve HTTPS with the bundled test-only certificate
  --plan P            rate plan: standard | enterprise | off (default: standard)
  --seed-deals N      generated deals; likewise --seed-leads, --seed-contacts, --seed-companies,
                      --seed-users, --seed-departments, --seed-tasks, --seed-smart-items
  --time-scale N      emulator time runs N times faster (default: 1)
  --random-seed N     reproducible data, secrets and tokens
  --no-delays         answer at once instead of sleeping simulated server time
  --doc-examples      answer catalogued methods without an implementation with their documented
                      example (marked by the X-Emulator-Canned header); default: they fail loudly
  -h, --help          show this help
`

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  https: { type: 'boolean' },
  plan: { type: 'string' },
  'time-scale': { type: 'string' },
  'random-seed': { type: 'string' },
  'no-delays': { type: 'boolean' },
  'doc-examples': { type: 'boolean' },
  ...Object.fromEntries(Object.keys(SEED_OPTIONS).map((name) => [name, { type: 'string' }])),
} as const satisfies Record<string, { type: 'string' | 'boolean' }>

/** Parses the command line into emulator options; a usage error names the bad option. */
export function parseEmulatorArgs(args: readonly string[]): EmulatorOptions | 'help' {
  const parsed = parseCommand(args, OPTIONS, EMULATOR_USAGE)
  if (parsed === 'help') return 'help'
  const values = parsed.values as Record<string, string | boolean | undefined>
  if (parsed.positionals.length > 0) {
    throw new CliUsageError(`unexpected argument "${parsed.positionals[0]}"`, EMULATOR_USAGE)
  }
  const text = (name: string) => values[name] as string | undefined
  const plan = text('plan')
  if (plan !== undefined && plan !== 'standard' && plan !== 'enterprise' && plan !== 'off') {
    throw new CliUsageError(`--plan expects standard, enterprise or off, got "${plan}"`, EMULATOR_USAGE)
  }
  const timeScaleText = text('time-scale')
  const timeScale = timeScaleText === undefined ? undefined : Number(timeScaleText)
  if (timeScale !== undefined && (!Number.isFinite(timeScale) || timeScale <= 0 || timeScaleText?.trim() === '')) {
    throw new CliUsageError(`--time-scale expects a positive number, got "${timeScaleText}"`, EMULATOR_USAGE)
  }
  const port = integerOption('port', text('port'), EMULATOR_USAGE)
  if (port !== undefined && port > 65_535) {
    throw new CliUsageError(`--port expects 0..65535, got "${port}"`, EMULATOR_USAGE)
  }
  const seed: SeedOptions = {}
  for (const [option, key] of Object.entries(SEED_OPTIONS)) {
    const size = integerOption(option, text(option), EMULATOR_USAGE)
    if (size !== undefined) seed[key] = size
  }
  const options: EmulatorOptions = {
    port,
    host: text('host'),
    https: values.https === true ? true : undefined,
    plan,
    timeScale,
    randomSeed: integerOption('random-seed', text('random-seed'), EMULATOR_USAGE),
    realDelays: values['no-delays'] === true ? false : undefined,
    docExamples: values['doc-examples'] === true ? true : undefined,
    seed: Object.keys(seed).length > 0 ? seed : undefined,
  }
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as EmulatorOptions
}

/** What the command prints once the emulator is up (its secrets are test-only and meant to be copied). */
/** `names` joined with commas, wrapped at `width` columns, each line indented by `indent`. */
function wrapList(names: readonly string[], indent: string, width = 110): string[] {
  const lines: string[] = []
  let line = ''
  for (const name of names) {
    const piece = line === '' ? name : `, ${name}`
    if (line !== '' && indent.length + line.length + piece.length > width) {
      lines.push(`${indent}${line},`)
      line = name
    } else {
      line += piece
    }
  }
  if (line !== '') lines.push(`${indent}${line}`)
  return lines
}

/** Which methods answer from the portal's own state, and what every other catalogued method does. */
function describeMethods(emu: Emulator, docExamples: boolean): string[] {
  const names = emu.implementedMethods()
  const others = docExamples
    ? 'Every other catalogued method answers its documented example, marked by the X-Emulator-Canned header.'
    : 'Every other catalogued method answers 400 EMULATOR_NOT_IMPLEMENTED (--doc-examples answers documented examples).'
  return [`Methods served with portal state (${names.length}):`, ...wrapList(names, '  '), others]
}

export function describeEmulator(emu: Emulator, certificateFile?: string, docExamples = false): string[] {
  const app = emu.createApp({ scopes: 'all' })
  const token = emu.issueToken({ clientId: app.clientId })
  const trust = certificateFile
    ? [
        '',
        `HTTPS: the test-only certificate is in ${certificateFile}; trust it with`,
        `  export NODE_EXTRA_CA_CERTS=${certificateFile}`,
      ]
    : []
  return [
    `Bitrix24 emulator listening on ${emu.url} (portal ${emu.domain})`,
    '',
    `Webhook URL (user 1, all scopes): ${emu.webhookUrl}`,
    `  export B24_WEBHOOK_URL=${emu.webhookUrl}`,
    ...trust,
    '',
    'OAuth test application:',
    `  client_id:         ${app.clientId}`,
    `  client_secret:     ${app.clientSecret}`,
    `  application_token: ${app.applicationToken}`,
    `  access_token:      ${token.accessToken}`,
    `  refresh_token:     ${token.refreshToken}`,
    `  member_id:         ${token.memberId}`,
    `  client_endpoint:   ${token.clientEndpoint}`,
    `  token endpoint:    ${emu.url}/oauth/token/`,
    '',
    ...describeMethods(emu, docExamples),
    '',
    'Press Ctrl-C to stop.',
  ]
}

/** Why the listener could not open, in words: a busy port or a refused address; undefined for anything else. */
function listenFailure(error: unknown, options: EmulatorOptions): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const address = `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`
  if (code === 'EADDRINUSE')
    return `port ${options.port} is already in use (${address}); choose another with --port N, or --port 0 for any free port`
  if (code === 'EACCES') return `not allowed to listen on ${address}; use a port above 1023, or --port 0`
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `cannot listen on ${address}: no such local address`
  return undefined
}

/** Starts the emulator and resolves with an exit code once it has been stopped by SIGINT/SIGTERM. */
export async function runEmulatorCommand(args: readonly string[], context: CliContext): Promise<number> {
  const options = parseEmulatorArgs(args)
  if (options === 'help') {
    await printOut(context, EMULATOR_USAGE)
    return EXIT_OK
  }
  let emu: Emulator
  try {
    emu = await startEmulator(options)
  } catch (error) {
    const reason = listenFailure(error, options)
    if (reason === undefined) throw error
    context.stderr.write(`b24tssdk emulator: ${reason}\n`)
    return EXIT_FAILED
  }
  let certificateFile: string | undefined
  if (options.https) {
    certificateFile = join(tmpdir(), 'b24tssdk-emulator-cert.pem')
    writeFileSync(certificateFile, EMULATOR_TLS_CERT)
  }
  try {
    await printOut(context, `${describeEmulator(emu, certificateFile, options.docExamples === true).join('\n')}\n`)
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolve()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
  } finally {
    await emu.close()
  }
  await printOut(context, 'Emulator stopped.\n')
  return EXIT_OK
}
