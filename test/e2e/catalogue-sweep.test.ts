/**
 * Calls every catalogued method through the client against the emulator and checks each response against the
 * declared result shape. Every REST v2 record of spec/methods.json is called twice, through `client.call(name)`
 * and through the method tree (`client.crm.deal.get`), with minimal parameters built from its required
 * parameters and with argument validation on, so the parameters must also pass the SDK's own validator.
 *
 * REST 3.0-only records are skipped: the emulator does not emulate `/rest/api/` (docs/emulator.md).
 * Methods the emulator implements for real may answer a documented domain error for the made-up parameters
 * (`NOT_FOUND` for ID 1 of an entity); methods answered from the docs' example must not fail at all.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixAPIAuthError, BitrixAPIError, BitrixValidationError } from '../../src/errors/index.js'
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
}

const specs = JSON.parse(readFileSync(new URL('../../spec/methods.json', import.meta.url), 'utf8')) as MethodSpec[]
const v2Specs = specs.filter((spec) => spec.version !== 3)

/**
 * Records whose documented parameters the SDK's validator rejects. The docs give nested required fields as
 * dotted parameter names (`fields.CONTACT_ID` under `fields`); the generated rule table keeps them as flat names,
 * so the validator looks for a literal `"fields.CONTACT_ID"` key and reports it missing when the value is sent
 * nested, as the API wants it. These are still called with the documented (nested) parameters: each must either
 * be rejected with exactly that validation error or, once the SDK is fixed, pass like any other method.
 */
const VALIDATOR_REJECTS_NESTED: Readonly<Record<string, string>> = {
  'crm.company.contact.delete': 'fields.CONTACT_ID',
  'crm.contact.company.delete': 'fields.COMPANY_ID',
  'tasks.flow.Flow.delete': 'flowData.id',
}

/**
 * Error codes that describe the request's data, not the transport or the credentials; each is in the error
 * tables of the docs (e.g. `NOT_FOUND` on crm.deal.get, `ERROR_ARGUMENT` on crm.item.get, `ERROR_CORE` on
 * user.add, `ERROR_EVENT_NOT_FOUND` on event.bind). System errors (`ERROR_METHOD_NOT_FOUND`,
 * `insufficient_scope`, auth, limits, `INTERNAL_SERVER_ERROR`) never count as a legitimate answer here.
 */
const DOMAIN_ERRORS: ReadonlySet<string> = new Set([
  'NOT_FOUND',
  'ERROR_NOT_FOUND',
  'ERROR_ARGUMENT',
  'ERROR_CORE',
  'ERROR_EVENT_NOT_FOUND',
  'ACCESS_DENIED',
  'INVALID_ARG_VALUE',
  'ERROR_WRONG_PARAMETERS',
])

const DATE_TYPES = new Set(['date', 'datetime'])

/** A value the docs' type accepts: integer → 1, string → 'x' (or the first documented value), … */
function sampleOf(param: ParamSpec): unknown {
  const type = param.type.split('|')[0].replace(/\[\]$/, '')
  let value: unknown
  if (param.values?.length && !['object', 'array'].includes(type)) value = param.values[0]
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

type Outcome = 'ok' | 'domainError' | 'knownValidatorIssue'

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

describe('catalogue sweep against the emulator', () => {
  let emu: Emulator
  let client: Client
  let realMethods: ReadonlySet<string>

  beforeAll(async () => {
    // Which names the emulator implements for real: the method table without docs-example mode.
    const plain = await startEmulator({ plan: 'off', docExamples: false })
    try {
      const listed = (await (await fetch(`${plain.webhookUrl}methods?full=1`)).json()) as { result: string[] }
      realMethods = new Set(listed.result.map((name) => name.toLowerCase()))
    } finally {
      await plain.close()
    }
    emu = await startEmulator({ plan: 'off', realDelays: false, randomSeed: 1 })
    // OAuth, because `event.*` methods refuse webhooks (WRONG_AUTH_TYPE).
    client = new Client(oauthToken(emu).token, { defaultMaxRetries: 0, validateArguments: true })
  })

  afterAll(async () => {
    await emu?.close()
  })

  it('answers every REST v2 method in the declared shape, through call() and through the tree', async () => {
    const started = performance.now()
    const failures: string[] = []
    const outcomes = await mapLimit(v2Specs, 16, async (spec): Promise<Outcome | 'failed'> => {
      const params = paramsOf(spec.params)
      const real = realMethods.has(spec.name.toLowerCase())
      const node = treeNode(client, spec.name)
      if (typeof node !== 'function') {
        failures.push(`${spec.name}: not a function on the client tree (${typeof node})`)
        return 'failed'
      }
      const viaTree = node as (params: Record<string, unknown>) => PromiseLike<{ result: unknown }>
      const seen: Outcome[] = []
      for (const [how, send] of [
        ['call', () => client.call(spec.name, params)],
        ['tree', () => viaTree(params)],
      ] as const) {
        try {
          const response = await send()
          const problem = shapeProblem(spec.result, response.result)
          if (problem) failures.push(`${spec.name} (${how}, ${real ? 'real' : 'docs example'}): ${problem}`)
          seen.push('ok')
        } catch (error) {
          const nested = VALIDATOR_REJECTS_NESTED[spec.name]
          if (nested !== undefined && error instanceof BitrixValidationError && error.parameter === nested) {
            seen.push('knownValidatorIssue')
          } else if (
            real &&
            error instanceof BitrixAPIError &&
            !(error instanceof BitrixAPIAuthError) &&
            error.status >= 400 &&
            error.status < 500 &&
            DOMAIN_ERRORS.has(error.error)
          ) {
            seen.push('domainError')
          } else {
            const detail =
              error instanceof BitrixAPIError ? `${error.status} ${error.error}: ${error.errorDescription}` : error
            failures.push(`${spec.name} (${how}, ${real ? 'real' : 'docs example'}): ${String(detail)}`)
            return 'failed'
          }
        }
      }
      return seen.includes('knownValidatorIssue')
        ? 'knownValidatorIssue'
        : seen.includes('domainError')
          ? 'domainError'
          : 'ok'
    })

    const count = (outcome: string, realOnly?: boolean) =>
      outcomes.filter(
        (o, i) =>
          o === outcome && (realOnly === undefined || realMethods.has(v2Specs[i].name.toLowerCase()) === realOnly),
      ).length
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.log(
      `catalogue sweep: ${v2Specs.length} REST v2 methods swept (${specs.length - v2Specs.length} REST 3.0 records ` +
        `skipped), ${count('ok', false)} docs-example ok, ${count('ok', true)} real ok, ` +
        `${count('domainError')} real with a domain error, ${count('knownValidatorIssue')} known validator issue, ` +
        `${failures.length} failures, ${seconds} s`,
    )
    expect(failures).toEqual([])
  }, 60_000)
})
