/**
 * A consumer of the portal's offline events (api-reference/events/offline-events.md): it reserves a batch with
 * `event.offline.get` (`clear: 0`), hands each event to the caller's handler, then `event.offline.error` for the
 * events whose handler failed and `event.offline.clear` for the batch.
 *
 * The portal hides a reserved batch from every other reader and gives it back only to a `get` that names its
 * `process_id` (rest/lib/api/event.php); nobody else ever receives it again (it is deleted after 30 days). So a
 * worker that dies mid-batch must come back with that `process_id`: the consumer writes it to a journal (keyed
 * by the worker's stable name) before any handler runs, with the IDs already handled, and a restarted worker of
 * the same name resumes the batch first — skipping what was handled, handing on the rest marked `redelivered`.
 */
import type { Client } from '../client/client.js'
import { BitrixValidationError } from '../errors/index.js'
import type { Awaitable } from '../limits/store.js'
import type { DocumentedEventCode, EventDataMap } from './generated/events.js'

/** One offline event as `event.offline.get` returns it, named the SDK's way. */
export interface OfflineEvent<D = Record<string, unknown>, E extends string = string> {
  /** The queue row's `ID`. */
  id: number
  /** `MESSAGE_ID`: md5 of the event code and data, the same for every change of one object by one event. */
  messageId: string
  /** `EVENT_NAME`, upper case (`ONCRMDEALUPDATE`). */
  event: E
  /** `EVENT_DATA`: the event's `data` (`{ FIELDS: { ID } }`); read the object's current state with its `get`. */
  data: D
  /** `EVENT_ADDITIONAL.user_id`: who made the change, when the portal says. */
  userId: number | undefined
  /** `TIMESTAMP_X`: the last change, ISO 8601 with the portal's offset. */
  timestamp: string
  /** The batch (reservation) it came in. */
  processId: string
  /**
   * The event was in a batch a previous run of this worker reserved and did not finish, and is not recorded as
   * handled: its handler may have run (and died before the journal recorded it). Make such handling idempotent.
   */
  redelivered: boolean
}

/** An offline event of a documented code with its typed data. */
export type TypedOfflineEvent<K extends DocumentedEventCode> = OfflineEvent<EventDataMap[K], K>

/** Narrows an offline event to a documented code's typed data: `isOfflineEvent(event, 'ONCRMDEALADD')`. */
export function isOfflineEvent<K extends DocumentedEventCode>(
  event: OfflineEvent<unknown>,
  code: K,
): event is TypedOfflineEvent<K> {
  return event.event === code
}

/** The batch a worker reserved and has not finished: its `process_id` and the row IDs already handled. */
export interface OfflineBatchState {
  processId: string
  handled: readonly number[]
}

/**
 * Where a worker records its reservation, so that a restart can resume it. Keep it where the handlers' effects
 * are (the same database, ideally the same transaction): a record of `handled` that survives the process is what
 * keeps a restart from handling an event twice.
 */
export interface OfflineEventJournal {
  /** The unfinished batch of `worker`, or undefined. */
  load(worker: string): Promise<OfflineBatchState | undefined>
  /** Records the batch of `worker` (after the reservation, after each handled event), or forgets it (undefined). */
  save(worker: string, state: OfflineBatchState | undefined): Promise<void>
}

/** A journal in this process's memory: resumes a batch after an error, not after a crash (tests, one process). */
export class MemoryOfflineEventJournal implements OfflineEventJournal {
  readonly #states = new Map<string, OfflineBatchState>()

  async load(worker: string): Promise<OfflineBatchState | undefined> {
    const state = this.#states.get(worker)
    return state && { processId: state.processId, handled: [...state.handled] }
  }

  async save(worker: string, state: OfflineBatchState | undefined): Promise<void> {
    if (state === undefined) this.#states.delete(worker)
    else this.#states.set(worker, { processId: state.processId, handled: [...state.handled] })
  }
}

/** What `consumeOfflineEvents` takes. */
export interface OfflineEventConsumerOptions {
  /** A client of the portal authorised as the app, by an administrator (the `event.offline.*` methods need both). */
  client: Client
  /** This worker's stable name, unique among the workers running at once (`worker-1`, a pod name, …). */
  worker: string
  /** Where the reservation is recorded; default memory (no resume after a crash). */
  journal?: OfflineEventJournal
  /**
   * Handles one event. Resolving marks it handled; throwing marks it failed: `event.offline.error` moves it to the
   * portal's error queue (read it with `event.offline.get` and `error: 1`).
   */
  handler(event: OfflineEvent): Awaitable<void>
  /** A handler's failure (the event went to the error queue). */
  onError?(error: unknown, event: OfflineEvent): void
  /** Events per batch, 1–50; default 50. */
  limit?: number
  /** `filter` of `event.offline.get` (`{ '=EVENT_NAME': 'ONCRMDEALADD' }`). */
  filter?: Record<string, string | number>
  /** The source key the events were bound with (`event.bind` `auth_connector`). */
  authConnector?: string
  /** Stop when the queue is empty (default), or keep polling every `pollIntervalMs` until `signal` aborts. */
  untilEmpty?: boolean
  /** Milliseconds between polls of an empty queue when `untilEmpty` is false; default 1000. */
  pollIntervalMs?: number
  /** Most batches to take in this run (a bound for loops that poll); default no bound. */
  maxBatches?: number
  /** Stops after the event in hand (its batch is left reserved for the next run of this worker). */
  signal?: AbortSignal
}

