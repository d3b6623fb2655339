/**
 * Hostile envelopes, table-driven over both transports: a tiny loopback server answers each case's bodies and the
 * SDK must report a typed error (or the right result), never a success with garbage in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BitrixAPIAccessDenied,
  BitrixAPIError,
  BitrixAPIOutcomeUnknown,
  BitrixRequestError,
  BitrixResponseParseError,
} from '../../src/errors/index.js'
import type { Transport } from '../../src/http/transport.js'
import type { Client } from '../../src/index.js'
import {
  envelope,
  type HostileServer,
  hostileClient,
  type Reply,
  rejection,
  startHostileServer,
  TRANSPORTS,
} from './envelope-server.js'

interface Case {
  name: string
  replies: Reply[]
  run: (client: Client, server: HostileServer, transport: () => Transport) => Promise<void>
}

const BOM = '\uFEFF'
const PROTO = '__proto__'

async function parseErrorOf(promise: PromiseLike<unknown>): Promise<BitrixResponseParseError> {
  const error = await rejection(promise)
  expect(error).toBeInstanceOf(BitrixResponseParseError)
  const parseError = error as BitrixResponseParseError
  expect(parseError.sent).toBe(true)
  return parseError
}

const cases: Case[] = [
  {
    name: 'a batch answering nothing for its commands: callMany reports every item failed, outcome unknown',
    replies: [{ body: envelope({ result: [], result_error: [] }) }],
    async run(client) {
      const outcomes = await client.callMany([
        client.crm.deal.add({ fields: { TITLE: 'a' } }),
        client.crm.deal.get({ id: 1 }),
      ])
      expect(outcomes.map((outcome) => outcome.ok)).toEqual([false, false])
      for (const outcome of outcomes) {
        if (outcome.ok) continue
        expect(outcome.unknown).toBe(true)
        expect(outcome.error).toBeInstanceOf(BitrixAPIOutcomeUnknown)
      }
      const add = outcomes[0]
      expect(add.ok ? '' : add.error.message).toMatch(/neither a result nor an error .*write may have been applied/)
    },
  },
  {
    name: 'a batch whose result is a string is an unreadable response, not empty maps',
    replies: [{ body: envelope('oops') }],
    async run(client) {
      const error = await parseErrorOf(client.callBatch({ a: client.crm.deal.get({ id: 1 }) }))
      expect(error.reason).toMatch(/result is not an object/)
      expect(error.method).toBe('batch')
    },
  },
  {
    name: 'a batch whose result is null is an unreadable response',
    replies: [{ body: envelope(null) }],
    async run(client) {
      await parseErrorOf(client.callBatch([client.crm.deal.get({ id: 1 })]))
    },
  },
  {
    name: 'a batch map of the wrong type is an unreadable response',
    replies: [{ body: envelope({ result: 'x', result_error: [] }) }],
    async run(client) {
      const error = await parseErrorOf(client.callBatch([client.crm.deal.get({ id: 1 })]))
      expect(error.reason).toBe('result.result is not a map')
    },
  },
  {
    name: 'a result beside an error is the error',
    replies: [{ body: JSON.stringify({ result: { ID: '1' }, error: 'ACCESS_DENIED', error_description: 'no' }) }],
    async run(client) {
      const error = await rejection(client.crm.deal.get({ id: 1 }))
      expect(error).toBeInstanceOf(BitrixAPIAccessDenied)
    },
  },
  {
    name: 'a command with both a result and an error in a batch is failed',
    replies: [{ body: envelope({ result: { a: 1 }, result_error: { a: { error: 'ACCESS_DENIED' } } }) }],
    async run(client) {
      const batch = await client.callBatch({ a: client.crm.deal.get({ id: 1 }) })
      expect(batch.result.result.a).toBeUndefined()
      expect(batch.result.resultError.a).toBeInstanceOf(BitrixAPIAccessDenied)
    },
  },
  {
    name: 'a UTF-8 BOM before the JSON reads the same as without',
    replies: [{ body: BOM + envelope({ ID: '7', TITLE: 'Ünïcode' }) }],
    async run(client) {
      const response = await client.crm.deal.get({ id: 7 })
      expect(response.result).toEqual({ ID: '7', TITLE: 'Ünïcode' })
      expect(response.time.duration).toBe(0.01)
    },
  },
  {
    name: 'a __proto__ key in a batch result map stays a key; maps have no prototype',
    replies: [
      {
        body: `${BOM}{"result":{"result":{"a":{"ID":"1"},"__proto__":{"polluted":true}},"result_error":[],"result_total":{"__proto__":3},"result_next":[],"result_time":[]},"time":{"start":1}}`,
      },
    ],
    async run(client) {
      const commands: Record<string, ReturnType<Client['crm']['deal']['get']>> = { a: client.crm.deal.get({ id: 1 }) }
      Object.defineProperty(commands, PROTO, {
        value: client.crm.deal.list({}),
        enumerable: true,
        configurable: true,
      })
      const batch = await client.callBatch(commands)
      const { result, resultTotal } = batch.result as unknown as Record<string, Record<string, unknown>>
      expect(Object.getPrototypeOf(result)).toBeNull()
      expect(result.a).toEqual({ ID: '1' })
      expect(Object.hasOwn(result, PROTO)).toBe(true)
      expect(result[PROTO]).toEqual({ polluted: true })
      expect(result.polluted).toBeUndefined()
      expect(resultTotal[PROTO]).toBe(3)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    },
  },
  {
    name: 'a __proto__ key in an error body does not become the prototype of its extra fields',
    replies: [{ status: 400, body: '{"error":"X_CODE","error_description":"d","__proto__":{"polluted":true}}' }],
    async run(client) {
      const error = (await rejection(client.crm.deal.get({ id: 1 }))) as BitrixAPIError
      expect(error).toBeInstanceOf(BitrixAPIError)
      expect(error.error).toBe('X_CODE')
      expect((error.extra as Record<string, unknown>).polluted).toBeUndefined()
    },
  },
  {
    name: 'an HTML proxy page is an unreadable response that names the status and content type',
    replies: [{ status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }],
    async run(client) {
      const error = await parseErrorOf(client.crm.deal.get({ id: 1 }))
      expect(error.status).toBe(502)
      expect(error.contentType).toBe('text/html')
      expect(error.excerpt).toMatch(/^<html>/)
    },
  },
  {
    name: 'a truncated answer to a write is an unreadable response with sent: true, never re-sent',
    replies: [{ body: '{"result":12' }],
    async run(_, server, transport) {
      // Retries allowed: a write whose answer was lost must still not be sent twice.
      const client = hostileClient(server, transport(), { defaultMaxRetries: 3 })
      const error = await parseErrorOf(client.crm.deal.add({ fields: { TITLE: 'once' } }))
      expect(error.method).toBe('crm.deal.add')
      expect(server.received.map((request) => request.method)).toEqual(['crm.deal.add'])
    },
  },
  {
    name: 'an empty 200 body is an unreadable response',
    replies: [{ body: '' }],
    async run(client) {
      const error = await parseErrorOf(client.crm.deal.get({ id: 1 }))
      expect(error.message).toMatch(/empty body/)
    },
  },
  {
    name: 'JSON that is not an envelope (an array, or neither result nor error) is an unreadable response',
    replies: [{ body: '[1,2]' }, { body: '{"time":{}}' }],
    async run(client) {
      expect((await parseErrorOf(client.crm.deal.get({ id: 1 }))).reason).toMatch(/not a JSON object/)
      expect((await parseErrorOf(client.crm.deal.get({ id: 1 }))).reason).toMatch(/neither a result nor an error/)
    },
  },
  {
    name: 'wrong types in total, next and time are unreadable, even ones String() and Number() throw on',
    replies: [
      { body: envelope([], { total: 'many' }) },
      { body: envelope([], { next: {} }) },
      { body: '{"result":[],"time":{"start":{"toString":1,"valueOf":1}}}' },
      { body: '{"result":[],"time":{"date_start":{"toString":1}}}' },
    ],
    async run(client) {
      const reasons = []
      for (let i = 0; i < 4; i++) reasons.push((await parseErrorOf(client.crm.deal.list({}))).reason)
      expect(reasons).toEqual([
        'total is not a number',
        'next is not a number',
        'time start is not a number',
        'time date_start is not a string',
      ])
    },
  },
  {
    name: 'error fields that are not text are unreadable, not a crash',
    replies: [
      { status: 400, body: '{"error":"X","error_description":{"toString":1}}' },
      { status: 400, body: '{"error":[1]}' },
      { body: envelope({ result: [], result_error: { 0: { error: { toString: 1 } } } }) },
    ],
    async run(client) {
      await parseErrorOf(client.crm.deal.get({ id: 1 }))
      await parseErrorOf(client.crm.deal.get({ id: 1 }))
      await parseErrorOf(client.callBatch([client.crm.deal.get({ id: 1 })]))
    },
  },
  {
    name: 'halt: commands after the failing one were not run and are in neither map; earlier gaps are unknown',
    replies: [
      { body: envelope({ result: { b: 2 }, result_error: { c: { error: 'NOT_FOUND', error_description: '' } } }) },
    ],
    async run(client) {
      const batch = await client.callBatch(
        {
          a: client.crm.deal.get({ id: 1 }),
          b: client.crm.deal.get({ id: 2 }),
          c: client.crm.deal.get({ id: 3 }),
          d: client.crm.deal.get({ id: 4 }),
        },
        { halt: true },
      )
      expect(batch.result.resultError.a).toBeInstanceOf(BitrixAPIOutcomeUnknown)
      expect(batch.result.result.b).toBe(2)
      expect(batch.result.resultError.c?.error).toBe('NOT_FOUND')
      expect('d' in batch.result.result || 'd' in batch.result.resultError).toBe(false)
    },
  },
  {
    name: 'a connection cut mid-body is a request error with sent: true',
    replies: [{ body: envelope({ ID: '1', TITLE: 'x'.repeat(4096) }), cut: true }],
    async run(client) {
      const error = await rejection(client.crm.deal.add({ fields: { TITLE: 'cut' } }))
      expect(error).toBeInstanceOf(BitrixRequestError)
      expect((error as BitrixRequestError).sent).toBe(true)
    },
  },
]

describe.each(TRANSPORTS)('hostile envelopes over the %s transport', (_name, createTransport) => {
  let server: HostileServer
  let client: Client
  beforeAll(async () => {
    server = await startHostileServer()
    client = hostileClient(server, createTransport())
  })
  afterAll(async () => {
    await server.close()
  })

  it.each(cases)('$name', async ({ replies, run }) => {
    server.reset(replies)
    await run(client, server, createTransport)
  })
})
