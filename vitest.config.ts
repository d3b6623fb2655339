import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/** `import … from 'b24tssdk'` (the demo, the guides, README-style tests) runs the sources, as tsconfig.json's `paths` types them. */
const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^b24tssdk$/, replacement: source('./src/index.ts') },
      { find: /^b24tssdk\/([a-z-]+)$/, replacement: source('./src/$1/index.ts') },
    ],
  },
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/e2e/**/*.test.ts',
      'test/conformance/**/*.test.ts',
      'test/types/**/*.test.ts',
      'test/package/**/*.test.ts',
      'test/reliability/**/*.test.ts',
      'test/docs/**/*.test.ts',
      'test/browser/**/*.test.ts',
      'test/app/**/*.test.ts',
      'test/redis/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
})
