/**
 * Calls every catalogued method through the client against the emulator and checks each response against the
 * declared result shape. Every REST v2 record of spec/methods.json is called twice, through `client.call(name)`
 * and through the method tree (`client.crm.deal.get`), with minimal parameters built from its required
 * parameters and with argument validation on, so the parameters must also pass the SDK's own validator.
 *
 * REST 3.0-only records are skipped here; `/rest/api/` has its own tests (test/e2e/rest-v3*.test.ts).
 * Methods the emulator implements for real may answer a documented domain error for the made-up parameters
 * (`NOT_FOUND` for ID 1 of an entity); methods answered from the docs' example (opt-in `docExamples: true`)
 * must not fail at all. The sweep reports how many methods answered from portal state, from handlers and from
 * docs examples, as the emulator recorded it (`emu.received`); a second sweep with default options proves that
 * no method answers a docs example unless asked to.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixAPIAuthError, BitrixAPIError } from '../../src/errors/index.js'
import { Client } from '../../src/index.js'
import { oauthToken } from './sdk-fixtures.js'

interface ParamSpec {
  name: string
  type: string
  required: boolean
  array: boolean
  fields?: ParamSpec[]
  values?: string[]
}

type ResultSpec =
  | { kind: 'scalar'; type: string }
  | { kind: 'object' }
  | { kind: 'list'; key: string | null }
  | { kind: 'unknown' }

interface MethodSpec {
  name: string
  version?: number
  params: ParamSpec[]
  result: ResultSpec
  example?: { result?: unknown }
}

const specs = JSON.parse(readFileSync(new URL('../../spec/methods.json', import.meta.url), 'utf8')) as MethodSpec[]
const v2Specs = specs.filter((spec) => spec.version !== 3)

/**
 * The errors a real implementation may answer for the made-up minimal parameters: each (code, message) pair is
 * in the error table of the method's documentation page. The docs mark only some parameters required (e.g.
 * `fields` of crm.deal.add is not), so a minimal call may legitimately be refused; ID 1 may be gone after the
 * first of the two deletions. System errors (`ERROR_METHOD_NOT_FOUND`, `insufficient_scope`, auth, limits,
 * `INTERNAL_SERVER_ERROR`) never count as a legitimate answer here.
 */
