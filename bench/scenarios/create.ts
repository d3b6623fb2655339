/**
 * Scenario 3: create `n` deals, 50 per batch. Success is counted from each SDK's own result; the orchestrator
 * checks the portal ran exactly `n` `crm.deal.add` calls.
 */
import { jsSdk, ours } from '../sdks.js'
import type { Outcome, RunSpec } from './types.js'

const fields = (index: number) => ({ TITLE: `Bench deal ${index}`, OPPORTUNITY: 100 + index, CURRENCY_ID: 'USD' })

function created(ok: number, n: number, note?: string): Outcome {
  return { rows: ok, exact: ok === n, ...(note ? { note } : {}) }
}

/** `callMany` (one outcome per call) where the client has it, else `callBatches` — the same packing. */
function oursCreate(concurrency: number): RunSpec['prepare'] {
  return async ({ env, n }) => {
    const client = await ours(env)
    return async () => {
      const requests = Array.from({ length: n }, (_, index) => client.crm.deal.add({ fields: fields(index) }))
      if (typeof client.callMany === 'function') {
        const outcomes = await client.callMany(requests, { concurrency })
        return created(outcomes.filter((outcome) => outcome.ok).length, n)
      }
      const batches = await client.callBatches(requests)
      return created(batches.result.filter((id) => id !== undefined).length, n, 'callBatches (callMany absent)')
    }
  }
}

export const createRuns: Record<string, RunSpec> = {
  ours: {
    sdk: 'b24tssdk',
    how: 'callMany(crm.deal.add × N) (default: 1 batch in flight, input order)',
    prepare: oursCreate(1),
  },
  'ours-concurrent': {
    sdk: 'b24tssdk',
    how: 'callMany(…, { concurrency: 2 }) (batches may apply out of order)',
    prepare: oursCreate(2),
  },
  js: {
    sdk: '@bitrix24/b24jssdk',
    how: 'batchByChunk',
    prepare: async ({ env, n }) => {
      const hook = await jsSdk(env)
      return async () => {
        const calls = Array.from({ length: n }, (_, index): [string, object] => [
          'crm.deal.add',
          { fields: fields(index) },
        ])
        const result = await hook.actions.v2.batchByChunk.make<number>({ calls, options: { isHaltOnError: true } })
        if (!result.isSuccess) throw new Error(result.getErrorMessages().join('; '))
        return created(result.getData()?.length ?? 0, n)
      }
    },
  },
}
