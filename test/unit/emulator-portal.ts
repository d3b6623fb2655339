/** Calls the emulated portal's method handlers directly, as the HTTP layer would, for unit tests. */
import { type CallContext, DEFAULT_COST_MODEL, type Params, RestError } from '../../src/emulator/kernel.js'
import { createPortal } from '../../src/emulator/methods/index.js'

export function portalHarness(
  seed: Parameters<typeof createPortal>[0]['seed'] = {},
  options: { randomSeed?: number; userId?: number; now?: number } = {},
) {
  const p = createPortal({ seed, costs: DEFAULT_COST_MODEL, randomSeed: options.randomSeed ?? 42 })
  let clock = options.now ?? 1767300000
  const costs: number[] = []
  const ctx: CallContext = {
    userId: options.userId ?? 1,
    authType: 'webhook',
    now: () => clock,
    cost: (seconds) => {
      costs.push(seconds)
    },
  }
  /** The handler's answer, with the simulated server time it charged. */
  const call = (method: string, params: Params = {}) => {
    const def = p.methods.get(method)
    if (!def) throw new Error(`no method ${method}`)
    costs.length = 0
    const out = def.handler(params, ctx)
    return { ...out, cost: costs.reduce((a, b) => a + b, 0) }
  }
  /** The RestError a call throws; fails the test when it succeeds. */
  const fail = (method: string, params: Params = {}): RestError => {
    try {
      call(method, params)
    } catch (error) {
      if (error instanceof RestError) return error
      throw error
    }
    throw new Error(`${method} did not fail`)
  }
  const tick = (seconds: number) => {
    clock += seconds
  }
  return { p, call, fail, tick }
}
