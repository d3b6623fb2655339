/**
 * REST 3.0 at `/rest/api/{userId}/{secret}/{method}` (webhooks) and `/rest/api/{method}` (OAuth: `auth` in the
 * JSON body, or a Bearer header) — api-reference/rest-v3.md. JSON bodies only, the query string ignored, the v3
 * answers `{ result, time }` and `{ error: { code, message, validation? } }`, the idempotency store on writes,
 * and the v3 batch. The portal state, the leaky bucket and authentication are the router's and v2's own: v3
 * calls count against the same limits (docs/emulator.md, "REST 3.0").
 */
import type { IncomingMessage } from 'node:http'
import { type Params, RestError } from '../kernel.js'
import {
  insufficientScope,
  invalidJson,
  V3_ERROR_PREFIX,
  v3Error,
  validationError,
  validationOf,
} from '../methods/v3/errors.js'
import type { V3MethodDefinition, V3MethodTable } from '../methods/v3/index.js'
import { type Caller, type CredentialStore, findAccessToken } from './auth.js'
import { type CallRunner, RequestBudget, toRestError } from './calls.js'
import type { EmulatorClock } from './clock.js'
import { errorEnvelope, type TimeBlock } from './envelope.js'
import { GATEWAY_TIMEOUT_HTML } from './faults.js'
import { fingerprint, type IdempotencyStore, isValidIdempotencyKey } from './idempotency.js'
import type { ReceivedLog } from './programmed.js'
import type { Reply } from './respond.js'
import { parseV3Commands, runV3Batch } from './rest-v3-batch.js'
import type { StatsRecorder } from './stats.js'

/** Where a `/rest/api/…` path points. */
export type V3Route =
  | { kind: 'webhook'; userId: string; secret: string; method: string }
  | { kind: 'oauth'; method: string }

/** Segments after `/rest/api/`: `[method]` (OAuth) or `[userId, secret, method]` (webhook); else nothing. */
export function parseV3Path(parts: readonly string[]): V3Route | undefined {
  if (parts.length === 1) return { kind: 'oauth', method: parts[0] }
  if (parts.length === 3) return { kind: 'webhook', userId: parts[0], secret: parts[1], method: parts[2] }
  return undefined
}

export interface RestV3Deps {
  methods: V3MethodTable
  /** Runs v3 methods: scope, operating time, `received` and stats like any call. */
  calls: CallRunner
  credentials: CredentialStore
  clock: EmulatorClock
  stats: StatsRecorder
  received: ReceivedLog
  idempotency: IdempotencyStore
  requestTimeLimit: number
}

const NO_AUTH = new RestError('NO_AUTH_FOUND', 'Wrong authorization data', 401)
const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i

/**
 * 404 for a name that is not a REST 3.0 method. The docs give 404 but name no v3 code; the code is the one the
 * official JS SDK 2.2.0 lists among its soft v3 errors (`BUILT_IN_SOFT_ERROR_CODES`).
 */
function methodNotFoundV3(): RestError {
  return v3Error('METHODNOTFOUNDEXCEPTION', 'Method not found', 404)
}

/** The v3 error shape; errors of the shared REST layer (auth, limits, server) keep the v2 shape. */
export function v3ErrorReply(error: RestError): Reply {
  const mapped = error.code === 'insufficient_scope' ? insufficientScope() : error
  if (!mapped.code.startsWith(V3_ERROR_PREFIX)) {
    return { status: mapped.status, body: errorEnvelope(mapped) }
  }
  const validation = validationOf(mapped)
  return {
    status: mapped.status,
    body: { error: { code: mapped.code, message: mapped.description, ...(validation ? { validation } : {}) } },
  }
}

/** The JSON body; an empty body is `{}`; a form body or broken JSON is INVALIDJSONEXCEPTION. */
function parseJsonBody(body: Buffer, contentType: string | undefined): unknown {
  const text = body.toString('utf8')
  if (text.trim() === '') return {}
  if (FORM_TYPES.test(contentType ?? '')) throw invalidJson()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw invalidJson()
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidJson()
  return parsed
}

/** The body without the OAuth `auth` field (a body that is an array carries none). */
function withoutAuth(body: unknown): unknown {
  if (Array.isArray(body) || typeof body !== 'object' || body === null) return body
  const { auth: _auth, ...rest } = body as Record<string, unknown>
  return rest
}

export class RestV3 {
  constructor(private readonly deps: RestV3Deps) {}

