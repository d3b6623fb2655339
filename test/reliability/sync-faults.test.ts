/**
 * Incremental sync under faults: while another client changes, deletes and adds deals between the run's pages,
 * the portal answers some of the run's requests with 503, 500 or a dropped connection. The run retries its
 * reads and still returns exactly the changed and added deals, each once, and the deleted IDs.
 */
import { describe, expect, it } from 'vitest'
import { usePortal, webhookClient } from '../e2e/sdk-fixtures.js'
import { dealScenario, threeRuns } from '../e2e/sync-fixtures.js'

describe('changesSince with 503s, 500s and resets on its batches', () => {
  const portal = usePortal({ seed: { deals: 3_000, smartItems: 0, tasks: 0 }, plan: 'off', realDelays: false })

  it('delivers exactly the changes and deletions, and the next run reads nothing', async () => {
    const emu = portal.emu()
    const retries = { defaultInitialRetryDelay: 0.01, defaultRetryDelayIncrement: 0.01, defaultMaxRetries: 6 }
    const client = webhookClient(emu, retries)
    const w = webhookClient(emu)
    const faults = [
      emu.faults.inject({ method: 'batch', kind: 'http503', probability: 0.3, times: 3 }),
      emu.faults.inject({ method: 'batch', kind: 'reset', probability: 0.3, times: 3 }),
      emu.faults.inject({ method: 'batch', kind: 'http500', probability: 0.3, times: 2 }),
    ]
    let hits = 0
    await threeRuns(
      emu,
      w,
      { rows: 3_000, changed: 150, deleted: 30, added: 60, chunk: 12, every: 4, oneByOne: true },
      {
        ...dealScenario(client, w),
        beforeThirdRun: () => {
          hits = faults.reduce((sum, fault) => sum + fault.hits, 0)
          emu.faults.clear()
        },
      },
    )
    expect(hits).toBeGreaterThan(0)
  }, 120_000)
})
