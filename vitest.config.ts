import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

export default defineConfig({
  // The guides' programs import the package by name; in the repository that is the source.
  resolve: {
    alias: [
      { find: /^b24tssdk$/, replacement: src('index.ts') },
      { find: /^b24tssdk\/([a-z-]+)$/, replacement: src('$1/index.ts') },
    ],
  },
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/e2e/**/*.test.ts',
      'test/conformance/**/*.test.ts',
      'test/types/**/*.test.ts',
      'test/reliability/**/*.test.ts',
      'test/docs/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
})
