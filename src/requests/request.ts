import type { CallOptions } from '../client/dispatcher.js'
import { isReadMethod } from '../http/retry.js'
import type { SyncCheckpoint } from '../sync/checkpoint.js'
import { type ChangesSinceOptions, runSync, SyncRun } from '../sync/run.js'
import type { AsListFastOptions, AsListOptions, ListSender } from './list-common.js'
import { readList, streamList } from './list-strategy.js'
import type { BitrixResponse } from './response.js'

/** The rows of a list result: the array itself, or the array under its one key (`items`, `tasks`, …). */
export type ListItem<T> = T extends readonly (infer I)[]
  ? I
  : T extends { readonly items: readonly (infer I)[] }
    ? I
    : T extends { readonly tasks: readonly (infer I)[] }
      ? I
      : T extends { readonly [key: string]: readonly (infer I)[] }
        ? I
        : unknown

/**
 * Whether `T` can be what a list method returns: an array, an object holding an array or a map of rows
 * (`{ items: [...] }`, `{ regions: { … } }`), an open record, or a type not known here (`unknown`, from
 * `client.call()` on an uncatalogued name). A flat record of scalars (`crm.deal.get`'s `Deal`) cannot be.
 */
export type IsListResult<T> = unknown extends T
  ? true
  : [T] extends [readonly unknown[]]
    ? true
    : [T] extends [object]
      ? string extends keyof T
        ? true
        : true extends {
              [K in keyof T]-?: unknown extends T[K] ? false : NonNullable<T[K]> extends object ? true : false
            }[keyof T]
          ? true
          : false
      : false

/**
 * What `asList()` / `asListFast()` demand of the request they are called on: nothing for list methods; for a
 * method whose result is not a list (`crm.deal.get`) a member it cannot have, so the call does not compile.
 */
export type ListMethodOnly<T> =
  IsListResult<T> extends true
    ? unknown
    : { readonly 'asList() and asListFast() read list methods only; this method does not return a list': never }

/** What a request needs to go out: implemented by the client. */
export interface RequestSender extends ListSender {
  sendCall<T>(method: string, params: Record<string, unknown>, options: CallOptions): Promise<BitrixResponse<T>>
}

/** Node's process warning when there is one (`node --trace-warnings` shows where), else the console. */
function warnUnsentWrite(method: string): void {
  const message = `b24tssdk: a ${method} request was garbage-collected without being sent. Requests are deferred: await it, call .call(), or pass it to callBatch / callMany. Lint for this with typescript-eslint's no-floating-promises and checkThenables: true.`
  const runtime = globalThis as { process?: { emitWarning?: (message: string, options: object) => void } }
  if (typeof runtime.process?.emitWarning === 'function') {
    runtime.process.emitWarning(message, { type: 'UnsentWriteWarning', code: 'B24_UNSENT_WRITE' })
  } else console.warn(message)
}

/** Write requests not yet handed over to be sent: a warning when one is collected still unsent. */
const unsentWrites =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<string>(warnUnsentWrite) : undefined

/**
 * A deferred REST call. Nothing is sent until it is awaited (or `.call()`ed); awaiting it again reuses the
 * same response. It can also go into a batch, or be read as a whole list.
 */
export class BitrixRequest<T = unknown> implements PromiseLike<BitrixResponse<T>> {
  readonly method: string
  readonly #params: Readonly<Record<string, unknown>>
  readonly #sender: RequestSender
  readonly #options: CallOptions
  #pending: Promise<BitrixResponse<T>> | undefined
  /** A write nobody has sent or handed to a batch yet (watched for the unsent-write warning). */
  #unsentWrite: boolean

