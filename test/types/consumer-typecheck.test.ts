import { describe, expect, it } from 'vitest'
import { typecheckConsumer } from './consumer-tsc.js'

describe('type-checking a consumer of the full catalogue', () => {
  // How long it takes is measured by `npm run bench -- --only timings`.
  it('passes with no diagnostics', () => {
    expect(typecheckConsumer()).toBe('')
  }, 300_000)
})
