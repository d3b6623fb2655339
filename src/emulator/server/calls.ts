/**
 * Running one REST method for an authenticated caller: lookup, auth type, scope, operating-time limit, the
 * handler itself (any exception becomes a Bitrix-style error), simulated server time and the `time` block.
 */
import {
  type CallContext,
  type MethodDefinition,
  type MethodResult,
  type MethodTable,
  type Params,
  RestError,
} from '../kernel.js'
import type { Caller } from './auth.js'
import type { EmulatorClock } from './clock.js'
import { catalogueRecord, isDocExample } from './doc-examples.js'
import { type TimeBlock, timeBlock } from './envelope.js'
import { type OperatingTracker, operatingKey } from './limits.js'
import type { AnswerSource, ProgrammedAnswers, ReceivedLog } from './programmed.js'
import { scopeAllows } from './scopes.js'
import type { StatsRecorder } from './stats.js'

export type CallOutcome =
  | {
      ok: true
      method: string
      result: unknown
      total?: unknown
      next?: unknown
      time: TimeBlock
      source: AnswerSource | undefined
    }
  | { ok: false; method: string; error: RestError; source: AnswerSource | undefined }

/** A definition as the runner runs it: the portal's own handlers are synchronous, programmed ones may not be. */
type Runnable = Omit<MethodDefinition, 'handler'> & {
  handler: (params: Params, ctx: CallContext) => MethodResult | Promise<MethodResult>
}

interface Admitted {
  method: string
  definition: Runnable
  source: AnswerSource
}

/** The context system methods get: the kernel's context plus who is calling. */
export interface ServerCallContext extends CallContext {
  readonly caller: Caller
}

export function callerOf(ctx: CallContext): Caller {
  const caller = (ctx as Partial<ServerCallContext>).caller
  if (!caller) throw new RestError('ACCESS_DENIED', 'Access denied! Application context required', 403)
  return caller
}

export function methodNotFound(): RestError {
  return new RestError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404)
}

/**
 * A catalogued method the emulator has no answer for. 400, not a 5xx: no client retries it, since asking again
 * cannot help; the description names both ways forward.
 */
export function notImplemented(method: string): RestError {
  return new RestError(
    'EMULATOR_NOT_IMPLEMENTED',
    `The emulator does not implement ${method}. Register an answer with emu.on('${method}', handler or result) ` +
      '(or the methods option of startEmulator), or start it with docExamples: true to answer the documented example.',
    400,
  )
}

function operationTimeLimit(): RestError {
  return new RestError('OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.', 429)
}

/** Method names are case-insensitive: lower case first, then the spelling given (D7 `imbot.v2.Bot.register`). */
function findMethod(methods: MethodTable, name: string): [string, MethodDefinition] | undefined {
  const lower = name.toLowerCase()
  const definition = methods.get(lower)
  if (definition) return [lower, definition]
  const exact = methods.get(name)
  return exact ? [name, exact] : undefined
}

/**
 * The server time one HTTP request may still use before the portal cuts it (settings/performance/limits.md:
 * "one REST request must finish within 60 seconds"). Shared by a batch's sub-calls.
 */
export class RequestBudget {
  /** True once a call needed more than what was left: the request is cut. */
  cut = false

  constructor(public remaining: number) {}

  /** Takes up to `seconds`; what it could not take cuts the request. */
  take(seconds: number): number {
    const granted = Math.min(seconds, Math.max(0, this.remaining))
    this.remaining -= granted
    if (granted < seconds) this.cut = true
    return granted
  }
}

export interface CallRunnerDeps {
  methods: MethodTable
  /** Answers programmed with `emu.on`; they win over everything else. */
  programmed: ProgrammedAnswers
  /** Definitions supplied by the user (the `methods` option): they count as handlers, not as portal state. */
  userDefinitions: ReadonlySet<MethodDefinition>
  received: ReceivedLog
  clock: EmulatorClock
  /** Absent when the operating limit is off. */
  operating: OperatingTracker | undefined
  stats: StatsRecorder
  authErrorStatus: number
  /** A call answered from portal state succeeded: raises the event of the change it made (events.ts). */
  onStateChange?(method: string, params: Params, result: unknown, caller: Caller): void
}

export class CallRunner {
  constructor(private readonly deps: CallRunnerDeps) {}

