/** `npm run sim` arguments: parsed and checked before anything starts; `--help` prints the usage and runs nothing. */

export interface SimOptions {
  /** Named portals on the emulator, each installed through the OAuth code flow. */
  portals: number
  /** Worker processes sharing one Redis. */
  workers: number
  /** Seconds the workload may run (setup and the report come on top, each bounded). */
  duration: number
  /** How many times (export, write, read) the hot portal gets in phase 4. */
  hotFactor: number
  /** Seeded deals per portal (what an export reads). */
  deals: number
  /** Items each worker runs at once over all portals. */
  concurrency: number
  /** Whether one worker is SIGKILLed mid-run. */
  kill: boolean
  /** Directory of results.json and results.md. */
  out: string
}

export const USAGE = `npm run sim -- [options]

A bounded, loopback-only simulation of one app serving many portals: a multi-portal emulator, N portals
installed through the OAuth code flow, worker processes sharing one Redis (limits, refresh locks,
installations), a workload of exports, bulk writes and reads with one hot portal, a token-expiry wave and
one worker killed mid-run. Writes sim/results.json and sim/results.md.

  --portals N       portals to install and serve (default 1000)
  --workers N       worker processes (default 8)
  --duration S      seconds the workload may run (default 300)
  --hot-factor N    the hot portal gets N times (export, write, read) (default 50)
  --deals N         seeded deals per portal, read by each export (default 120)
  --concurrency N   items one worker runs at once (default 64)
  --no-kill         do not SIGKILL a worker mid-run
  --out DIR         where results.json and results.md go (default sim)
  --help            print this and exit
`

const NUMERIC: Record<string, { key: keyof SimOptions; min: number; max: number }> = {
  '--portals': { key: 'portals', min: 2, max: 5000 },
  '--workers': { key: 'workers', min: 1, max: 32 },
  '--duration': { key: 'duration', min: 10, max: 3600 },
  '--hot-factor': { key: 'hotFactor', min: 1, max: 1000 },
  '--deals': { key: 'deals', min: 1, max: 100_000 },
  '--concurrency': { key: 'concurrency', min: 1, max: 1000 },
}

/** The options, `'help'`, or a thrown `Error` naming the argument to fix. */
export function parseArgs(argv: readonly string[]): SimOptions | 'help' {
  const options: SimOptions = {
    portals: 1000,
    workers: 8,
    duration: 300,
    hotFactor: 50,
    deals: 120,
    concurrency: 64,
    kill: true,
    out: 'sim',
  }
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split('=', 2)
    if (flag === '--help' || flag === '-h') return 'help'
    if (flag === '--no-kill') {
      options.kill = false
      continue
    }
    const value = inline ?? argv[++i]
    if (value === undefined) throw new Error(`${flag} needs a value`)
    if (flag === '--out') {
      options.out = value
      continue
    }
    const spec = NUMERIC[flag]
    if (!spec) throw new Error(`unknown argument ${flag} (see --help)`)
    const n = Number(value)
    if (!Number.isInteger(n) || n < spec.min || n > spec.max) {
      throw new Error(`${flag} must be an integer from ${spec.min} to ${spec.max}, got ${JSON.stringify(value)}`)
    }
    ;(options[spec.key] as number) = n
  }
  return options
}
