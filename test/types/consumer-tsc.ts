import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Type-checks test/types/consumer.ts (a consumer of the full catalogue) as a user's project would, with the
 * package's own `tsc`; returns its output (empty when it passes), throws when it fails.
 * Used by the test (that it passes) and by the benchmark (how long it takes).
 */
export function typecheckConsumer(): string {
  return execFileSync(
    process.execPath,
    [
      'node_modules/typescript/bin/tsc',
      '--noEmit',
      '--ignoreConfig',
      '--strict',
      '--skipLibCheck',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      'test/types/consumer.ts',
    ],
    { cwd: root, stdio: 'pipe', encoding: 'utf8' },
  )
}