  /** Answers one v3 request whose route, portal state and leaky bucket the router has already let through. */
  async call(req: IncomingMessage, route: V3Route, rawBody: Buffer): Promise<Reply> {
    let body: unknown
    let caller: Caller
    try {
      body = parseJsonBody(rawBody, req.headers['content-type'])
    } catch (error) {
      return v3ErrorReply(toRestError(error))
    }
    try {
      caller = this.authenticate(req, route, body)
    } catch (error) {
      return v3ErrorReply(toRestError(error))
    }
    const budget = new RequestBudget(this.deps.requestTimeLimit)
    const params = withoutAuth(body)
    const name = route.method.toLowerCase()
    let reply: Reply
    try {
      reply =
        name === 'batch'
          ? await this.batch(params, caller, budget)
          : await this.single(req, name, params, caller, budget)
    } catch (error) {
      reply = v3ErrorReply(toRestError(error))
    }
    if (budget.cut) return { status: 504, html: GATEWAY_TIMEOUT_HTML }
    if (caller.app) reply.headers = { 'X-Bitrix-Rest-Application': caller.app.clientId, ...reply.headers }
    return reply
  }

  private authenticate(req: IncomingMessage, route: V3Route, body: unknown): Caller {
    const { credentials } = this.deps
    if (route.kind === 'webhook') return credentials.authenticateWebhook(route.userId, route.secret)
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Params) : {}
    const token = findAccessToken({ auth: fields.auth }, req.headers.authorization)
    if (token === undefined) throw NO_AUTH
    return credentials.authenticateToken(token)
  }

  private async single(
    req: IncomingMessage,
    name: string,
    params: unknown,
    caller: Caller,
    budget: RequestBudget,
  ): Promise<Reply> {
    const definition = this.deps.methods.get(name)
    if (!definition) throw methodNotFoundV3()
    if (Array.isArray(params)) {
      throw validationError([{ field: 'body', message: 'The request body must be a JSON object' }])
    }
    const rawKey = req.headers['idempotency-key']
    const key = definition.write && typeof rawKey === 'string' ? rawKey : undefined
    if (key === undefined) return this.run(name, definition, params as Params, caller, budget)
    if (!isValidIdempotencyKey(key)) {
      throw v3Error('INVALIDIDEMPOTENCYKEYEXCEPTION', 'The Idempotency-Key must be 1 to 255 printable ASCII characters')
    }
    const { idempotency, clock, stats } = this.deps
    // rest-v3.md: "unique within a single application or webhook, a single user, and a single method".
    const scope = `${caller.key}\n${caller.userId}\n${name}`
    const print = fingerprint(params)
    const found = idempotency.lookup(scope, key, print, clock.now())
    if (found.kind === 'conflict') {
      stats.idempotentConflict()
      throw v3Error(
        'IDEMPOTENCYKEYREUSEDEXCEPTION',
        'The Idempotency-Key was already used with a different request body',
        422,
      )
    }
    const echo = { 'Idempotency-Key': key }
    if (found.kind === 'replay') {
      stats.idempotentReplay()
      return { ...found.answer, headers: { ...echo, 'Idempotent-Replayed': 'true' } }
    }
    const reply = await this.run(name, definition, params as Params, caller, budget)
    if (reply.status === 200 && !budget.cut) {
      idempotency.store(scope, key, print, { status: reply.status, body: reply.body }, clock.now())
      stats.idempotentApply(name, key)
    }
    return { ...reply, headers: { ...reply.headers, ...echo } }
  }

  private async run(
    name: string,
    definition: V3MethodDefinition,
    params: Params,
    caller: Caller,
    budget: RequestBudget,
  ): Promise<Reply> {
    const outcome = await this.deps.calls.invoke(name, params, caller, false, budget)
    if (!outcome.ok) return v3ErrorReply(outcome.error)
    if (definition.bare) return { status: 200, body: outcome.result }
    return { status: 200, body: { result: outcome.result, time: outcome.time } }
  }

  private async batch(body: unknown, caller: Caller, budget: RequestBudget): Promise<Reply> {
    const { stats, received, clock, methods, calls } = this.deps
    const commands = parseV3Commands(body)
    stats.call('batch', 0)
    received.record({
      method: 'batch',
      params: { commands: received.enabled ? structuredClone(commands) : commands },
      authType: caller.authType,
      userId: caller.userId,
      inBatch: false,
      answeredBy: 'state',
      error: undefined,
    })
    const outcome = await runV3Batch(commands, caller, {
      clock,
      stopped: () => budget.cut,
      invoke: async (method, query, subCaller) => {
        if (!methods.has(method.toLowerCase()))
          return { ok: false, method, error: methodNotFoundV3(), source: undefined }
        return calls.invoke(method, query, subCaller, true, budget)
      },
    })
    if (!outcome.ok) return v3ErrorReply(outcome.error)
    const envelope: { result: unknown[]; time: TimeBlock } = { result: outcome.result, time: outcome.time }
    return { status: 200, body: envelope }
  }
}