const DOCUMENTED_ERRORS: ReadonlyArray<{ code: string; message: RegExp; documentedIn: string }> = [
  { code: '', message: /^Not found$/, documentedIn: 'crm.deal.get, crm.deal.delete (legacy CRM: empty code)' },
  { code: '', message: /^Parameter 'fields' must be array\.?$/, documentedIn: 'crm.deal.add, crm.deal.update' },
  { code: 'NOT_FOUND', message: /^Item not found$/, documentedIn: 'crm.item.delete' },
  {
    code: 'NOT_FOUND',
    message: /^Element not found$/,
    documentedIn: 'catalog.*, sale.*, booking.* and other pages (17 tables); generic families before their add',
  },
  { code: 'NOT_FOUND', message: /^CRM object not found$/, documentedIn: 'crm.activity.todo.update*' },
  { code: 'PARAMS_ERROR', message: /^Incorrect params$/, documentedIn: 'im.notify.delete' },
  { code: 'ERROR_NOT_FOUND', message: /^Could not find entity with id /, documentedIn: 'disk.folder.*, disk.file.*' },
  {
    code: 'ERROR_ARGUMENT',
    message: /^Invalid value of parameter \{Parameter #\d\}$/,
    documentedIn: 'disk.*',
  },
  { code: 'ERROR_ENTITY_ALREADY_EXISTS', message: /^Entity already exists$/, documentedIn: 'entity.add' },
  { code: 'ERROR_ENTITY_NOT_FOUND', message: /^Entity not found$/, documentedIn: 'entity.*' },
  {
    code: 'ERROR_PROPERTY_ALREADY_EXISTS',
    message: /^Property already exists$/,
    documentedIn: 'entity.item.property.add',
  },
  {
    code: 'MISSING_PARAMS',
    message: /^Required parameter '\w+' is missing$/,
    documentedIn: '30 pages, e.g. landing.*',
  },
  { code: '100', message: /^Could not find value for parameter \{fields\}/, documentedIn: 'tasks.task.add' },
  {
    code: '100',
    message: /^CTaskItem All parameters in the constructor must have real class type/,
    documentedIn: 'tasks.task.get (taskId is not marked required)',
  },
  { code: '1048582', message: /^No access to delete the task$/, documentedIn: 'tasks.task.delete' },
  { code: 'ERROR_CORE', message: /^Department not found$/, documentedIn: 'department.delete' },
  { code: 'ERROR_ARGUMENT', message: /^wrong_email$/, documentedIn: 'user.add' },
  { code: 'ERROR_EVENT_NOT_FOUND', message: /^Event not found$/, documentedIn: 'event.bind' },
  {
    code: 'ENTITY_TYPE_NOT_SUPPORTED',
    message: /^Entity type `\w+` is not supported$/,
    documentedIn: 'crm.category.get, crm.category.list (entityTypeId 1: leads have no pipelines)',
  },
]

/**
 * Methods whose example shows one record but whose page says that without the optional selector every record is
 * returned (entity.get: "If the parameter is provided, the method returns data only for that storage").
 */
const LIST_WITHOUT_FILTER: ReadonlySet<string> = new Set(['entity.get'])

function isDocumentedError(error: BitrixAPIError): boolean {
  return DOCUMENTED_ERRORS.some((known) => known.code === error.error && known.message.test(error.errorDescription))
}

const DATE_TYPES = new Set(['date', 'datetime'])

/** A value the docs' type accepts: integer → 1, string → 'x' (or the first documented value), … */
function sampleOf(param: ParamSpec): unknown {
  const type = param.type.split('|')[0].replace(/\[\]$/, '')
  let value: unknown
  // The first documented value that fits the type (some "values" lists hold prose, e.g. `ID` for an integer).
  const listed = param.values?.find((item) => (type === 'integer' ? /^-?\d+$/.test(item) : type === 'string'))
  if (listed !== undefined) value = listed
  else if (param.fields?.some((field) => field.required)) value = paramsOf(param.fields)
  else if (type === 'integer' || type === 'double' || type === 'user' || type === 'section' || type === 'crm_entity')
    value = 1
  else if (type === 'boolean') value = 'Y'
  else if (type === 'object' || type.endsWith('Dto')) value = {}
  else if (type === 'array') value = []
  else if (DATE_TYPES.has(type)) value = type === 'date' ? '2024-01-01' : '2024-01-01T00:00:00+00:00'
  else if (type === 'file') value = ['x.txt', 'eA==']
  else if (/\.id$/i.test(type)) value = 1
  else value = 'x'
  return param.array ? [value] : value
}

/** The required parameters with sample values; dotted names (`fields.CONTACT_ID`) are nested as the API reads them. */
function paramsOf(params: readonly ParamSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const param of params) {
    if (!param.required) continue
    const path = param.name.split('.')
    let target = out
    for (const part of path.slice(0, -1)) {
      const next = target[part]
      target[part] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {}
      target = target[part] as Record<string, unknown>
    }
    target[path[path.length - 1]] = sampleOf(param)
  }
  return out
}