/** What one run did. */
export interface OfflineConsumeReport {
  /** Batches reserved or resumed. */
  batches: number
  /** Events whose handler resolved. */
  handled: number
  /** Events whose handler threw (sent to the error queue). */
  failed: number
  /** Events skipped because the journal recorded them as handled before a restart. */
  skipped: number
}

interface RawOfflineEvent {
  ID: string | number
  TIMESTAMP_X: string
  EVENT_NAME: string
  EVENT_DATA: unknown
  EVENT_ADDITIONAL?: { user_id?: string | number } | false | null
  MESSAGE_ID: string
}

interface RawOfflineBatch {
  process_id: string | null
  events: RawOfflineEvent[]
}

function checkOptions(options: OfflineEventConsumerOptions): number {
  const fail = (message: string, parameter: string) => {
    throw new BitrixValidationError({ message, parameter })
  }
  if (typeof options?.client?.call !== 'function') fail('client must be a Client of the portal', 'client')
  if (typeof options.worker !== 'string' || options.worker === '') {
    fail('worker must be this worker’s stable name (a non-empty string)', 'worker')
  }
  if (typeof options.handler !== 'function')
    fail('handler must be a function (event) => void | Promise<void>', 'handler')
  const limit = options.limit ?? 50
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) fail(`limit must be an integer 1–50, got ${limit}`, 'limit')
  return limit
}

function toEvent(raw: RawOfflineEvent, processId: string, redelivered: boolean): OfflineEvent {
  const user = raw.EVENT_ADDITIONAL ? Number(raw.EVENT_ADDITIONAL.user_id) : Number.NaN
  return {
    id: Number(raw.ID),
    messageId: raw.MESSAGE_ID,
    event: raw.EVENT_NAME.toUpperCase(),
    data: (typeof raw.EVENT_DATA === 'object' && raw.EVENT_DATA !== null ? raw.EVENT_DATA : {}) as Record<
      string,
      unknown
    >,
    userId: Number.isFinite(user) ? user : undefined,
    timestamp: raw.TIMESTAMP_X,
    processId,
    redelivered,
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/**
 * Reads the app's offline events batch by batch and hands each to `handler`: no event is given to two workers,
 * none is lost when a worker dies mid-batch (its restart resumes the batch from the journal), and none is handed
 * twice unless the worker died between a handler's end and the journal's record of it (then it comes back
 * `redelivered`).
 *
 * @example
 * await consumeOfflineEvents({
 *   client, worker: 'sync-1', journal,
 *   handler: async (event) => { if (isOfflineEvent(event, 'ONCRMDEALUPDATE')) await syncDeal(event.data.FIELDS?.ID) },
 * })
 */
export async function consumeOfflineEvents(options: OfflineEventConsumerOptions): Promise<OfflineConsumeReport> {
  const limit = checkOptions(options)
  const { client, worker, signal } = options
  const journal = options.journal ?? new MemoryOfflineEventJournal()
  const untilEmpty = options.untilEmpty ?? true
  const maxBatches = options.maxBatches ?? Number.POSITIVE_INFINITY
  const scope = options.authConnector === undefined ? {} : { auth_connector: options.authConnector }
  const report: OfflineConsumeReport = { batches: 0, handled: 0, failed: 0, skipped: 0 }
  // A batch left by an earlier run of this worker is resumed before anything new is reserved.
  let resumed = await journal.load(worker)

  while (!signal?.aborted && report.batches < maxBatches) {
    let state: OfflineBatchState
    let events: RawOfflineEvent[]
    if (resumed) {
      state = resumed
      // Reserves nothing: the same reservation read again, so it is safe to repeat.
      const again = await client.call<RawOfflineBatch>(
        'event.offline.get',
        { process_id: state.processId, clear: 0, limit: 50, ...scope },
        { idempotent: true, signal },
      )
      events = again.result.events
    } else {
      // Reserves a batch: not repeated after a lost answer (that would strand the first reservation).
      const taken = await client.call<RawOfflineBatch>(
        'event.offline.get',
        { clear: 0, limit, ...(options.filter ? { filter: options.filter } : {}), ...scope },
        { idempotent: false, signal },
      )
      events = taken.result.events
      if (events.length === 0 || taken.result.process_id === null) {
        if (untilEmpty) break
        await sleep(options.pollIntervalMs ?? 1000, signal)
        continue
      }
      state = { processId: taken.result.process_id, handled: [] }
      await journal.save(worker, state)
    }
    report.batches += 1
    const handled = new Set(state.handled)
    const failed: string[] = []
    let stopped = false
    for (const raw of events) {
      if (signal?.aborted) {
        stopped = true
        break
      }
      const event = toEvent(raw, state.processId, resumed !== undefined)
      if (handled.has(event.id)) {
        report.skipped += 1
        continue
      }
      try {
        await options.handler(event)
        handled.add(event.id)
        report.handled += 1
        await journal.save(worker, { processId: state.processId, handled: [...handled] })
      } catch (error) {
        failed.push(event.messageId)
        report.failed += 1
        options.onError?.(error, event)
      }
    }
    if (stopped) break
    if (failed.length > 0) {
      await client.call(
        'event.offline.error',
        { process_id: state.processId, message_id: failed, ...scope },
        { signal },
      )
    }
    await client.call('event.offline.clear', { process_id: state.processId, ...scope }, { signal })
    await journal.save(worker, undefined)
    resumed = undefined
  }
  return report
}
