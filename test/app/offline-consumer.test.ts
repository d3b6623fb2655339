/**
 * The SDK's offline-event consumer against the emulator's offline queue: events handed once each, failures sent
 * to the error queue, and — with two worker processes, one SIGKILLed mid-batch and restarted under its name —
 * no event lost and none handled twice.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixValidationError } from '../../src/errors/index.js'
import {
  BitrixApp,
  BitrixToken,
  Client,
  consumeOfflineEvents,
  MemoryOfflineEventJournal,
  type OfflineEvent,
} from '../../src/index.js'
import { bundleWorker, type Message, startWorker, stopWorker, type Worker } from '../redis/child.js'

const running: Emulator[] = []
const workers: Worker[] = []
afterEach(async () => {
  for (const worker of workers.splice(0)) stopWorker(worker)
  await Promise.all(running.splice(0).map((emu) => emu.close()))
})

/** An emulator with an app bound offline to ONCRMDEALADD and `deals` deals added since. */
async function portalWithOfflineDeals(deals: number) {
  const emu = await startEmulator({ plan: 'off', realDelays: false, seed: { deals: 0 } })
  running.push(emu)
  const app = emu.createApp()
  const bitrixApp = new BitrixApp({ clientId: app.clientId, clientSecret: app.clientSecret, oauthServer: emu.url })
  const tokenFor = () => {
    const issued = emu.issueToken({ clientId: app.clientId })
    return {
      issued,
      token: new BitrixToken({
        domain: emu.url,
        authToken: issued.accessToken,
        refreshToken: issued.refreshToken,
        bitrixApp,
      }),
    }
  }
  const client = new Client(tokenFor().token, { limiter: false })
  await client.event.bind({ event: 'ONCRMDEALADD', event_type: 'offline', handler: '' })
  const admin = new Client(new BitrixToken({ domain: emu.url, authToken: tokenFor().issued.accessToken, bitrixApp }), {
    limiter: false,
  })
  const results = await admin.callMany(
    Array.from({ length: deals }, (_, i) => admin.crm.deal.add({ fields: { TITLE: `Offline ${i + 1}` } })),
  )
  const dealIds = results.map((r) => (r.ok ? String(r.result) : 'failed'))
  return { emu, app, client, tokenFor, dealIds }
}