function isNumeric(value: unknown): boolean {
  return (
    (typeof value === 'number' && Number.isFinite(value)) ||
    (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
  )
}

/** Why `value` does not fit the declared result, or undefined when it does. */
function shapeProblem(result: ResultSpec, value: unknown): string | undefined {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
  switch (result.kind) {
    case 'scalar': {
      const ok =
        result.type === 'integer' || result.type === 'double'
          ? isNumeric(value)
          : result.type === 'boolean'
            ? typeof value === 'boolean' || value === 'Y' || value === 'N'
            : result.type === 'string'
              ? typeof value === 'string'
              : result.type === 'null'
                ? value === null
                : result.type === 'array'
                  ? Array.isArray(value)
                  : value !== undefined
      return ok ? undefined : `scalar ${result.type} expected, got ${got}`
    }
    case 'object':
      // PHP encodes an empty map as [].
      if (typeof value === 'object' && value !== null && (!Array.isArray(value) || value.length === 0)) return
      return `object expected, got ${got}`
    case 'list':
      if (Array.isArray(value)) return
      if (result.key !== null && typeof value === 'object' && value !== null) {
        if (Array.isArray((value as Record<string, unknown>)[result.key])) return
        return `list under "${result.key}" expected, got object {${Object.keys(value).slice(0, 5).join(', ')}}`
      }
      return `list expected, got ${got}`
    default:
      return undefined
  }
}

type Outcome = 'ok' | 'domainError' | 'failed'

/** Walks a dotted name through the client object. */
function treeNode(client: Client, name: string): unknown {
  let node: unknown = client
  for (const part of name.split('.')) {
    node = node === undefined || node === null ? undefined : (node as Record<string, unknown>)[part]
  }
  return node
}

async function mapLimit<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await run(items[index])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** Roots taken by members of the client itself: such names are reachable through `client.call(name)` only. */
const CLIENT_MEMBERS: ReadonlySet<string> = new Set(['call', 'on', 'callBatch', 'callBatches', 'credentials'])

describe('catalogue sweep against the emulator', () => {
  let emu: Emulator
  let client: Client
  let realMethods: ReadonlySet<string>

  beforeAll(async () => {
    // Which names the emulator implements for real: its method table without docs-example mode.
    const plain = await startEmulator({ plan: 'off', docExamples: false })
    try {
      const listed = (await (await fetch(`${plain.webhookUrl}methods?full=1`)).json()) as { result: string[] }
      realMethods = new Set(listed.result.map((name) => name.toLowerCase()))
    } finally {
      await plain.close()
    }
    // Docs examples are opt-in; the sweep turns them on to reach the whole documented surface.
    emu = await startEmulator({
      plan: 'off',
      realDelays: false,
      randomSeed: 1,
      docExamples: true,
      receivedLimit: 20_000,
    })
    // An OAuth app, because `event.*` methods refuse webhooks (WRONG_AUTH_TYPE). No retries: every answer counts.
    client = new Client(oauthToken(emu).token, { defaultMaxRetries: 0, validateArguments: true, limiter: false })
  })

  afterAll(async () => {
    await emu?.close()
  })

  it('answers every REST v2 method in the declared shape, through call() and through the tree', async () => {
    const started = performance.now()
    const failures: string[] = []

    /** One way of calling: its outcome, or a failure message. */
    const attempt = async (
      spec: MethodSpec,
      how: 'call' | 'tree',
      send: () => PromiseLike<{ result: unknown }>,
    ): Promise<Outcome> => {
      const real = realMethods.has(spec.name.toLowerCase())
      const where = `${spec.name} (${how}, ${real ? 'real' : 'docs example'})`
      try {
        const response = await send()
        const problem = shapeProblem(spec.result, response.result)
        if (problem === undefined || (real && LIST_WITHOUT_FILTER.has(spec.name) && Array.isArray(response.result))) {
          return 'ok'
        }
        failures.push(`${where}: ${problem}`)
      } catch (error) {
        if (
          real &&
          error instanceof BitrixAPIError &&
          !(error instanceof BitrixAPIAuthError) &&
          error.status >= 400 &&
          error.status < 500 &&
          isDocumentedError(error)
        ) {
          return 'domainError'
        }
        const detail =
          error instanceof BitrixAPIError ? `${error.status} "${error.error}": ${error.errorDescription}` : error
        failures.push(`${where}: ${String(detail)}`)
      }
      return 'failed'
    }

    const sweep = async (spec: MethodSpec): Promise<Outcome> => {
      const params = paramsOf(spec.params)
      const outcomes = [await attempt(spec, 'call', () => client.call(spec.name, params))]
      if (!CLIENT_MEMBERS.has(spec.name.split('.')[0])) {
        const node = treeNode(client, spec.name)
        if (typeof node !== 'function') {
          failures.push(`${spec.name}: not a function on the client tree (${typeof node})`)
          return 'failed'
        }
        outcomes.push(
          await attempt(spec, 'tree', () => (node as (p: object) => PromiseLike<{ result: unknown }>)(params)),
        )
      }
      // The worst of the two: a failure, else the reason a call did not simply succeed.
      const order: Outcome[] = ['failed', 'domainError', 'ok']
      return order.find((outcome) => outcomes.includes(outcome)) ?? 'ok'
    }

    // Deletions last, so that the other calls still find the seeded rows with ID 1.
    const isDeletion = (spec: MethodSpec) => /delete/i.test(spec.name.slice(spec.name.lastIndexOf('.') + 1))
    const outcomes = new Map<MethodSpec, Outcome>()
    for (const phase of [v2Specs.filter((spec) => !isDeletion(spec)), v2Specs.filter(isDeletion)]) {
      const results = await mapLimit(phase, 16, sweep)
      for (const [index, spec] of phase.entries()) outcomes.set(spec, results[index])
    }

    const count = (outcome: Outcome, real?: boolean) =>
      [...outcomes].filter(
        ([spec, o]) => o === outcome && (real === undefined || realMethods.has(spec.name.toLowerCase()) === real),
      ).length
    // What answered each method, as the emulator recorded it: portal state, a handler, or a docs example.
    const answeredBy = new Map<string, Set<string>>()
    for (const call of emu.received) {
      const name = call.method.toLowerCase()
      if (!answeredBy.has(name)) answeredBy.set(name, new Set())
      answeredBy.get(name)?.add(call.answeredBy ?? 'refused')
    }
    const methodsAnsweredBy = (source: string) =>
      v2Specs.filter((spec) => answeredBy.get(spec.name.toLowerCase())?.has(source)).length
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.log(
      `catalogue sweep: ${outcomes.size} REST v2 methods swept (${specs.length - v2Specs.length} REST 3.0 records ` +
        `skipped) in ${seconds} s. Answered from state: ${methodsAnsweredBy('state')} methods; from handlers: ` +
        `${methodsAnsweredBy('handler')}; from docs examples: ${methodsAnsweredBy('example')} (stats.canned ` +
        `${emu.stats.canned} calls). Outcomes: real ${count('ok', true)} ok, ${count('domainError')} documented ` +
        `domain error; docs example ${count('ok', false)} ok; ${count('failed')} failed`,
    )
    expect(failures).toEqual([])
    expect(count('ok', false) + count('ok', true)).toBeGreaterThan(v2Specs.length * 0.9)
    // Every method was answered by exactly one kind of source, and the two counts agree with the method table.
    expect(methodsAnsweredBy('state')).toBe(v2Specs.filter((spec) => realMethods.has(spec.name.toLowerCase())).length)
    expect(methodsAnsweredBy('state') + methodsAnsweredBy('handler') + methodsAnsweredBy('example')).toBe(
      v2Specs.length,
    )
  }, 60_000)

  it('answers no docs example with default options: every method without state fails loudly', async () => {
    const plain = await startEmulator({ plan: 'off', realDelays: false, randomSeed: 1 })
    try {
      const direct = new Client(oauthToken(plain).token, { defaultMaxRetries: 0, limiter: false })
      const codes = await mapLimit(
        v2Specs.filter((spec) => !realMethods.has(spec.name.toLowerCase())),
        16,
        (spec) =>
          direct.call(spec.name, paramsOf(spec.params)).then(
            () => `${spec.name}: answered`,
            (error: unknown) => (error instanceof BitrixAPIError ? error.error : String(error)),
          ),
      )
      expect(codes.filter((code) => code !== 'EMULATOR_NOT_IMPLEMENTED')).toEqual([])
      const stats = plain.stats
      expect(stats.canned).toBe(0)
      expect(stats.answers.example).toBe(0)
    } finally {
      await plain.close()
    }
  }, 60_000)
})
