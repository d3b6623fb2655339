/**
 * The generator against the real docs (../shared/b24restdocs or B24_DOCS_DIR). Skipped with a warning when the docs
 * are absent, unless B24_REQUIRE_DOCS=1 (CI), where their absence fails.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildCatalog } from '../../scripts/codegen/build/catalog.js'
import { docsDir, docsDirExists, METHODS_FILE, OVERRIDES_FILE, PYSDK_FILE } from '../../scripts/codegen/config.js'
import { emitSpec } from '../../scripts/codegen/emit/spec.js'
import { discover } from '../../scripts/codegen/parse/discover.js'
import { FieldResolver } from '../../scripts/codegen/parse/field-tree.js'
import { type PageMethod, parseMethodPage } from '../../scripts/codegen/parse/method-page.js'
import { PageStore } from '../../scripts/codegen/parse/page-store.js'
import { readOverrides } from '../../scripts/codegen/sources/overrides.js'
import { readPysdkNames } from '../../scripts/codegen/sources/pysdk.js'

const DOCS = docsDir()
const present = docsDirExists(DOCS)
const required = process.env.B24_REQUIRE_DOCS === '1'

if (!present && !required) {
  console.warn(
    `codegen-docs tests skipped: no Bitrix24 REST docs at ${DOCS} (set B24_DOCS_DIR, or B24_REQUIRE_DOCS=1 to fail)`,
  )
}

describe.runIf(required && !present)('docs directory', () => {
  it('is present when B24_REQUIRE_DOCS=1', () => {
    expect.fail(`B24_REQUIRE_DOCS=1 but the Bitrix24 REST docs are missing at ${DOCS}`)
  })
})

describe.skipIf(!present)('parsing real doc pages', () => {
  const store = new PageStore(DOCS)
  const resolver = new FieldResolver(store)
  const page = (path: string): PageMethod => {
    const parsed = parseMethodPage(store, resolver, path)
    if (parsed === null) throw new Error(`${path} was not read as a method page`)
    return parsed
  }

  it('reads crm.deal.get: scope, required id, object result, example', () => {
    const deal = page('api-reference/crm/deals/crm-deal-get.md')
    expect(deal).toMatchObject({
      name: 'crm.deal.get',
      version: 2,
      scopes: ['crm'],
      deprecated: true,
      nameFrom: 'title',
    })
    expect(deal.params).toEqual([
      { name: 'id', type: 'integer', required: true, array: false, description: 'The identifier of the deal.' },
    ])
    expect(deal.result.kind).toBe('object')
    const fields = deal.result.kind === 'object' ? (deal.result.fields ?? []) : []
    expect(fields.find((f) => f.name === 'STAGE_SEMANTIC_ID')?.values).toEqual(['P', 'S', 'F'])
    expect((deal.example as { result: { TITLE: string } }).result.TITLE).toBe('New Deal #1')
  })

  it('reads list shapes: bare array and wrapped rows', () => {
    const deals = page('api-reference/crm/deals/crm-deal-list.md')
    expect(deals.result).toMatchObject({ kind: 'list', key: null })
    expect(deals.paged).toBe(true)
    expect(page('api-reference/crm/universal/crm-item-list.md').result).toMatchObject({ kind: 'list', key: 'items' })
    expect(page('api-reference/tasks/tasks-task-list.md').result).toMatchObject({ kind: 'list', key: 'tasks' })
    const products = page('api-reference/catalog/product/catalog-product-list.md')
    expect(products.result).toMatchObject({ kind: 'list', key: 'products' })
    const item = products.result.kind === 'list' ? (products.result.item ?? []) : []
    expect(item.map((f) => f.name)).toContain('iblockId')
  })

  it('follows sub-tables to nested parameters', () => {
    const add = page('api-reference/crm/deals/crm-deal-add.md')
    const fields = add.params.find((p) => p.name === 'fields')
    expect(fields?.fields?.find((f) => f.name === 'TITLE')).toMatchObject({ type: 'string', required: false })
    const params = add.params.find((p) => p.name === 'params')
    expect(params?.fields?.map((f) => f.name)).toEqual(['REGISTER_SONET_EVENT'])
    const event = page('api-reference/calendar/calendar-event/calendar-event-add.md')
    expect(event.params.find((p) => p.name === 'rrule')?.fields?.map((f) => f.name)).toContain('FREQ')
  })

  it('reads tables without a header row', () => {
    const bookings = page('api-reference/booking/booking/booking-v1-booking-list.md')
    const filter = bookings.params.find((p) => p.name === 'FILTER')
    expect(filter?.fields?.map((f) => f.name)).toEqual(expect.arrayContaining(['within', 'client']))
  })

  it('tells REST 3.0 pages from v2 pages of the same method', () => {
    expect(page('api-reference/tasks/tasks-task-get-rest-v3.md')).toMatchObject({ name: 'tasks.task.get', version: 3 })
    expect(page('api-reference/tasks/tasks-task-get.md')).toMatchObject({ name: 'tasks.task.get', version: 2 })
  })

  it('names pages whose title has no method from their example URL', () => {
    expect(page('api-reference/common/system/methods.md')).toMatchObject({ name: 'methods', nameFrom: 'url' })
    expect(page('settings/how-to-call-rest-api/batch.md')).toMatchObject({ name: 'batch', scopes: ['basic'] })
    expect(page('api-reference/departments/department-delete.md').name).toBe('department.delete')
  })

  it('reads several scopes and retired folders', () => {
    expect(page('api-reference/user/user-get.md').scopes).toEqual(['user', 'user_brief', 'user_basic'])
    expect(page('api-reference/crm/outdated/products/crm-product-list.md').deprecated).toBe(true)
  })

  it('skips pages that are not methods', () => {
    expect(parseMethodPage(store, resolver, 'api-reference/widgets/calendar.md')).toBeNull()
    expect(parseMethodPage(store, resolver, 'api-reference/crm/data-types.md')).toBeNull()
  })
})

describe.skipIf(!present)('regenerating spec/methods.json', () => {
  const generate = () =>
    emitSpec(
      buildCatalog({
        pages: discover(DOCS).methods,
        pysdkNames: readPysdkNames(PYSDK_FILE),
        overrides: readOverrides(OVERRIDES_FILE),
      }),
    )

  it('is deterministic and matches the committed file (run `npm run codegen` after changing it)', () => {
    const first = generate()
    expect(generate()).toBe(first)
    expect(first).toBe(readFileSync(resolve(METHODS_FILE), 'utf8'))
  })
})
