/** `b24 emulator` / `b24tssdk-emulator`: runs a local portal until Ctrl-C and prints how to reach it. */
import { parseArgs } from 'node:util'
import { type Emulator, type EmulatorOptions, startEmulator } from '../emulator/index.js'

export const EMULATOR_USAGE = `Usage: b24 emulator [options]   (also: b24tssdk-emulator [options])

Runs a local Bitrix24 portal emulator until Ctrl-C.

Options:
  --port N            TCP port (default: any free port)
  --host ADDRESS      listen address (default: 127.0.0.1)
  --https             serve HTTPS with the bundled test-only certificate
  --plan P            rate plan: standard | enterprise | off (default: standard)
  --seed-deals N      number of generated deals
  --time-scale N      emulator time runs N times faster (default: 1)
  --random-seed N     reproducible data, secrets and tokens
  --no-delays         answer at once instead of sleeping simulated server time
  -h, --help          show this help
`

export interface CommandIo {
  out(line: string): void
  err(line: string): void
}

/** Parses the command line into emulator options; throws with a readable message on bad input. */
export function parseEmulatorArgs(args: readonly string[]): EmulatorOptions | 'help' {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      https: { type: 'boolean' },
      plan: { type: 'string' },
      'seed-deals': { type: 'string' },
      'time-scale': { type: 'string' },
      'random-seed': { type: 'string' },
      'no-delays': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help) return 'help'
  const number = (name: string, text: string | undefined, integer: boolean): number | undefined => {
    if (text === undefined) return undefined
    const value = Number(text)
    if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < 0) {
      throw new Error(`--${name} expects a non-negative ${integer ? 'integer' : 'number'}, got "${text}"`)
    }
    return value
  }
  const plan = values.plan
  if (plan !== undefined && plan !== 'standard' && plan !== 'enterprise' && plan !== 'off') {
    throw new Error(`--plan expects standard, enterprise or off, got "${plan}"`)
  }
  const deals = number('seed-deals', values['seed-deals'], true)
  const options: EmulatorOptions = {
    port: number('port', values.port, true),
    host: values.host,
    https: values.https,
    plan,
    timeScale: number('time-scale', values['time-scale'], false),
    randomSeed: number('random-seed', values['random-seed'], true),
    realDelays: values['no-delays'] ? false : undefined,
    seed: deals === undefined ? undefined : { deals },
  }
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as EmulatorOptions
}

/** What the command prints once the emulator is up. */
export function describeEmulator(emu: Emulator): string[] {
  const app = emu.createApp({ scopes: 'all' })
  const token = emu.issueToken({ clientId: app.clientId })
  return [
    `Bitrix24 emulator listening on ${emu.url} (portal ${emu.domain})`,
    '',
    `Webhook URL (user 1, all scopes): ${emu.webhookUrl}`,
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
    'Press Ctrl-C to stop.',
  ]
}

/** Starts the emulator and resolves with an exit code once it has been stopped by SIGINT/SIGTERM. */
export async function runEmulatorCommand(args: readonly string[], io: CommandIo): Promise<number> {
  let options: EmulatorOptions | 'help'
  try {
    options = parseEmulatorArgs(args)
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${EMULATOR_USAGE}`)
    return 2
  }
  if (options === 'help') {
    io.out(EMULATOR_USAGE)
    return 0
  }
  const emu = await startEmulator(options)
  for (const line of describeEmulator(emu)) io.out(line)
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  await emu.close()
  io.out('Emulator stopped.')
  return 0
}
