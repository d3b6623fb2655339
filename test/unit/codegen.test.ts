/**
 * The committed catalogue (spec/methods.json) and the generator's pure parts. Needs no docs directory.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { summarize } from '../../scripts/codegen/build/summary.js'
import { emitSpec } from '../../scripts/codegen/emit/spec.js'
import type { MethodSpec, ParamSpec } from '../../scripts/codegen/model.js'
import { allowedValues, readFieldTable } from '../../scripts/codegen/parse/field-table.js'
import { parseLenientJson } from '../../scripts/codegen/parse/lenient-json.js'
import { splitSections } from '../../scripts/codegen/parse/markdown.js'
import { isDeprecated, pageScopes, titleMethod, urlMethods } from '../../scripts/codegen/parse/page-meta.js'
import { codeTokens, normalizeType } from '../../scripts/codegen/parse/types.js'
import { findTables } from '../../scripts/codegen/parse/yfm-table.js'
import { deepMerge } from '../../scripts/codegen/sources/overrides.js'

const SPEC_DIR = resolve(import.meta.dirname, '..', '..', 'spec')
const specs: MethodSpec[] = JSON.parse(readFileSync(resolve(SPEC_DIR, 'methods.json'), 'utf8'))
const pysdkNames = readFileSync(resolve(SPEC_DIR, 'b24pysdk-methods.txt'), 'utf8').split('\n').filter(Boolean)

function method(name: string, version?: 3): MethodSpec {
  const found = specs.find((s) => s.name === name && s.version === version)
  if (found === undefined) throw new Error(`${name} is not in spec/methods.json`)
  return found
}

function param(spec: MethodSpec, name: string): ParamSpec {
  const found = spec.params.find((p) => p.name === name)
  if (found === undefined) throw new Error(`${spec.name} has no parameter ${name}`)
  return found
}

describe('spec/methods.json', () => {
  it('holds every name of the reference Python SDK', () => {
    expect(pysdkNames).toHaveLength(1363)
    const names = new Set(specs.map((s) => s.name.toLowerCase()))
    expect(pysdkNames.filter((n) => !names.has(n.toLowerCase()))).toEqual([])
    for (const name of pysdkNames) {
      const owners = specs.filter((s) => s.name.toLowerCase() === name.toLowerCase())
      expect(owners.some((s) => s.sources.includes('pysdk'))).toBe(true)
    }
  })

  it('covers the documented catalogue', () => {
    expect(specs.filter((s) => s.sources.includes('docs')).length).toBeGreaterThan(1600)
    expect(specs.filter((s) => s.version === 3).length).toBeGreaterThan(90)
    for (const name of ['batch', 'methods', 'scope', 'profile', 'app.info', 'server.time', 'event.bind']) {
      expect(method(name).sources).toContain('docs')
    }
  })

  it('is sorted, unique per name and version, and in the emitted byte form', () => {
    const keys = specs.map((s) => `${s.name.toLowerCase()}@${s.version ?? 2}`)
    expect(new Set(keys).size).toBe(keys.length)
    const text = readFileSync(resolve(SPEC_DIR, 'methods.json'), 'utf8')
    expect(emitSpec(specs)).toBe(text)
    const sorted = [...specs].sort((a, b) => {
      const la = a.name.toLowerCase()
      const lb = b.name.toLowerCase()
      return la !== lb ? (la < lb ? -1 : 1) : a.name !== b.name ? (a.name < b.name ? -1 : 1) : 0
    })
    expect(sorted.map((s) => s.name)).toEqual(specs.map((s) => s.name))
  })

  it('gives every record a one-line summary, a scope list and known sources', () => {
    for (const spec of specs) {
      expect(spec.summary, spec.name).toMatch(/^[A-Z].*\.$/)
      expect(spec.summary).not.toContain('\n')
      expect(Array.isArray(spec.scopes)).toBe(true)
      expect(spec.scope === null || spec.scopes.includes(spec.scope) || spec.scopes.length === 0).toBe(true)
      expect(spec.sources.length).toBeGreaterThan(0)
      for (const source of spec.sources) expect(['docs', 'pysdk', 'override']).toContain(source)
      if (spec.doc !== null) expect(spec.doc).toMatch(/\.md$/)
    }
  })

  it('describes crm.deal.get', () => {
    const get = method('crm.deal.get')
    expect(get.scope).toBe('crm')
    expect(get.doc).toBe('api-reference/crm/deals/crm-deal-get.md')
    expect(param(get, 'id')).toMatchObject({ type: 'integer', required: true, array: false })
    expect(get.result.kind).toBe('object')
    expect((get.example as { result: { ID: string } }).result.ID).toBe('410')
  })

  it('describes nested parameters and allowed values of crm.deal.add', () => {
    const fields = param(method('crm.deal.add'), 'fields')
    expect(fields.type).toBe('object')
    const names = fields.fields?.map((f) => f.name) ?? []
    expect(names).toEqual(expect.arrayContaining(['TITLE', 'STAGE_ID', 'OPPORTUNITY', 'CONTACT_IDS']))
    expect(fields.fields?.find((f) => f.name === 'OPENED')?.values).toEqual(['Y', 'N'])
    expect(fields.fields?.find((f) => f.name === 'CONTACT_IDS')).toMatchObject({ type: 'crm_contact', array: true })
  })

  it.each([
    ['crm.deal.list', null, 'ID', 'filter'],
    ['crm.lead.list', null, 'ID', 'filter'],
    ['crm.contact.list', null, 'ID', 'filter'],
    ['crm.company.list', null, 'ID', 'filter'],
    ['crm.item.list', 'items', 'id', 'filter'],
    ['tasks.task.list', 'tasks', 'ID', 'filter'],
    ['user.get', null, 'ID', 'FILTER'],
    ['socialnetwork.api.workgroup.list', 'workgroups', 'ID', 'filter'],
    ['catalog.product.list', 'products', 'id', 'filter'],
    ['sale.order.list', 'orders', 'id', 'filter'],
  ])('knows where %s keeps its rows', (name, key, idField, filterKey) => {
    const spec = method(name)
    expect(spec.result).toMatchObject({ kind: 'list', key })
    expect(spec.list).toMatchObject({ key, idField, filterKey })
  })

  it('records result shapes', () => {
    expect(method('crm.deal.add').result).toEqual({ kind: 'scalar', type: 'integer' })
    expect(method('crm.deal.update').result).toEqual({ kind: 'scalar', type: 'boolean' })
    expect(method('crm.item.delete').result).toEqual({ kind: 'scalar', type: 'array' })
    expect(method('crm.item.get').result.kind).toBe('object')
    expect(method('department.get').list).toMatchObject({ key: null, idField: 'ID', filterKey: '', orderKey: 'sort' })
  })

  it('keeps REST 3.0 methods apart from their v2 namesakes', () => {
    expect(method('tasks.task.get').doc).toBe('api-reference/tasks/tasks-task-get.md')
    expect(method('tasks.task.get', 3).doc).toBe('api-reference/tasks/tasks-task-get-rest-v3.md')
    expect(method('tasks.task.list', 3).list).toBeUndefined()
    expect(method('rest.scope.list', 3).sources).toEqual(['pysdk', 'override'])
  })

  it('marks deprecated methods', () => {
    expect(method('crm.deal.get').deprecated).toBe(true)
    expect(method('crm.item.get').deprecated).toBe(false)
    expect(method('crm.product.list').deprecated).toBe(true)
  })
})

describe('YFM tables', () => {
  const page = [
    '## Method Parameters',
    '',
    '#|',
    '|| **Name**',
    '`type` | **Description** ||',
    '|| **id***',
    '[`integer`](../data-types.md) | The ID ||',
    '|| **flags**',
    '[`string[]`](../data-types.md) | Options, `a|b` stays one cell. Possible values:',
    '- `Y` — yes',
    '- `N` — no',
    '',
    '```',
    '{ "x": "||" }',
    '```',
    '||',
    '|| **UF_\\***',
    '[```string | null```](../data-types.md) | Custom fields mask ||',
    '|#',
  ].join('\n')

  it('splits rows and cells, ignoring pipes in code', () => {
    const [table] = findTables(page)
    expect(table.rows).toHaveLength(4)
    expect(table.rows[2][1]).toContain('`a|b` stays one cell')
    expect(table.rows[2][1]).toContain('{ "x": "||" }')
  })

  it('reads names, required marks, types and values', () => {
    const rows = readFieldTable(findTables(page)[0])
    expect(rows.map((r) => [r.name, r.required, r.type, r.array])).toEqual([
      ['id', true, 'integer', false],
      ['flags', false, 'string', true],
      ['UF_*', false, 'string', false],
    ])
    expect(allowedValues(rows[1].description)).toEqual(['Y', 'N'])
  })
})

describe('type notation', () => {
  it.each([
    [['integer'], 'integer', false],
    [['crm_contact[]'], 'crm_contact', true],
    [['string | null'], 'string', false],
    [['integer', '|', 'string'], 'integer|string', false],
    [['array<object>'], 'object', true],
    [['char'], 'string', false],
    [['timestamp'], 'datetime', false],
    [[], 'any', false],
  ])('%j → %s', (tokens, type, array) => {
    expect(normalizeType(tokens)).toEqual({ type, array })
  })

  it('collects code tokens', () => {
    expect(codeTokens('[`integer`](x.md) | [```string | null```](y.md)')).toEqual(['integer', 'string | null'])
  })
})

describe('page facts', () => {
  it('finds the method in a title', () => {
    expect(titleMethod('Get Deal by Id crm.deal.get')).toBe('crm.deal.get')
    expect(titleMethod('Remove the ai.engine.unregister Service')).toBe('ai.engine.unregister')
    expect(titleMethod('Get Task by ID v 3.0 tasks.task.get')).toBe('tasks.task.get')
    expect(titleMethod('Get a List of Available Methods')).toBeNull()
  })

  it('reads example URLs, v2 and v3', () => {
    const text = [
      'https://**put_your_bitrix24_address**/rest/**put_your_user_id_here**/**put_your_webhook_here**/methods',
      'https://**put_your_bitrix24_address**/rest/api/**put_your_user_id_here**/**put_your_webhook_here**/tasks.task.get',
      'https://**put_your_bitrix24_address**/rest/methods',
    ].join('\n')
    expect(urlMethods(text)).toEqual([
      { name: 'methods', version: 2 },
      { name: 'tasks.task.get', version: 3 },
    ])
  })

  it('reads scopes', () => {
    expect(pageScopes('> Scope: [`user`](a.md), [`user_brief`](a.md)\n>\n> Who can')).toEqual(['user', 'user_brief'])
    expect(pageScopes('> Scope: [`placement, crm`](a.md)')).toEqual(['placement', 'crm'])
    expect(pageScopes('> Scope: [`basic`](a.md), for the `onUserAdd` event — [`user`](a.md)')).toEqual([
      'basic',
      'user',
    ])
  })

  it('spots deprecation notes and retired folders', () => {
    const note = splitSections(
      '# T x.y\n\n{% note warning "DEPRECATED" %}\n\nUse z.\n\n{% endnote %}\n\n## Method Parameters\n',
    )
    expect(isDeprecated('api-reference/x/x-y.md', note)).toBe(true)
    expect(isDeprecated('api-reference/crm/outdated/x.md', splitSections('# T x.y\n'))).toBe(true)
    const later = splitSections('# T x.y\n\n## Fields\n\n{% note warning "DEPRECATED" %}\nfield\n{% endnote %}\n')
    expect(isDeprecated('api-reference/x/x-y.md', later)).toBe(false)
  })
})