describe('consumeOfflineEvents', () => {
  it('hands every event once, sends failures to the error queue, and leaves the queue empty', async () => {
    const { client, dealIds } = await portalWithOfflineDeals(23)
    const seen: OfflineEvent[] = []
    const errors: unknown[] = []
    const report = await consumeOfflineEvents({
      client,
      worker: 'w1',
      limit: 10,
      handler: (event) => {
        if (event.data.FIELDS && (event.data.FIELDS as { ID: string }).ID === dealIds[4]) throw new Error('cannot sync')
        seen.push(event)
      },
      onError: (error) => errors.push(error),
    })
    expect(report).toEqual({ batches: 3, handled: 22, failed: 1, skipped: 0 })
    expect(seen.map((e) => (e.data.FIELDS as { ID: string }).ID)).toEqual(dealIds.filter((_, i) => i !== 4))
    expect(seen[0]).toMatchObject({ event: 'ONCRMDEALADD', userId: 1, redelivered: false })
    expect(errors).toHaveLength(1)
    const left =
      await client.call<Array<{ ERROR: string; EVENT_DATA: { FIELDS: { ID: string } } }>>('event.offline.list')
    expect(left.result.map((r) => [r.ERROR, r.EVENT_DATA.FIELDS.ID])).toEqual([['1', dealIds[4]]])
  })

  it('resumes the batch its journal names after an interrupted run, without handing handled events again', async () => {
    const { client } = await portalWithOfflineDeals(6)
    const journal = new MemoryOfflineEventJournal()
    const stop = new AbortController()
    const first: number[] = []
    await consumeOfflineEvents({
      client,
      worker: 'w',
      journal,
      handler: (event) => {
        first.push(event.id)
        if (first.length === 2) stop.abort()
      },
      signal: stop.signal,
    })
    const saved = await journal.load('w')
    expect(saved?.handled).toEqual(first)
    const second: OfflineEvent[] = []
    const report = await consumeOfflineEvents({ client, worker: 'w', journal, handler: (e) => void second.push(e) })
    expect(report).toMatchObject({ handled: 4, skipped: 2 })
    expect(second.every((e) => e.redelivered && e.processId === saved?.processId)).toBe(true)
    expect([...first, ...second.map((e) => e.id)].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6])
    expect(await journal.load('w')).toBeUndefined()
  })

  it('refuses bad options before calling the portal', async () => {
    const { client } = await portalWithOfflineDeals(0)
    await expect(consumeOfflineEvents({ client, worker: '', handler: () => undefined })).rejects.toThrow(
      BitrixValidationError,
    )
    await expect(consumeOfflineEvents({ client, worker: 'w', limit: 51, handler: () => undefined })).rejects.toThrow(
      /limit must be an integer 1–50/,
    )
  })

  it('two worker processes, one SIGKILLed mid-batch and restarted: every event handled exactly once', async () => {
    const { emu, app, tokenFor, dealIds, client } = await portalWithOfflineDeals(60)
    const bundle = await bundleWorker('../app/workers/offline-worker.ts')
    const dir = mkdtempSync(join(tmpdir(), 'b24tssdk-offline-'))
    const out = join(dir, 'handled.txt')
    const spawnWorker = (name: string, slowMs: number) => {
      const { issued } = tokenFor()
      const worker = startWorker(bundle, {
        EMU_URL: emu.url,
        CLIENT_ID: app.clientId,
        CLIENT_SECRET: app.clientSecret,
        ACCESS_TOKEN: issued.accessToken,
        REFRESH_TOKEN: issued.refreshToken,
        WORKER: name,
        DIR: dir,
        OUT: out,
        SLOW_MS: String(slowMs),
      })
      workers.push(worker)
      return worker
    }

    // The victim reserves its first batch before the other worker starts, so both have work.
    const victim = spawnWorker('a', 40)
    await victim.next((m) => m.handled !== undefined, 30_000)
    const steady = spawnWorker('b', 5)
    // The victim is killed after its third event, in the middle of its first batch of ten.
    const handled = new Set<unknown>()
    const third = (m: Message) => {
      if (m.handled !== undefined) handled.add(m.handled)
      return handled.size >= 3
    }
    await victim.next(third, 30_000)
    victim.process.kill('SIGKILL')
    const stranded = readFileSync(join(dir, 'a.json'), 'utf8')
    const steadyDone = await steady.next((m) => m.done === true, 60_000)
    // What the dead worker reserved was never given to the other one.
    const reservedByA = (JSON.parse(stranded) as { processId: string }).processId
    const lines = () =>
      readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(' '))
    expect(lines().filter(([processId]) => processId === reservedByA).length).toBeGreaterThanOrEqual(3)
    const listed = await client.call<Array<{ PROCESS_ID: string }>>('event.offline.list')
    expect(listed.result.length).toBeGreaterThan(0)
    expect(listed.result.every((row) => row.PROCESS_ID === reservedByA)).toBe(true)

    // Restarted under its name, it resumes its batch from the journal.
    const restarted = spawnWorker('a', 0)
    const restartedDone = await restarted.next((m) => m.done === true, 60_000)
    const report = restartedDone.report as { batches: number; handled: number; skipped: number }
    expect(report.batches).toBeGreaterThanOrEqual(1)
    expect(report.skipped).toBeGreaterThanOrEqual(3)

    const all = lines()
    const dealsHandled = all.map(([, , deal]) => deal)
    expect(new Set(dealsHandled).size).toBe(dealsHandled.length)
    expect([...dealsHandled].sort()).toEqual([...dealIds].sort())
    expect(all.some(([processId, , , redelivered]) => processId === reservedByA && redelivered === 'true')).toBe(true)
    expect((steadyDone.report as { handled: number }).handled).toBeGreaterThan(0)
    expect((await client.call<unknown[]>('event.offline.list')).result).toEqual([])
  })
})
