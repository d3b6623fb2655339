/**
 * What users' own tests program and inspect: answers set with `emu.on(method, handler | result)`, and the
 * record of every call the portal received (`emu.received`).
 */
import type { AuthType, CallContext, MethodResult, Params } from '../kernel.js'

/** Where an answer came from: the portal's own state, a programmed or user-supplied handler, a docs example. */
export type AnswerSource = 'state' | 'handler' | 'example'

/** One method call as the portal received it (batch sub-commands are calls of their own). */
export interface ReceivedCall {
  /** Method name as sent (the case the client used), without `.json` / `.xml`. */
  readonly method: string
  /** Parameters as PHP decoded them (query + body), without the `auth` / `access_token` credentials. */
  readonly params: Params
  readonly authType: AuthType
  /** Portal user the call ran as. */
  readonly userId: number
  /** Whether it was a sub-command of a `batch`. */
  readonly inBatch: boolean
  /** What answered it; undefined when it was refused before any answer (unknown method, scope, limit). */
  readonly answeredBy: AnswerSource | undefined
  /** The error code answered, if any. */
  readonly error: string | undefined
}

/** `cmd` of a batch with any `auth=` / `access_token=` inside its command strings removed. */
export function withoutCommandCredentials(params: Params): Params {
  const scrub = (command: unknown) =>
    typeof command === 'string'
      ? command.replace(/([?&])(auth|access_token)=[^&]*&?/gi, '$1').replace(/[?&]$/, '')
      : command
  const out: Params = {}
  for (const [key, value] of Object.entries(params)) {
    if (key.toLowerCase() !== 'cmd' || typeof value !== 'object' || value === null) out[key] = value
    else if (Array.isArray(value)) out[key] = value.map(scrub)
    else out[key] = Object.fromEntries(Object.entries(value).map(([name, command]) => [name, scrub(command)]))
  }
  return out
}

/** Keeps the last `limit` received calls (0 keeps none). */
export class ReceivedLog {
  private calls: ReceivedCall[] = []

  constructor(private readonly limit: number) {}

  get enabled(): boolean {
    return this.limit > 0
  }

  record(call: ReceivedCall): void {
    if (this.limit <= 0) return
    this.calls.push(call)
    if (this.calls.length > this.limit) this.calls.splice(0, this.calls.length - this.limit)
  }

  /** A copy, oldest first. */
  list(): ReceivedCall[] {
    return [...this.calls]
  }

  clear(): void {
    this.calls = []
  }
}

/** What a programmed handler learns about the call besides its parameters. */
export interface ProgrammedCall {
  readonly method: string
  readonly authType: AuthType
  readonly userId: number
  /** Emulator time, Unix seconds. */
  now(): number
}

/**
 * A programmed handler: its return value (or what its promise resolves to) is the `result`; throw a `RestError`
 * to answer an error; return `withPaging(…)` to add `total` / `next`.
 */
export type ProgrammedHandler = (params: Params, call: ProgrammedCall) => unknown

/** A programmed answer: a handler, or a fixed `result` value (answered as a fresh copy each time). */
export type ProgrammedAnswer = ProgrammedHandler | unknown

const PAGED = Symbol('b24tssdk.emulator.paged')

/** A result with list metadata, for a programmed handler: `total` and `next` go to the envelope's top level. */
export interface PagedResult {
  readonly [PAGED]: true
  readonly result: unknown
  readonly total?: number
  readonly next?: number
}

/**
 * Wraps a programmed handler's result with list metadata, as a list method answers: `total` and `next` go to
 * the envelope's top level beside `result`.
 */
export function withPaging(result: unknown, paging: { total?: number; next?: number }): PagedResult {
  return { [PAGED]: true, result, total: paging.total, next: paging.next }
}

function isPaged(value: unknown): value is PagedResult {
  return typeof value === 'object' && value !== null && PAGED in value
}

/** A programmed method as the call runner runs it (it may be asynchronous). */
export interface ProgrammedDefinition {
  scope: string
  authTypes?: readonly AuthType[]
  handler: (params: Params, ctx: CallContext) => Promise<MethodResult>
}

/** What `emu.on` returns: how many calls the programmed answer served, and a way to take it out. */
export interface ProgrammedHandle {
  /** Calls it has answered so far. */
  readonly calls: number
  /** Stops answering; the method answers as before it was programmed. */
  remove(): void
}

/** Programmed answers by lower-case method name; the newest for a name wins. */
export class ProgrammedAnswers {
  private readonly table = new Map<string, ProgrammedDefinition>()

  /**
   * Programs `method`. `access` gives the scope and auth types it is checked against (those of the method it
   * replaces, or of its catalogue record); `cost` is the simulated server time each answer charges.
   */
  on(
    method: string,
    answer: ProgrammedAnswer,
    access: { scope: string; authTypes?: readonly AuthType[] },
    cost: number,
  ): ProgrammedHandle {
    if (typeof method !== 'string' || method.trim() === '') throw new TypeError('emu.on needs a method name')
    const key = method.trim().toLowerCase()
    if (key === 'batch') throw new TypeError('batch cannot be programmed: program the methods it calls instead')
    let calls = 0
    const definition: ProgrammedDefinition = {
      ...access,
      handler: async (params, ctx) => {
        ctx.cost(cost)
        calls += 1
        const value =
          typeof answer === 'function'
            ? await answer(params, {
                method: key,
                authType: ctx.authType,
                userId: ctx.userId,
                now: () => ctx.now(),
              })
            : structuredClone(answer)
        if (!isPaged(value)) return { result: value ?? null }
        const out: MethodResult = { result: value.result ?? null }
        if (value.total !== undefined) out.total = value.total
        if (value.next !== undefined) out.next = value.next
        return out
      },
    }
    this.table.set(key, definition)
    return {
      get calls() {
        return calls
      },
      remove: () => {
        if (this.table.get(key) === definition) this.table.delete(key)
      },
    }
  }

  off(method: string): void {
    this.table.delete(method.trim().toLowerCase())
  }

  get(method: string): ProgrammedDefinition | undefined {
    return this.table.get(method.toLowerCase())
  }
}
