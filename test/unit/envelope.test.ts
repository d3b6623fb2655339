import { describe, expect, it } from 'vitest'
import {
  BitrixAPIError,
  BitrixAPIOutcomeUnknown,
  BitrixResponseParseError,
  BitrixValidationError,
} from '../../src/errors/index.js'
import { parseEnvelope } from '../../src/http/envelope.js'
import { type BatchCommand, encodeCommands, parseBatchResult } from '../../src/requests/batch.js'
import { planBatches } from '../../src/requests/batch-plan.js'
import { ref } from '../../src/requests/batch-ref.js'

const TIME = { start: 1, finish: 2, duration: 1, processing: 0.5, date_start: 'a', date_finish: 'b' }

function parseError(body: string, method?: string, status = 200): BitrixResponseParseError {
  try {
    parseEnvelope(status, body, 'application/json', method)
  } catch (error) {
    expect(error).toBeInstanceOf(BitrixResponseParseError)
    return error as BitrixResponseParseError
  }
  throw new Error(`expected ${body} to be unreadable`)
}

describe('parseEnvelope', () => {
  it('reads a success envelope; total and next may be numeric strings', () => {
    const envelope = parseEnvelope(200, JSON.stringify({ result: [1], total: '60', next: 50, time: TIME }), undefined)
    expect(envelope).toEqual({ ok: true, result: [1], total: 60, next: 50, time: TIME })
  })

  it('drops a UTF-8 BOM, as fetch does', () => {
    expect(parseEnvelope(200, `\uFEFF${JSON.stringify({ result: 5 })}`, undefined)).toMatchObject({ result: 5 })
  })

  it('an error beside a result is an error envelope', () => {
    const envelope = parseEnvelope(200, '{"result":{"ID":"1"},"error":"ACCESS_DENIED"}', undefined)
    expect(envelope).toMatchObject({ ok: false, status: 200, body: { error: 'ACCESS_DENIED', error_description: '' } })
  })

  it('REST 3.0 openapi answers the document itself; a REST 3.0 batch answers a list', () => {
    const doc = '{"openapi":"3.0.0","paths":{"/tasks.task.get":{}}}'
    expect(parseEnvelope(200, doc, undefined, 'rest.documentation.openapi', 3)).toMatchObject({
      ok: true,
      result: { openapi: '3.0.0', paths: { '/tasks.task.get': {} } },
    })
    expect(() => parseEnvelope(200, doc, undefined, 'rest.documentation.openapi')).toThrow(BitrixResponseParseError)
    expect(parseEnvelope(200, '{"result":[{"item":{}}]}', undefined, 'batch', 3)).toMatchObject({
      result: [{ item: {} }],
    })
    expect(() => parseEnvelope(200, '{"result":{"item":{}}}', undefined, 'batch', 3)).toThrow(
      'a REST 3.0 batch result is not a list',
    )
  })

  it('a null error beside a result is a success', () => {
    expect(parseEnvelope(200, '{"result":1,"error":null}', undefined)).toMatchObject({ ok: true, result: 1 })
  })

  it('reads REST v3 errors', () => {
    const body = '{"error":{"code":"X","message":"m","validation":[{"field":"id","message":"required"}]}}'
    const envelope = parseEnvelope(400, body, undefined)
    expect(envelope).toMatchObject({
      ok: false,
      body: { error: { code: 'X', message: 'm', validation: [{ field: 'id', message: 'required' }] } },
    })
  })

  it.each([
    ['not JSON', '<html>', undefined],
    ['an array', '[]', 'the envelope is not a JSON object'],
    ['neither result nor error', '{"time":{}}', 'the envelope has neither a result nor an error'],
    ['total not a number', '{"result":[],"total":"x"}', 'total is not a number'],
    ['next an object', '{"result":[],"next":{}}', 'next is not a number'],
    ['time a string', '{"result":[],"time":"x"}', 'time is not an object'],
    [
      'time field unconvertible',
      '{"result":[],"time":{"duration":{"toString":1,"valueOf":1}}}',
      'time duration is not a number',
    ],
    ['error an array', '{"error":[]}', 'error is neither a code nor an object'],
    ['error_description an object', '{"error":"X","error_description":{}}', 'error_description is not text'],
    ['v3 code an object', '{"error":{"code":{},"message":""}}', 'error.code or error.message is not text'],
    [
      'v3 validation an object',
      '{"error":{"code":"X","message":"","validation":{}}}',
      'error.validation is not a list',
    ],
  ])('%s is unreadable, sent: true', (_, body, reason) => {
    const error = parseError(body, 'crm.deal.get')
    expect(error.reason).toBe(reason)
    expect(error.sent).toBe(true)
    expect(error.method).toBe('crm.deal.get')
    expect(error.toJSON()).toMatchObject({ sent: true, method: 'crm.deal.get' })
  })

  it.each([
    ['result a string', '{"result":"oops"}', 'result is not an object of the five batch maps'],
    ['result null', '{"result":null}', 'result is not an object of the five batch maps'],
    ['a map a number', '{"result":{"result":[],"result_error":5}}', 'result.result_error is not a map'],
    ['a total not a number', '{"result":{"result_total":{"a":"x"}}}', 'result.result_total["a"] is not a number'],
    ['a time not an object', '{"result":{"result_time":[1]}}', 'result.result_time["0"] is not an object'],
    [
      'an error an array',
      '{"result":{"result_error":{"a":[]}}}',
      'result.result_error["a"] is neither an error object nor a code',
    ],
  ])('a batch whose %s is unreadable', (_, body, reason) => {
    expect(parseError(body, 'batch').reason).toBe(reason)
  })

  it('other methods may return any result', () => {
    expect(parseEnvelope(200, '{"result":"oops"}', undefined, 'crm.deal.get')).toMatchObject({ result: 'oops' })
  })
})

