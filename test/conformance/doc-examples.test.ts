/**
 * The emulator answers the way the official docs show: for each implemented method, the JSON response example
 * from the docs (committed in spec/methods.json) and the emulator's answer over HTTP have the same keys with
 * the same JSON value types.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'

interface SpecRecord {
  name: string
  version?: number
  example?: unknown
}

const specs = JSON.parse(readFileSync(new URL('../../spec/methods.json', import.meta.url), 'utf8')) as SpecRecord[]
const examples = new Map(
  specs.filter((spec) => spec.version !== 3 && spec.example).map((spec) => [spec.name, spec.example]),
)

/** Calls whose answer is compared with the docs' example, with parameters that make the answer non-empty. */
const CALLS: Array<[method: string, params: Record<string, unknown>]> = [
  ['crm.deal.fields', {}],
  ['crm.deal.list', {}],
  ['crm.deal.get', { id: 1 }],
  ['crm.deal.add', { fields: { TITLE: 'conformance' } }],
  ['crm.deal.update', { id: 2, fields: { TITLE: 'conformance' } }],
  ['crm.lead.get', { id: 1 }],
  ['crm.lead.list', {}],
  ['crm.contact.get', { id: 1 }],
  ['crm.company.get', { id: 1 }],
  ['crm.item.get', { entityTypeId: 1, id: 1 }],
  ['crm.item.list', { entityTypeId: 1, select: ['*'] }],
  ['crm.item.add', { entityTypeId: 2, fields: { title: 'conformance' } }],
  ['user.current', {}],
  ['user.get', { ID: 1 }],
  ['department.get', { PARENT: 1 }],
  ['tasks.task.get', { taskId: 1 }],
  [
    'tasks.task.list',
    {
      select: [
        'ID',
        'TITLE',
        'DESCRIPTION',
        'STATUS',
        'subStatus',
        'DEADLINE',
        'CREATED_DATE',
        'RESPONSIBLE_ID',
        'ACCOMPLICES',
        'AUDITORS',
        'TAGS',
        'COUNTERS',
        'PRIORITY',
        'MARK',
      ],
      params: { WITH_RESULT_INFO: 'Y', WITH_TIMER_INFO: 'Y', WITH_PARSED_DESCRIPTION: 'Y' },
    },
  ],
  ['profile', {}],
  ['server.time', {}],
  ['scope', {}],
  ['method.get', { name: 'crm.deal.get' }],
  [
    'batch',
    { cmd: { get_user: 'user.current', get_department: 'department.get?ID=$result[get_user][UF_DEPARTMENT]' } },
  ],
]

/** Keys a docs example shows but no docs page defines; the emulator doesn't invent them. */
const UNDEFINED_IN_DOCS = new Set(['lengthDeadline'])

type Kind = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean'

function kindOf(value: unknown): Kind {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value as Kind
}

/** Differences between the documented shape and the actual one (paths with their kinds). */
function compareShape(documented: unknown, actual: unknown, path: string, out: string[]): void {
  const expected = kindOf(documented)
  const got = kindOf(actual)
  if (expected === 'null' || got === 'null') return
  // PHP serialises an empty map as [] — an empty array matches any object.
  if (
    (expected === 'object' && got === 'array' && (actual as unknown[]).length === 0) ||
    (got === 'object' && expected === 'array' && (documented as unknown[]).length === 0)
  )
    return
  if (expected !== got) {
    out.push(`${path}: documented ${expected}, emulator ${got}`)
    return
  }
  if (expected === 'array') {
    const [first] = documented as unknown[]
    const [firstActual] = actual as unknown[]
    if (first !== undefined && firstActual !== undefined) compareShape(first, firstActual, `${path}[0]`, out)
    return
  }
  if (expected === 'object') {
    for (const [key, value] of Object.entries(documented as Record<string, unknown>)) {
      if (/^(UF_|uf|PARENT_ID_|parentId)/.test(key) || UNDEFINED_IN_DOCS.has(key)) continue
      if (!(key in (actual as object))) {
        out.push(`${path}.${key}: documented, missing from the emulator`)
        continue
      }
      compareShape(value, (actual as Record<string, unknown>)[key], `${path}.${key}`, out)
    }
  }
}

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({ plan: 'off', randomSeed: 3 })
})
afterAll(() => emulator.close())

describe('doc examples vs emulator', () => {
  it.each(CALLS)('%s', async (method, params) => {
    const example = examples.get(method) as Record<string, unknown> | undefined
    expect(example, `the docs have a JSON example for ${method}`).toBeDefined()
    const response = await fetch(`${emulator.webhookUrl}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    })
    const body = (await response.json()) as Record<string, unknown>
    expect(response.status, JSON.stringify(body)).toBe(200)
    const differences: string[] = []
    compareShape(example!.result, body.result, 'result', differences)
    expect(differences).toEqual([])
    expect(Object.keys(body)).toEqual(expect.arrayContaining(['result', 'time']))
    if ('total' in example!) expect(typeof body.total).toBe('number')
    const time = body.time as Record<string, unknown>
    for (const key of ['start', 'finish', 'duration', 'processing', 'date_start', 'date_finish']) {
      expect(kindOf(time[key]), `time.${key}`).toBe(kindOf((example!.time as Record<string, unknown>)[key]))
    }
  })
})
