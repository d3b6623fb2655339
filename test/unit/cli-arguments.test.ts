import { describe, expect, it } from 'vitest'
import { callParams, separatorOf } from '../../src/cli/arguments.js'
import { parseBatchFile } from '../../src/cli/batch-command.js'
import { parseEmulatorArgs } from '../../src/cli/emulator-command.js'
import { CliUsageError } from '../../src/cli/errors.js'

describe('key=value parameters', () => {
  it('nest with PHP brackets and keep values as strings', () => {
    expect(callParams(['id=2', 'filter[>OPPORTUNITY]=1000', 'select[]=ID', 'select[]=TITLE'], undefined, '')).toEqual({
      id: '2',
      filter: { '>OPPORTUNITY': '1000' },
      select: ['ID', 'TITLE'],
    })
  })

  it('split at the first "=" outside brackets, so operators with "=" stay in the key', () => {
    expect(separatorOf('filter[<=ID]=60')).toBe(12)
    expect(callParams(['filter[<=ID]=60', 'filter[!=STAGE_ID]=WON', 'fields[TITLE]=a=b'], undefined, '')).toEqual({
      filter: { '<=ID': '60', '!=STAGE_ID': 'WON' },
      fields: { TITLE: 'a=b' },
    })
  })

  it('keep spaces, plus signs, ampersands and non-ASCII text as typed', () => {
    expect(callParams(['fields[TITLE]=A + B & C', 'fields[COMMENTS]=Привет'], undefined, '')).toEqual({
      fields: { TITLE: 'A + B & C', COMMENTS: 'Привет' },
    })
  })

  it('lay pairs over typed --json, merging nested objects', () => {
    const json = '{"filter":{">ID":5,"CLOSED":false},"select":["ID"],"start":-1}'
    expect(callParams(['filter[STAGE_ID]=WON', 'select[]=TITLE'], json, '')).toEqual({
      filter: { '>ID': 5, CLOSED: false, STAGE_ID: 'WON' },
      select: ['TITLE'],
      start: -1,
    })
  })

  it('refuse a pair without a key or "=" and --json that is not an object', () => {
    expect(() => callParams(['id'], undefined, '')).toThrow(CliUsageError)
    expect(() => callParams(['=2'], undefined, '')).toThrow('is not key=value')
    expect(() => callParams([], '[1,2]', '')).toThrow('--json must be a JSON object')
    expect(() => callParams([], '{oops', '')).toThrow('--json is not valid JSON')
  })
})

describe('batch files', () => {
  it('read named and positional calls; params default to {}', () => {
    expect(parseBatchFile('{"me":{"method":"user.current"},"d":{"method":"crm.deal.get","params":{"id":1}}}')).toEqual({
      me: { method: 'user.current', params: {} },
      d: { method: 'crm.deal.get', params: { id: 1 } },
    })
    expect(parseBatchFile('[{"method":"scope"}]')).toEqual([{ method: 'scope', params: {} }])
  })

  it('name the call that is malformed', () => {
    expect(() => parseBatchFile('{"x":{"params":{}}}')).toThrow('call "x" needs "method"')
    expect(() => parseBatchFile('[{"method":"scope","params":[1]}]')).toThrow('call "0": "params" must be an object')
    expect(() => parseBatchFile('"scope"')).toThrow('must hold an object of named calls or an array')
    expect(() => parseBatchFile('{')).toThrow('not valid JSON')
  })
})

describe('emulator options', () => {
  it('map every seed size, the plan, port and https', () => {
    expect(
      parseEmulatorArgs([
        '--port',
        '8080',
        '--https',
        '--plan',
        'enterprise',
        '--seed-deals',
        '100',
        '--seed-smart-items',
        '7',
        '--no-delays',
        '--doc-examples',
      ]),
    ).toEqual({
      port: 8080,
      https: true,
      plan: 'enterprise',
      realDelays: false,
      docExamples: true,
      seed: { deals: 100, smartItems: 7 },
    })
    expect(parseEmulatorArgs(['--help'])).toBe('help')
  })

  it('refuse bad values with the option named', () => {
    expect(() => parseEmulatorArgs(['--plan', 'gold'])).toThrow('--plan expects standard, enterprise or off')
    expect(() => parseEmulatorArgs(['--seed-deals=-1'])).toThrow('--seed-deals expects a non-negative integer')
    expect(() => parseEmulatorArgs(['--port', '70000'])).toThrow('--port expects 0..65535')
    expect(() => parseEmulatorArgs(['--time-scale', '0'])).toThrow('--time-scale expects a positive number')
    expect(() => parseEmulatorArgs(['--colour'])).toThrow(CliUsageError)
  })
})