describe('parseBatchResult', () => {
  const commands = [
    ['a', 'crm.deal.add'],
    ['b', 'crm.deal.get'],
  ] as const

  it('gives a command with neither result nor error an outcome-unknown error that says a write may be applied', () => {
    const parsed = parseBatchResult<Record<string, unknown>>({ result: [], result_error: [] }, commands)
    expect(parsed.resultError.a).toBeInstanceOf(BitrixAPIOutcomeUnknown)
    expect(parsed.resultError.a?.message).toMatch(/write may have been applied/)
    expect(parsed.resultError.b?.message).not.toMatch(/write/)
    expect((parsed.resultError.a as BitrixAPIOutcomeUnknown).sent).toBe(true)
  })

  it('ignores keys no command has, and keeps __proto__ an ordinary key of a null-prototype map', () => {
    const raw = JSON.parse('{"result":{"a":1,"b":2,"zz":3,"__proto__":{"x":1}}}')
    const parsed = parseBatchResult<Record<string, unknown>>(raw, [...commands, ['__proto__', 'crm.deal.get']])
    expect(Object.getPrototypeOf(parsed.result)).toBeNull()
    expect(Object.keys(parsed.result)).toEqual(['a', 'b', '__proto__'])
    expect(Object.getOwnPropertyDescriptor(parsed.result, '__proto__')?.value).toEqual({ x: 1 })
  })

  it('reads string error entries as codes', () => {
    const parsed = parseBatchResult<Record<string, unknown>>(
      { result: { a: 1 }, result_error: { b: 'NOT_FOUND' } },
      commands,
    )
    expect(parsed.resultError.b).toBeInstanceOf(BitrixAPIError)
    expect(parsed.resultError.b?.error).toBe('NOT_FOUND')
  })
})

describe('planBatches', () => {
  const get = (id: unknown): BatchCommand => ({ method: 'crm.deal.get', params: { id } })
  const entries = (commands: BatchCommand[]) => commands.map((command, i) => [String(i), command] as const)

  it('moves a command to the batch of the commands it references, keeping input order', () => {
    const add: BatchCommand = { method: 'crm.deal.add', params: {} }
    const commands = [...Array.from({ length: 49 }, (_, i) => get(i)), add, get(ref(add as never))]
    const keys = planBatches(entries(commands)).map((batch) => batch.map(([key]) => key))
    expect(keys.map((batch) => batch.length)).toEqual([49, 2])
    expect(keys[1]).toEqual(['49', '50'])
  })

  it('follows string references and chains', () => {
    const commands = [get(1), get(ref('0').ID), get(5), get(ref('1').ID), get(4)]
    const keys = planBatches(entries(commands), 3).map((batch) => batch.map(([key]) => key))
    expect(keys).toEqual([
      ['0', '1', '3'],
      ['2', '4'],
    ])
  })

  it('refuses unknown and forward references, and groups larger than a batch', () => {
    expect(() => planBatches(entries([get(ref('9'))]))).toThrow(BitrixValidationError)
    expect(() => planBatches(entries([get(ref('1')), get(2)]))).toThrow(/does not come before it/)
    const chain = [get(1), get(ref('0')), get(ref('1'))]
    expect(() => planBatches(entries(chain), 2)).toThrow(/chain of 3 commands; one batch carries at most 2/)
  })

  it('encodes a command named __proto__ as an ordinary key', () => {
    const cmd = encodeCommands([['__proto__', get(1)]])
    expect(JSON.stringify(cmd)).toBe('{"__proto__":"crm.deal.get?id=1"}')
  })
})
