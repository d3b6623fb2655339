/**
 * Docs-example mode of the emulator: catalogued methods it does not implement answer their documented example,
 * real implementations win, and the system methods report the documented ones as existing.
 */
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, type MethodDefinition, startEmulator } from '../../src/emulator/index.js'
import {
  type CatalogueRecord,
  cataloguePaths,
  createDocExampleMethods,
  DocExampleMethodTable,
  docExampleAnswer,
  docExampleScope,
  emptyResultOf,
  loadCatalogue,
} from '../../src/emulator/server/doc-examples.js'

interface Answer {
  result?: unknown
  total?: number
  next?: number
  error?: string
}

const records = JSON.parse(
  readFileSync(new URL('../../spec/methods.json', import.meta.url), 'utf8'),
) as CatalogueRecord[]
const recordOf = (name: string) => records.find((record) => record.name === name && record.version !== 3)!

async function get(url: string): Promise<{ status: number; body: Answer }> {
  const response = await fetch(url)
  return { status: response.status, body: (await response.json()) as Answer }
}

const definition = (result: unknown): MethodDefinition => ({ scope: 'basic', handler: () => ({ result }) })

describe('docs-example answers', () => {
  it('answers the example result, with total and next when the example has them', () => {
    const list = recordOf('crm.activity.list')
    const example = list.example as Answer
    expect(docExampleAnswer(list)).toEqual({ result: example.result, total: example.total, next: example.next })
    const get = recordOf('disk.folder.get')
    expect(docExampleAnswer(get)).toEqual({ result: (get.example as Answer).result })
  })

  it('answers a value of the declared shape when the page has no example', () => {
    expect(emptyResultOf({ kind: 'scalar', type: 'integer' })).toBe(0)
    expect(emptyResultOf({ kind: 'scalar', type: 'double' })).toBe(0)
    expect(emptyResultOf({ kind: 'scalar', type: 'boolean' })).toBe(false)
    expect(emptyResultOf({ kind: 'scalar', type: 'string' })).toBe('')
    expect(emptyResultOf({ kind: 'object' })).toEqual({})
    expect(emptyResultOf({ kind: 'list', key: null })).toEqual([])
    expect(emptyResultOf({ kind: 'list', key: 'items' })).toEqual({ items: [] })
    expect(emptyResultOf({ kind: 'unknown' })).toBeNull()
    const noExample: CatalogueRecord = { name: 'x.y', scope: 'crm', result: { kind: 'list', key: 'rows' } }
    expect(docExampleAnswer(noExample)).toEqual({ result: { rows: [] } })
  })

  it('uses the page scope, basic without one, and the portal spelling of sonet_group', () => {
    expect(docExampleScope(recordOf('disk.folder.get'))).toBe('disk')
    expect(docExampleScope(recordOf('event.offline.get'))).toBe('basic')
    expect(docExampleScope(recordOf('sonet_group.setowner'))).toBe('sonet_group')
  })

  it('skips REST 3.0 records and hands out a fresh copy per call', () => {
    const v3Only: CatalogueRecord = {
      name: 'main.eventlog.list',
      version: 3,
      scope: 'main',
      result: { kind: 'unknown' },
    }
    const v2: CatalogueRecord = {
      name: 'Some.Method',
      scope: 'crm',
      result: { kind: 'object' },
      example: { result: { a: [1] } },
    }
    const table = createDocExampleMethods([v3Only, v2], 0.25)
    expect([...table.keys()]).toEqual(['some.method'])
    const method = table.get('some.method')!
    let charged = 0
    const ctx = {
      userId: 1,
      authType: 'webhook' as const,
      now: () => 0,
      cost: (seconds: number) => {
        charged += seconds
      },
    }
    const first = method.handler({}, ctx).result as { a: number[] }
    first.a.push(2)
    expect(method.handler({}, ctx).result).toEqual({ a: [1] })
    expect(charged).toBe(0.5)
    expect(method.scope).toBe('crm')
  })

  it('finds the catalogue from the sources and from the package layout', () => {
    const here = dirname(fileURLToPath(import.meta.url))
    const root = resolve(here, '..', '..')
    expect(cataloguePaths(join(root, 'src', 'emulator', 'server'))).toContain(join(root, 'spec', 'methods.json'))
    expect(cataloguePaths(join(root, 'dist'))[0]).toBe(join(root, 'spec', 'methods.json'))
    expect(loadCatalogue().length).toBe(records.length)
    expect(loadCatalogue()).toBe(loadCatalogue())
  })
})

