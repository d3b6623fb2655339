import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/e2e/**/*.test.ts',
      'test/conformance/**/*.test.ts',
      'test/types/**/*.test.ts',
      'test/reliability/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
})
