/**
 * Fuzz of the envelope path: a seeded generator makes 5,000 response bodies (valid envelopes, truncated ones,
 * HTML pages, wrong types, huge and deep bodies, BOMs, `__proto__` keys, invalid UTF-8), one hostile loopback
 * server serves them in sequence, and reads over both transports (no retries) must end in a response or a typed
 * `BitrixError`: no crash, no hang, no unhandled rejection, no polluted prototype.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Random, seeded } from '../../scripts/seeded-random.js'
import { BitrixError } from '../../src/errors/index.js'
import type { Client } from '../../src/index.js'
import { type HostileServer, hostileClient, type Reply, startHostileServer, TRANSPORTS } from './envelope-server.js'

const SEED = 20261201
const BODIES = 5_000

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]

const KEYS = ['ID', 'TITLE', 'a', 'b', '0', '1', '__proto__', 'constructor', 'toString', 'valueOf', 'result', 'error']
const HOSTILE_VALUES: unknown[] = [
  { toString: 1, valueOf: 1 },
  { toString: 1 },
  [],
  [[]],
  {},
  '',
  'NaN',
  '1e400',
  -1,
  1e308,
  0.5,
  true,
  null,
  '\u0000',
  '<script>',
  JSON.parse('{"__proto__":{"polluted":true}}'),
]

function value(random: Random, depth: number): unknown {
  const roll = random()
  if (depth <= 0 || roll < 0.35) {
    return pick(random, [
      () => Math.floor(random() * 1000),
      () => String(Math.floor(random() * 1000)),
      () => random() < 0.5,
      () => null,
      () => 'Ünïcode ✓ \u2028',
      () => pick(random, HOSTILE_VALUES),
    ])()
  }
  if (roll < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(random, depth - 1))
  const out: Record<string, unknown> = {}
  for (let i = Math.floor(random() * 4); i > 0; i--) {
    Object.defineProperty(out, pick(random, KEYS), {
      value: value(random, depth - 1),
      enumerable: true,
      configurable: true,
      writable: true,
    })
  }
  return out
}

function time(random: Random): unknown {
  return random() < 0.9
    ? { start: 1, finish: 1.2, duration: 0.2, processing: 0.1, date_start: '2026-12-01T00:00:00+00:00' }
    : value(random, 2)
}

function batchMap(random: Random, entry: () => unknown): unknown {
  if (random() < 0.2) return random() < 0.5 ? [] : value(random, 2)
  const keys = random() < 0.5 ? ['a', 'b'] : ['0', '1']
  const map: Record<string, unknown> = {}
  for (const key of keys)
    if (random() < 0.7)
      Object.defineProperty(map, key, { value: entry(), enumerable: true, configurable: true, writable: true })
  if (random() < 0.1)
    Object.defineProperty(map, '__proto__', { value: entry(), enumerable: true, configurable: true, writable: true })
  return random() < 0.2 ? Object.values(map) : map
}

/** A structured envelope: success, batch success, or v2 / v3 error. */
function envelope(random: Random): unknown {
  const kind = random()
  if (kind < 0.35) {
    const body: Record<string, unknown> = { result: value(random, 4), time: time(random) }
    if (random() < 0.3) body.total = random() < 0.8 ? Math.floor(random() * 100) : value(random, 1)
    if (random() < 0.2) body.next = random() < 0.8 ? 50 : value(random, 1)
    if (random() < 0.05) body.error = pick(random, ['ACCESS_DENIED', 'expired_token', '', null])
    return body
  }
  if (kind < 0.7) {
    const result = {
      result: batchMap(random, () => value(random, 3)),
      result_error: batchMap(random, () =>
        random() < 0.8 ? { error: 'NOT_FOUND', error_description: 'Not found' } : value(random, 2),
      ),
      result_total: batchMap(random, () => (random() < 0.8 ? 5 : value(random, 1))),
      result_next: batchMap(random, () => (random() < 0.8 ? '50' : value(random, 1))),
      result_time: batchMap(random, () => time(random)),
    }
    return { result: random() < 0.9 ? result : value(random, 2), time: time(random) }
  }
  if (kind < 0.9) {
    return {
      error: random() < 0.8 ? pick(random, ['QUERY_LIMIT_EXCEEDED', 'ACCESS_DENIED', 'X', '', 0]) : value(random, 1),
      error_description: random() < 0.8 ? 'Description' : value(random, 1),
    }
  }
  return { error: { code: random() < 0.8 ? 'BITRIX_REST_V3_EXCEPTION' : value(random, 1), message: value(random, 1) } }
}

function deep(random: Random): string {
  const depth = 1_000 + Math.floor(random() * 20_000)
  const [open, close] = random() < 0.5 ? ['[', ']'] : ['{"a":', '}']
  const inner = `${open.repeat(depth)}1${close.repeat(depth)}`
  return random() < 0.5 ? `{"result":${inner},"time":{"start":1}}` : inner
}