describe('the layered method table', () => {
  it('builds the fallback on the first miss only, and lets own entries win in any case', () => {
    let builds = 0
    const table = new DocExampleMethodTable(() => {
      builds++
      return new Map([
        ['a.b', definition('doc a.b')],
        ['imbot.v2.bot.register', definition('doc bot')],
        ['x.y', definition('doc x.y')],
      ])
    })
    table.set('a.b', definition('real a.b'))
    table.set('imbot.v2.Bot.register', definition('real bot'))
    expect(table.get('a.b')?.handler({}, never()).result).toBe('real a.b')
    expect(builds).toBe(0)
    // A lower-case lookup must not reach the docs' entry hidden by an own entry in another case.
    expect(table.get('imbot.v2.bot.register')).toBeUndefined()
    expect(table.get('imbot.v2.Bot.register')?.handler({}, never()).result).toBe('real bot')
    expect(table.get('x.y')?.handler({}, never()).result).toBe('doc x.y')
    expect(table.has('x.y')).toBe(true)
    expect(table.has('nope')).toBe(false)
    expect(builds).toBe(1)
    expect([...table.keys()]).toEqual(['a.b', 'imbot.v2.Bot.register', 'x.y'])
    expect(table.size).toBe(3)
    expect([...table.values()].map((d) => d.handler({}, never()).result)).toEqual(['real a.b', 'real bot', 'doc x.y'])
    expect(table.delete('x.y')).toBe(false)
    expect(table.delete('imbot.v2.Bot.register')).toBe(true)
    expect(table.get('imbot.v2.bot.register')?.handler({}, never()).result).toBe('doc bot')
    const seen: string[] = []
    table.forEach((_value, key) => {
      seen.push(key)
    })
    expect(seen).toEqual(['a.b', 'imbot.v2.bot.register', 'x.y'])
    expect(builds).toBe(1)
  })
})

function never(): Parameters<MethodDefinition['handler']>[1] {
  return { userId: 1, authType: 'webhook', now: () => 0, cost: () => undefined }
}

describe('startEmulator({ docExamples })', () => {
  let emu: Emulator
  let plain: Emulator

  beforeAll(async () => {
    emu = await startEmulator({ plan: 'off', realDelays: false, randomSeed: 1, docExamples: true })
    plain = await startEmulator({ plan: 'off', realDelays: false, randomSeed: 1 })
  })

  afterAll(async () => {
    await emu?.close()
    await plain?.close()
  })

  // disk.version.get and catalog.document.list are not served with state; disk.folder.get is since the disk module
  it('answers an unimplemented catalogued method with its documented example', async () => {
    // catalog.document.list: a list whose example has total and next, not served with state
    const { status, body } = await get(`${emu.webhookUrl}catalog.document.list`)
    const example = recordOf('catalog.document.list').example as Answer
    expect(status).toBe(200)
    expect(body.result).toEqual(example.result)
    expect(body.total).toBe(example.total)
    expect(body.next).toBe(example.next)
    // Names are case-insensitive, as for every method.
    expect((await get(`${emu.webhookUrl}DISK.Version.Get?id=1`)).body.result).toEqual(
      (recordOf('disk.version.get').example as Answer).result,
    )
  })

  it('keeps real implementations', async () => {
    const { body } = await get(`${emu.webhookUrl}crm.deal.get?id=1`)
    expect((body.result as { ID: string }).ID).toBe('1')
    expect(body.result).not.toEqual((recordOf('crm.deal.get').example as Answer).result)
  })

  it('reports the documented methods through methods and method.get', async () => {
    const exists = await get(`${emu.webhookUrl}method.get?name=disk.folder.get`)
    expect(exists.body.result).toEqual({ isExisting: true, isAvailable: true })
    const full = (await get(`${emu.webhookUrl}methods?full=1`)).body.result as string[]
    expect(full).toEqual(expect.arrayContaining(['crm.deal.get', 'disk.folder.get', 'crm.activity.list']))
    expect(new Set(full).size).toBe(full.length)
    const disk = (await get(`${emu.webhookUrl}methods?scope=disk`)).body.result as string[]
    expect(disk).toContain('disk.folder.get')
    expect((await get(`${emu.webhookUrl}method.get?name=no.such.method`)).body.result).toEqual({
      isExisting: false,
      isAvailable: false,
    })
  })

  it('checks the documented scope', async () => {
    const hook = emu.createWebhook({ scopes: ['crm'] })
    expect((await get(`${hook.url}crm.activity.list`)).status).toBe(200)
    const refused = await get(`${hook.url}disk.folder.get`)
    expect(refused.status).toBe(401)
    expect(refused.body.error).toBe('insufficient_scope')
  })

  it('answers inside a batch', async () => {
    const { body } = await get(`${emu.webhookUrl}batch?cmd[a]=disk.version.get%3Fid%3D1&cmd[b]=crm.deal.get%3Fid%3D1`)
    const results = (body.result as { result: Record<string, { ID: string }> }).result
    expect(results.a.ID).toBe((recordOf('disk.version.get').example as { result: { ID: string } }).result.ID)
    expect(results.b.ID).toBe('1')
  })

  it('is off by default: the method fails loudly instead', async () => {
    const { status, body } = await get(`${plain.webhookUrl}disk.version.get?id=1`)
    expect(status).toBe(400)
    expect(body.error).toBe('EMULATOR_NOT_IMPLEMENTED')
    const full = (await get(`${plain.webhookUrl}methods?full=1`)).body.result as string[]
    expect(full).not.toContain('disk.version.get')
  })
})
