import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixWebhook, Client } from '../../src/index.js'

/** `global.gc` without starting Node with `--expose-gc`. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

const warnings: Error[] = []
const onWarning = (warning: Error) => {
  if ((warning as { code?: string }).code === 'B24_UNSENT_WRITE') warnings.push(warning)
}

/** Collects garbage until `done()` or 50 rounds, letting finalizers and warnings run in between. */
async function collect(done: () => boolean): Promise<void> {
  const gc = exposeGc()
  for (let round = 0; round < 50 && !done(); round++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('a write request that is never sent', () => {
  let emu: Emulator
  let client: Client
  beforeAll(async () => {
    emu = await startEmulator({ plan: 'off', seed: { deals: 3 }, randomSeed: 1 })
    client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), { limiter: false })
    process.on('warning', onWarning)
  })
  afterAll(async () => {
    process.off('warning', onWarning)
    await emu.close()
  })
  afterEach(() => {
    warnings.length = 0
  })

  it('stays unsent (requests are deferred) and raises a warning naming the method when collected', async () => {
    const before = emu.getStats().calls['crm.deal.add'] ?? 0
    ;(() => {
      client.crm.deal.add({ fields: { TITLE: 'forgotten' } })
    })()
    await collect(() => warnings.length > 0)
    expect(warnings).toHaveLength(1)
    expect(warnings[0].name).toBe('UnsentWriteWarning')
    expect(warnings[0].message).toContain('crm.deal.add')
    expect(warnings[0].message).toContain('no-floating-promises')
    expect(warnings[0].message).not.toContain('forgotten')
    expect(emu.getStats().calls['crm.deal.add'] ?? 0).toBe(before)
  })

  it('raises nothing for writes that were sent, batched or re-sent, nor for unsent reads', async () => {
    const before = emu.getStats().calls['crm.deal.add'] ?? 0
    await (async () => {
      await client.crm.deal.add({ fields: { TITLE: 'awaited' } })
      await client.callBatch({ a: client.crm.deal.add({ fields: { TITLE: 'batched' } }) })
      await client.crm.deal.add({ fields: { TITLE: 'called' } }).call()
      client.crm.deal.get({ id: 1 })
      client.call('crm.deal.update', { id: 1, fields: { TITLE: 'x' } }, { idempotent: true })
    })()
    // A sentinel write left unsent: once its warning arrives, the others have been collected too.
    ;(() => {
      client.crm.deal.delete({ id: 3 })
    })()
    await collect(() => warnings.length > 0)
    expect(warnings.map((warning) => warning.message.split(' ')[2])).toEqual(['crm.deal.delete'])
    expect((emu.getStats().calls['crm.deal.add'] ?? 0) - before).toBe(3)
  })
})
