/**
 * Scenario 2: client CPU per call. `n` sequential `crm.deal.get` calls after a short warm-up (connection open,
 * code compiled); the process's user + system CPU over the measured calls, divided by their number. The portal
 * runs in another process, so none of its work is counted.
 */
import { bare, jsSdk, ours } from '../sdks.js'
import type { Outcome, RunSpec } from './types.js'

const WARM_UP = 20
const DEALS = 1_000

/** Warms `call` up, then hands back the measurement of `n` calls of it. */
async function measured(n: number, call: (id: number) => Promise<unknown>): Promise<() => Promise<Outcome>> {
  for (let index = 0; index < WARM_UP; index++) await call((index % DEALS) + 1)
  return async () => {
    const before = process.cpuUsage()
    for (let index = 0; index < n; index++) await call((index % DEALS) + 1)
    const used = process.cpuUsage(before)
    return { rows: n, cpuPerCallUs: (used.user + used.system) / n }
  }
}

export const perCallRuns: Record<string, RunSpec> = {
  ours: {
    sdk: 'b24tssdk',
    how: 'client.crm.deal.get()',
    prepare: async ({ env, n }) => {
      const client = await ours(env)
      return measured(n, async (id) => (await client.crm.deal.get({ id })).result)
    },
  },
  js: {
    sdk: '@bitrix24/b24jssdk',
    how: 'actions.v2.call.make()',
    prepare: async ({ env, n }) => {
      const hook = await jsSdk(env)
      return measured(n, async (id) => {
        const response = await hook.actions.v2.call.make({ method: 'crm.deal.get', params: { id } })
        if (!response.isSuccess) throw new Error(response.getErrorMessages().join('; '))
        return response.getData()
      })
    },
  },
  bare: {
    sdk: 'node:https (floor)',
    how: 'keep-alive POST + JSON.parse',
    prepare: async ({ env, n }) => {
      const call = bare(env)
      return measured(n, (id) => call('crm.deal.get', { id }))
    },
  },
}
