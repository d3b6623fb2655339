/**
 * One offline-event worker process: drains the app's offline queue with `consumeOfflineEvents` under the worker
 * name `WORKER`. Its handler appends `processId id dealId redelivered` to `OUT` (one write: atomic on a local
 * file) and says `{ handled }` on stdout; its journal keeps the `process_id` in `DIR/WORKER.json` and reads
 * `handled` back from `OUT` — the handler's effect and the journal's record are one write, as a real app keeps
 * them in one transaction. `SLOW_MS` slows each handler so the test can SIGKILL the process mid-batch.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  BitrixApp,
  BitrixToken,
  Client,
  consumeOfflineEvents,
  isOfflineEvent,
  type OfflineBatchState,
  type OfflineEventJournal,
} from '../../../src/index.js'

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}
const say = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`)
const out = env('OUT')
const journalFile = (worker: string) => join(env('DIR'), `${worker}.json`)

const journal: OfflineEventJournal = {
  async load(worker) {
    if (!existsSync(journalFile(worker))) return undefined
    const saved = JSON.parse(readFileSync(journalFile(worker), 'utf8')) as { processId: string } | null
    if (saved === null) return undefined
    const lines = existsSync(out) ? readFileSync(out, 'utf8').split('\n') : []
    const handled = lines.filter((l) => l.startsWith(`${saved.processId} `)).map((l) => Number(l.split(' ')[1]))
    return { processId: saved.processId, handled }
  },
  async save(worker, state: OfflineBatchState | undefined) {
    const tmp = `${journalFile(worker)}.tmp`
    writeFileSync(tmp, JSON.stringify(state === undefined ? null : { processId: state.processId }))
    renameSync(tmp, journalFile(worker))
  },
}

const bitrixApp = new BitrixApp({
  clientId: env('CLIENT_ID'),
  clientSecret: env('CLIENT_SECRET'),
  oauthServer: env('EMU_URL'),
})
const token = new BitrixToken({
  domain: env('EMU_URL'),
  authToken: env('ACCESS_TOKEN'),
  refreshToken: env('REFRESH_TOKEN'),
  bitrixApp,
})
const client = new Client(token, { limiter: false })
const slow = Number(process.env.SLOW_MS ?? '0')

const report = await consumeOfflineEvents({
  client,
  worker: env('WORKER'),
  journal,
  limit: 10,
  handler: async (event) => {
    await new Promise((resolve) => setTimeout(resolve, slow))
    const deal = isOfflineEvent(event, 'ONCRMDEALADD') ? (event.data.FIELDS?.ID ?? '') : ''
    appendFileSync(out, `${event.processId} ${event.id} ${deal} ${event.redelivered}\n`)
    say({ handled: event.id, processId: event.processId })
  },
})
say({ done: true, report })
