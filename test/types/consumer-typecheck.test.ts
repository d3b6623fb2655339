import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('type-checking a consumer of the full catalogue', () => {
  it('passes and takes well under 10 s', () => {
    const started = performance.now()
    execFileSync(
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
      { cwd: root, stdio: 'pipe' },
    )
    const seconds = (performance.now() - started) / 1000
    console.log(`consumer type-check: ${seconds.toFixed(1)} s`)
    expect(seconds).toBeLessThan(10)
  }, 60_000)
})