function huge(random: Random): string {
  const rows = Array.from({ length: 20_000 }, (_, i) => `{"ID":"${i}","TITLE":"${'x'.repeat(50)}"}`)
  const body = `{"result":[${rows.join(',')}],"total":20000,"time":{"start":1}}`
  return random() < 0.5 ? body : body.slice(0, Math.floor(random() * body.length))
}

const HTML = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>'

/** The body served for request number `index`; the same on every run. */
function fuzzReply(index: number): Reply {
  const random = seeded(SEED + index * 7919)
  const status = random() < 0.75 ? 200 : pick(random, [400, 401, 403, 404, 429, 500, 502, 503])
  const contentType = random() < 0.85 ? 'application/json; charset=utf-8' : pick(random, ['text/html', 'text/plain'])
  const kind = random()
  let body: string | Buffer
  if (kind < 0.004) body = huge(random)
  else if (kind < 0.03) body = deep(random)
  else if (kind < 0.07) body = HTML
  else if (kind < 0.09) body = Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])
  else if (kind < 0.11) body = pick(random, ['', ' ', 'null', 'true', '"text"', '123', '[]', '{}', '\uFEFF'])
  else {
    body = JSON.stringify(envelope(random))
    if (random() < 0.25) body = body.slice(0, Math.floor(random() * body.length))
    if (random() < 0.15) body = body.replace('{', '{"__proto__":{"polluted":true},')
  }
  if (typeof body === 'string' && random() < 0.1) body = (random() < 0.8 ? '\uFEFF' : '\uFEFF\uFEFF') + body
  return { status, contentType, body }
}

type Action = (client: Client) => Promise<unknown>

const ACTIONS: ReadonlyArray<readonly [string, Action]> = [
  ['call', (client) => client.crm.deal.get({ id: 1 }).response],
  ['callBatch', (client) => client.callBatch({ a: client.crm.deal.get({ id: 1 }), b: client.crm.deal.list({}) })],
  ['callBatch positional', (client) => client.callBatch([client.crm.deal.get({ id: 1 }), client.user.current()])],
  ['callMany', (client) => client.callMany([client.crm.deal.get({ id: 1 }), client.crm.deal.get({ id: 2 })])],
]

/** What is wrong with a successful outcome, if anything: batch maps must have no prototype, outcomes typed errors. */
function successProblem(action: string, value: unknown): string | undefined {
  if (action === 'callMany') {
    const outcomes = value as Array<{ ok: boolean; error?: unknown; unknown?: unknown }>
    if (outcomes.length !== 2) return 'callMany lost outcomes'
    const bad = outcomes.find((o) => !o.ok && (!(o.error instanceof BitrixError) || typeof o.unknown !== 'boolean'))
    return bad ? `callMany outcome ${String(bad.error)}` : undefined
  }
  if (action.startsWith('callBatch')) {
    const maps = (value as { result: Record<string, unknown> }).result
    const named = action === 'callBatch'
    for (const [name, map] of Object.entries(maps)) {
      if (named ? Object.getPrototypeOf(map) !== null : !Array.isArray(map)) return `batch map ${name} has a prototype`
    }
    const errors = Object.values(maps.resultError as Record<string, unknown>)
    if (errors.some((error) => error !== undefined && !(error instanceof BitrixError))) return 'untyped batch error'
  }
  return undefined
}

describe('fuzz: 5,000 generated response bodies', () => {
  let server: HostileServer
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  beforeAll(async () => {
    server = await startHostileServer()
    process.on('unhandledRejection', onUnhandled)
    process.on('uncaughtException', onUnhandled)
  })
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled)
    process.off('uncaughtException', onUnhandled)
    await server.close()
  })

  it('end in a response or a typed error over both transports', { timeout: 240_000 }, async () => {
    server.reset(fuzzReply)
    const clients = TRANSPORTS.map(([, create]) => hostileClient(server, create()))
    const problems: string[] = []
    const tally = { ok: 0, typed: 0 }
    for (let index = 0; index < BODIES; index++) {
      const [action, run] = ACTIONS[index % ACTIONS.length]
      const client = clients[Math.floor(index / ACTIONS.length) % clients.length]
      try {
        const problem = successProblem(action, await run(client))
        if (problem) problems.push(`#${index} ${action}: ${problem}`)
        tally.ok++
      } catch (error) {
        if (error instanceof BitrixError) tally.typed++
        else problems.push(`#${index} ${action}: ${error instanceof Error ? error.stack : String(error)}`)
      }
    }
    await new Promise((resolve) => setImmediate(resolve))
    expect(problems.slice(0, 5)).toEqual([])
    expect(unhandled).toEqual([])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(server.received.length).toBe(BODIES)
    // The generator reaches both sides: bodies that read fine and bodies that must fail.
    expect(tally.ok).toBeGreaterThan(BODIES / 10)
    expect(tally.typed).toBeGreaterThan(BODIES / 2)
  })
})