describe('lenient JSON', () => {
  it('accepts comments, trailing commas, ellipses and prose placeholders', () => {
    const text =
      '{\n  "result": [\n    {"ID": "1"}, // first\n    ...\n    48 more rows like these\n  ],\n  "total": 2,\n}'
    expect(parseLenientJson(text)).toEqual({ result: [{ ID: '1' }], total: 2 })
  })

  it('repairs missing commas and stray backslashes', () => {
    expect(parseLenientJson('{"a": "x\\Y"\n"b": [1]\n}')).toEqual({ a: 'x\\Y', b: [1] })
  })

  it('gives up on what is not JSON', () => {
    expect(parseLenientJson('{ result: { { } }')).toBeUndefined()
  })
})

describe('summaries and overrides', () => {
  it('writes summaries from the name', () => {
    expect(summarize('crm.deal.get', { byId: true })).toBe('Get a CRM deal by ID.')
    expect(summarize('crm.deal.list')).toBe('List CRM deals.')
    expect(summarize('tasks.task.get', { version: 3 })).toBe('Get a task (REST 3.0).')
    expect(summarize('batch')).toBe('Run up to 50 method calls in one request.')
  })

  it('deep-merges patches', () => {
    const merged = deepMerge(
      { a: 1, list: { key: null, idField: 'ID' }, gone: true, tags: ['x'] },
      { $why: 'test', list: { idField: 'id' }, gone: '$delete', tags: ['y'], extra: null },
    )
    expect(merged).toEqual({ a: 1, list: { key: null, idField: 'id' }, tags: ['y'], extra: null })
  })
})
