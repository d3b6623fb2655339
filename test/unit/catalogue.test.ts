/**
 * All 1,363 reference names (spec/b24pysdk-methods.txt) and all documented non-deprecated method names are
 * reachable as functions on `Client`: walking a dotted name through a client object gives a function that makes
 * the request for that very name. Nothing is sent (requests are deferred until awaited).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BitrixRequest, BitrixWebhook, Client } from '../../src/index.js'

interface MethodSpec {
  name: string
  version?: number
  deprecated: boolean
  sources: string[]
}

const specs = JSON.parse(readFileSync(new URL('../../spec/methods.json', import.meta.url), 'utf8')) as MethodSpec[]
const referenceNames = readFileSync(new URL('../../spec/b24pysdk-methods.txt', import.meta.url), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '')
const documentedNames = [
  ...new Set(specs.filter((spec) => spec.sources.includes('docs') && !spec.deprecated).map((spec) => spec.name)),
]
const catalogueNames = new Set(specs.map((spec) => spec.name))
const catalogueByLowerName = new Map(specs.map((spec) => [spec.name.toLowerCase(), spec.name]))

/**
 * Roots taken by members of the client itself; names under them are reachable through `client.call(name)`.
 * `call` is not one of them: `client.call` is the generic call and also carries the `call.*` namespace.
 */
const CLIENT_MEMBERS: ReadonlySet<string> = new Set(['on', 'callBatch', 'callBatches', 'credentials'])

/**
 * Reference names spelled in another case than the documentation (`disk.file.copyto` vs `disk.file.copyTo`).
 * The server matches names case-insensitively, but the client tree holds the catalogue's spelling only, so the
 * reference spelling is not a property of the client. For these the test requires the catalogue spelling on the
 * tree and the reference spelling through `client.call`; a tree that also answers the reference spelling passes.
 */
const CASE_VARIANTS: ReadonlyMap<string, string> = new Map(
  referenceNames
    .filter((name) => !catalogueNames.has(name) && catalogueByLowerName.has(name.toLowerCase()))
    .map((name) => [name, catalogueByLowerName.get(name.toLowerCase()) as string]),
)

function newClient(): Client {
  return new Client(new BitrixWebhook({ domain: 'example.bitrix24.com', authToken: '1/abc' }))
}

/** Walks a dotted name through the client object. */
function walk(client: Client, name: string): unknown {
  let node: unknown = client
  for (const part of name.split('.')) {
    if ((typeof node !== 'object' && typeof node !== 'function') || node === null) return undefined
    node = (node as Record<string, unknown>)[part]
  }
  return node
}

type Invoke = (params?: Record<string, unknown>) => unknown

/**
 * Reasons `name` is not reachable on `client`, or an empty list. `anyCase`: the request may carry the name in
 * another case (a reference spelling answered by the catalogue's spelling).
 */
function unreachable(client: Client, name: string, anyCase = false): string[] {
  const root = name.split('.')[0]
  if (CLIENT_MEMBERS.has(root)) {
    // The root is a client member (`client.call` is the method, not the `call.*` namespace): use call(name).
    const request = client.call(name, { probe: 1 })
    if (!(request instanceof BitrixRequest) || request.method !== name) return [`${name}: client.call(name) failed`]
    return []
  }
  const node = walk(client, name)
  if (typeof node !== 'function') return [`${name}: ${typeof node} on the client tree`]
  const request = (node as Invoke)({ probe: 1 })
  if (!(request instanceof BitrixRequest)) return [`${name}: the tree function did not return a BitrixRequest`]
  const sameName = anyCase ? request.method.toLowerCase() === name.toLowerCase() : request.method === name
  if (!sameName || request.params.probe !== 1) {
    return [`${name}: the tree function requests ${request.method}`]
  }
  return []
}

describe('the client reaches every catalogued method', () => {
  it('reads the reference list and the catalogue', () => {
    expect(referenceNames).toHaveLength(1363)
    expect(new Set(referenceNames).size).toBe(1363)
    expect(documentedNames.length).toBeGreaterThan(1300)
  })

  it('reaches every reference name (B24PySDK) as a function', () => {
    const client = newClient()
    const problems = referenceNames.flatMap((name) => {
      const canonical = CASE_VARIANTS.get(name)
      if (canonical === undefined) return unreachable(client, name)
      // Reachable on the tree in either spelling; the reference spelling always through call().
      if (typeof walk(client, name) === 'function') return unreachable(client, name, true)
      const viaCall = client.call(name)
      return [
        ...unreachable(client, canonical),
        ...(viaCall instanceof BitrixRequest && viaCall.method === name ? [] : [`${name}: client.call(name) failed`]),
      ]
    })
    expect(problems).toEqual([])
  })

  it('reaches every documented, non-deprecated name as a function', () => {
    const client = newClient()
    expect(documentedNames.flatMap((name) => unreachable(client, name))).toEqual([])
  })

  it('reaches call.* both through the tree under client.call and through client.call(name)', () => {
    const client = newClient()
    const underCall = documentedNames.filter((name) => name.startsWith('call.'))
    expect(underCall).toEqual(expect.arrayContaining(['call.followup.get', 'call.followup.list']))
    for (const name of underCall) {
      expect(unreachable(client, name)).toEqual([])
      const request = client.call(name, { id: 1 })
      expect(request).toBeInstanceOf(BitrixRequest)
      expect(request.method).toBe(name)
      expect(request.params).toEqual({ id: 1 })
    }
  })

  it("carries the docs' parameter descriptions into the catalogue", () => {
    const add = specs.find((spec) => spec.name === 'crm.deal.add') as MethodSpec & {
      params: Array<{ name: string; fields?: Array<{ name: string; description?: string }> }>
    }
    const title = add.params.find((param) => param.name === 'fields')?.fields?.find((field) => field.name === 'TITLE')
    expect(title?.description).toMatch(/title/i)
  })

  it('makes a name that is both a method and a prefix callable and a namespace', () => {
    const client = newClient()
    const names = [...catalogueNames]
    const both = names.filter(
      (name) => !CLIENT_MEMBERS.has(name.split('.')[0]) && names.some((other) => other.startsWith(`${name}.`)),
    )
    expect(both).toContain('crm.automation.trigger')
    for (const name of both) {
      const node = walk(client, name) as Invoke & Record<string, unknown>
      expect(typeof node, name).toBe('function')
      expect((node({}) as BitrixRequest).method, name).toBe(name)
      const children = names
        .filter((other) => other.startsWith(`${name}.`))
        .map((other) => other.slice(name.length + 1).split('.')[0])
      for (const child of children) {
        expect(child in node, `${name}.${child}`).toBe(true)
        expect(typeof node[child], `${name}.${child}`).toBe('function')
      }
    }
    const trigger = walk(client, 'crm.automation.trigger') as Invoke & Record<string, Invoke>
    expect((trigger.list() as BitrixRequest).method).toBe('crm.automation.trigger.list')
    expect((trigger({ CODE: 'x' }) as BitrixRequest).method).toBe('crm.automation.trigger')
  })

  it('has nothing for names outside the catalogue', () => {
    const client = newClient() as unknown as Record<string, Record<string, unknown> | undefined>
    expect(client.crm?.nope).toBeUndefined()
    expect(walk(client as unknown as Client, 'crm.deal.nope')).toBeUndefined()
    expect(walk(client as unknown as Client, 'crm.deal.get.nope')).toBeUndefined()
    expect(client.nope).toBeUndefined()
    expect('nope' in (client.crm as object)).toBe(false)
  })
})
