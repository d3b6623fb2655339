/**
 * The frame ↔ parent wire (not in the docs; as the portal and the official JS SDK speak it):
 * - to the parent, a string `COMMAND:PARAMS:CALLBACK:APP_SID` (PARAMS is JSON, the whole segment left out when
 *   there are none); a command name that itself holds `:` goes as `{ method, params, callback, appSid }`;
 * - from the parent, a string `CALLBACK:JSON` (or just `CALLBACK`), accepted only from the portal's origin and
 *   window. A callback bound to a placement event may be answered many times.
 */
import { BitrixFrameError } from './errors.js'

/** The part of `window` the messenger uses (a test or another host may supply its own). */
export interface FrameHost {
  readonly parent: { postMessage(message: unknown, targetOrigin: string): void }
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void
}

export interface SendOptions {
  /**
   * How long to wait for the answer, milliseconds; `undefined` waits until the parent answers (a dialog the user
   * has open). With `optional`, the wait ends quietly and the result is `undefined`.
   */
  timeoutMs?: number
  /** The parent may not answer this command (resize, title, …): no error when it does not. */
  optional?: boolean
}

interface Pending {
  command: string
  resolve(payload: unknown): void
  reject(error: unknown): void
  timer: ReturnType<typeof setTimeout> | undefined
}

export class ParentMessenger {
  readonly #host: FrameHost
  readonly #parentOrigin: string
  readonly #appSid: string
  readonly #pending = new Map<string, Pending>()
  readonly #listeners = new Map<string, (payload: unknown) => void>()
  readonly #prefix = Math.random().toString(36).slice(2, 10)
  #counter = 0
  #closed = false
  readonly #onMessage = (event: MessageEvent) => this.#receive(event)

  constructor(host: FrameHost, parentOrigin: string, appSid: string) {
    this.#host = host
    this.#parentOrigin = parentOrigin
    this.#appSid = appSid
    host.addEventListener('message', this.#onMessage)
  }

  /** Sends `command` and resolves with the parent's answer (parsed JSON, `undefined` for none). */
  send(command: string, params?: unknown, options: SendOptions = {}): Promise<unknown> {
    if (this.#closed) return Promise.reject(closedError(command))
    const callback = this.#nextCallback()
    return new Promise((resolve, reject) => {
      const pending: Pending = { command, resolve, reject, timer: undefined }
      if (options.timeoutMs !== undefined) {
        pending.timer = setTimeout(() => {
          this.#pending.delete(callback)
          if (options.optional) resolve(undefined)
          else reject(noAnswer(command, options.timeoutMs ?? 0))
        }, options.timeoutMs)
      }
      this.#pending.set(callback, pending)
      this.#host.parent.postMessage(this.#encode(command, params, callback), this.#parentOrigin)
    })
  }

  /**
   * Sends `command` and calls `handler` with every answer to it, for as long as the client is open (placement
   * events). Resolves once the command is posted; the returned function stops the calls (the portal keeps
   * sending them until the page unloads).
   */
  subscribe(command: string, params: unknown, handler: (payload: unknown) => void): () => void {
    if (this.#closed) throw closedError(command)
    const callback = this.#nextCallback()
    this.#listeners.set(callback, handler)
    this.#host.parent.postMessage(this.#encode(command, params, callback), this.#parentOrigin)
    return () => this.#listeners.delete(callback)
  }

  /** Stops listening; every waiting command fails with `CLOSED`. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#host.removeEventListener('message', this.#onMessage)
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer)
      pending.reject(closedError(pending.command))
    }
    this.#pending.clear()
    this.#listeners.clear()
  }

  #nextCallback(): string {
    return `${this.#prefix}${(++this.#counter).toString(36)}`
  }

  #encode(command: string, params: unknown, callback: string): unknown {
    const hasParams = params !== undefined && params !== null && params !== ''
    if (command.includes(':')) {
      return { method: command, params: hasParams ? params : '', callback, appSid: this.#appSid }
    }
    const payload = !hasParams ? '' : typeof params === 'string' ? params : JSON.stringify(params)
    return [command, payload, callback, this.#appSid].filter((part) => part !== '').join(':')
  }

  #receive(event: MessageEvent): void {
    if (event.origin !== this.#parentOrigin || event.source !== this.#host.parent) return
    if (typeof event.data !== 'string' || event.data === '') return
    const colon = event.data.indexOf(':')
    const callback = colon < 0 ? event.data : event.data.slice(0, colon)
    const text = colon < 0 ? '' : event.data.slice(colon + 1)
    const pending = this.#pending.get(callback)
    const listener = this.#listeners.get(callback)
    if (!pending && !listener) return
    let payload: unknown
    try {
      payload = text === '' ? undefined : JSON.parse(text)
    } catch {
      if (!pending) return
      this.#settle(callback, pending)
      const message = `${pending.command}: the parent answered with text that is not JSON`
      pending.reject(new BitrixFrameError('BAD_ANSWER', message, pending.command))
      return
    }
    if (listener) listener(payload)
    if (!pending) return
    this.#settle(callback, pending)
    pending.resolve(payload)
  }

  #settle(callback: string, pending: Pending): void {
    clearTimeout(pending.timer)
    this.#pending.delete(callback)
  }
}

function noAnswer(command: string, timeoutMs: number): BitrixFrameError {
  return new BitrixFrameError(
    'NO_ANSWER',
    `${command}: the parent window did not answer within ${timeoutMs} ms (is this page open inside the portal?)`,
    command,
  )
}

function closedError(command: string): BitrixFrameError {
  return new BitrixFrameError('CLOSED', `${command}: the frame client was closed before the parent answered`, command)
}
