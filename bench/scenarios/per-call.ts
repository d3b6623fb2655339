/**
 * Scenario 2: client CPU per call. `n` sequential `crm.deal.get` calls after a short warm-up (connection open,
 * code compiled); the process's user + system CPU over the measured calls, divided by their number. The portal
 * runs in another process, so none of its work is counted.
 */
import { bare, jsSdk, ours } from '../sdks.js'
import type { Outcome, Prepare, RunSpec } from './types.js'

const WARM_UP = 20
const DEALS = 1_000

/** Warms `call` up, then measures `n` calls of it. */
function measured(setup: Parameters<Prepare>[0], call: (id: number) => Promise<unknown>) {
  return async () => {
    for (let index = 0; index < WARM_UP; index++) await call((index % DEALS) + 1)
    return async (): Promise<Outcome> => {
      const before = process.cpuUsage()
      for (let index = 0; index < setup.n; index++) await call((index % DEALS) + 1)
      const used = process.cpuUsage(before)
      return { rows: setup.n, cpuPerCallUs: (used.user + used.system) / setup.n }
    }
  }
}

export const perCallRuns: Record<string, RunSpec> = {
  ours: {
    sdk: 'b24tssdk',
    how: 'client.crm.deal.get()',
    prepare: (ctx) => {
      const client = ours(ctx.env)
      return measured(ctx, async (id) => (await client.crm.deal.get({ id })).result)()
    },
  },
  js: {
    sdk: '@bitrix24/b24jssdk',
    how: 'actions.v2.call.make()',
    prepare: (ctx) => {
      const hook = jsSdk(ctx.env)
      return measured(ctx, async (id) => {
        const response = await hook.actions.v2.call.make({ method: 'crm.deal.get', params: { id } })
        if (!response.isSuccess) throw new Error(response.getErrorMessages().join('; '))
        return response.getData()
      })()
    },
  },
  bare: {
    sdk: 'node:https (floor)',
    how: 'keep-alive POST + JSON.parse',
    prepare: (ctx) => {
      const call = bare(ctx.env)
      return measured(ctx, (id) => call('crm.deal.get', { id }))()
    },
  },
}