  /** The method's definition and what kind of answer it gives; unknown and unimplemented methods throw. */
  private lookup(name: string): Admitted {
    const programmed = this.deps.programmed.get(name)
    if (programmed) return { method: name.toLowerCase(), definition: programmed, source: 'handler' }
    const found = findMethod(this.deps.methods, name)
    if (!found) throw catalogueRecord(name) ? notImplemented(name) : methodNotFound()
    const [method, definition] = found
    const source = isDocExample(definition)
      ? 'example'
      : this.deps.userDefinitions.has(definition)
        ? 'handler'
        : 'state'
    return { method, definition, source }
  }

  /** Everything short of running the handler: existence, auth type, scope, operating limit. */
  private admit(name: string, caller: Caller): Admitted {
    const found = this.lookup(name)
    const { method, definition } = found
    if (definition.authTypes && !definition.authTypes.includes(caller.authType)) {
      throw new RestError('WRONG_AUTH_TYPE', 'Current authorization type is denied for this method', 403)
    }
    if (!scopeAllows(caller.scopes, definition.scope)) {
      const token = caller.authType === 'webhook' ? 'webhook token' : 'access token'
      throw new RestError(
        'insufficient_scope',
        `The request requires higher privileges than provided by the ${token}`,
        this.deps.authErrorStatus,
      )
    }
    const { operating, clock, stats } = this.deps
    if (operating?.isBlocked(operatingKey(caller.key, method), clock.now())) {
      stats.operationLimitBlock()
      throw operationTimeLimit()
    }
    return found
  }

  /** Runs one call (`inBatch` for a batch sub-command) and records it in `received`. */
  async invoke(
    name: string,
    params: Params,
    caller: Caller,
    inBatch = false,
    budget?: RequestBudget,
  ): Promise<CallOutcome> {
    const { received, stats } = this.deps
    // Copied before the handler runs: handlers may consume what they were given.
    const sent = received.enabled ? structuredClone(params) : params
    let outcome: CallOutcome
    try {
      const { method, definition, source } = this.admit(name, caller)
      outcome = await this.execute(method, definition, source, params, caller, budget)
    } catch (error) {
      outcome = { ok: false, method: name.toLowerCase(), error: toRestError(error), source: undefined }
    }
    if (outcome.ok && outcome.source) stats.answer(outcome.source)
    if (outcome.ok && outcome.source === 'state')
      this.deps.onStateChange?.(outcome.method, sent, outcome.result, caller)
    received.record({
      method: name,
      params: sent,
      authType: caller.authType,
      userId: caller.userId,
      inBatch,
      answeredBy: outcome.source,
      error: outcome.ok ? undefined : outcome.error.code,
    })
    return outcome
  }

  private async execute(
    method: string,
    definition: Runnable,
    source: AnswerSource,
    params: Params,
    caller: Caller,
    budget: RequestBudget | undefined,
  ): Promise<CallOutcome> {
    const { clock, operating, stats } = this.deps
    const start = clock.now()
    let cost = 0
    const ctx: ServerCallContext = {
      userId: caller.userId,
      authType: caller.authType,
      caller,
      now: () => clock.now(),
      cost: (seconds: number) => {
        if (Number.isFinite(seconds) && seconds > 0) cost += seconds
      },
    }
    let value: MethodResult | undefined
    let failure: RestError | undefined
    try {
      // Awaited so that a handler returning a promise by mistake still answers correctly.
      value = await definition.handler(params, ctx)
    } catch (error) {
      failure = toRestError(error)
    }
    stats.call(method, cost)
    // A request cut at the time limit waits only until the cut; the work done still counts.
    await clock.spend(budget ? budget.take(cost) : cost)
    const end = clock.now()
    const key = operatingKey(caller.key, method)
    operating?.record(key, end, cost)
    if (failure) return { ok: false, method, error: failure, source }
    // Without real delays the clock has not moved by `cost`; the reported finish still accounts for it.
    const time = timeBlock(
      start,
      Math.max(end, start + cost),
      cost,
      operating?.info(key, end),
      this.deps.clock.tzMinutes,
    )
    return {
      ok: true,
      method,
      result: value?.result ?? null,
      total: value?.total,
      next: value?.next,
      time,
      source,
    }
  }
}

/** Handler failures of any kind become the portal's answer; only RestError keeps its own code and status. */
export function toRestError(error: unknown): RestError {
  if (error instanceof RestError) return error
  return new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500)
}
