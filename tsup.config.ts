import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    errors: 'src/errors/index.ts',
    log: 'src/log/index.ts',
    emulator: 'src/emulator/index.ts',
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: {
    entry: {
      index: 'src/index.ts',
      errors: 'src/errors/index.ts',
      log: 'src/log/index.ts',
      emulator: 'src/emulator/index.ts',
    },
  },
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  shims: true,
})