  /** @internal Requests are made by the client (`client.crm.deal.get(…)`, `client.call(…)`), not constructed. */
  constructor(sender: RequestSender, method: string, params: Record<string, unknown> = {}, options: CallOptions = {}) {
    this.#sender = sender
    this.method = method
    this.#params = params
    this.#options = options
    this.#unsentWrite = unsentWrites !== undefined && options.idempotent !== true && !isReadMethod(method)
    if (this.#unsentWrite) unsentWrites?.register(this, method, this)
  }

  /** The parameters; reading them hands the request over (a batch reads them to send it). */
  get params(): Readonly<Record<string, unknown>> {
    this.#handedOver()
    return this.#params
  }

  /** The response, sending the request the first time it is asked for. */
  get response(): Promise<BitrixResponse<T>> {
    this.#pending ??= this.#send()
    return this.#pending
  }

  // biome-ignore lint/suspicious/noThenProperty: a request is awaitable by design
  then<A = BitrixResponse<T>, B = never>(
    onFulfilled?: ((value: BitrixResponse<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.response.then(onFulfilled, onRejected)
  }

  /** Sends the request (once) and handles its failure, as `Promise.prototype.catch` does. */
  catch<B = never>(onRejected: (reason: unknown) => B | PromiseLike<B>): Promise<BitrixResponse<T> | B> {
    return this.response.catch(onRejected)
  }

  /** Sends the request again, and remembers the new response. */
  call(): Promise<BitrixResponse<T>> {
    this.#pending = this.#send()
    return this.#pending
  }

  #send(): Promise<BitrixResponse<T>> {
    return this.#sender.sendCall<T>(this.method, this.params as Record<string, unknown>, this.#options)
  }

  #handedOver(): void {
    if (!this.#unsentWrite) return
    this.#unsentWrite = false
    unsentWrites?.unregister(this)
  }

  /**
   * Every record of a list method, as an array, read the cheapest correct way: ID chunks for an `@ID` filter;
   * keyset by ID for methods that filter by ID (sorted here when the order is by another field); otherwise
   * offsets, as many pages per batch as the portal answers well inside its 60 s cut. A server whose answers
   * would loop, repeat or drop rows fails with a `BitrixListError`; `maxPages` bounds the pages requested.
   * Compiles for list methods only.
   */
  asList(this: BitrixRequest<T> & ListMethodOnly<T>, options: AsListOptions = {}): Promise<ListItem<T>[]> {
    return readList(this.#sender, this.method, this.params, {
      signal: this.#options.signal,
      ...options,
    }) as Promise<ListItem<T>[]>
  }

  /**
   * Every record of a list method as a lazy stream, sorted by ID: about 2,500 records per HTTP request,
   * requests made only as the loop asks for more, constant memory. Every row must carry a numeric ID beyond the
   * one before it, or the read fails with a `BitrixListError`. Compiles for list methods only.
   * @example for await (const deal of client.crm.deal.list({ select: ['ID'] }).asListFast()) console.log(deal.ID)
   */
  asListFast(this: BitrixRequest<T> & ListMethodOnly<T>, options: AsListFastOptions = {}): AsyncIterable<ListItem<T>> {
    return streamList(this.#sender, this.method, this.params, {
      signal: this.#options.signal,
      ...options,
    }) as AsyncIterable<ListItem<T>>
  }

  /**
   * An incremental sync: the rows changed or added since `checkpoint` (null: every row, the first time), each
   * version once, read by ID keyset on the modification date (`DATE_MODIFY`, `updatedTime`, `CHANGED_DATE`) in
   * the portal's time zone, caught up with what is written while it reads; then `run.result()` gives the IDs
   * deleted since and the checkpoint to store. Works for `crm.deal|lead|contact|company|quote.list`,
   * `crm.item.list` and `tasks.task.list`.
   * @example
   * const run = client.crm.deal.list({ select: ['ID', 'TITLE'] }).changesSince(stored ?? null)
   * for await (const deal of run) upsert(deal)
   * const { deleted, checkpoint } = run.result()
   */
  changesSince(
    this: BitrixRequest<T> & ListMethodOnly<T>,
    checkpoint: SyncCheckpoint | null,
    options: ChangesSinceOptions = {},
  ): SyncRun<ListItem<T>> {
    const sender = this.#sender
    const params = this.params
    const settings = { signal: this.#options.signal, ...options }
    return new SyncRun<ListItem<T>>(this.method, (finish) =>
      runSync(sender, this.method, params, checkpoint, settings, finish),
    )
  }

  toString(): string {
    return `BitrixRequest(${this.method})`
  }
}
