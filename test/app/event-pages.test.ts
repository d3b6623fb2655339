/**
 * Acceptance (issue 11): every documented event page's example, encoded as the portal sends it (PHP
 * `http_build_query`, committed fixtures from real PHP: scripts/php-fixtures/regenerate.sh), parses into its typed
 * payload — the code is a documented one, the data is what PHP's `parse_str` reads, and it fits the generated type.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  DOCUMENTED_EVENT_CODES,
  type EventDataMap,
  type IncomingEvent,
  isEvent,
  type OnCrmDealAddData,
  parseEvent,
} from '../../src/index.js'

interface Shape {
  string?: true
  array?: Shape
  object?: Record<string, Shape>
  record?: Shape
}
interface Example {
  code: string
  doc: string
  shape: Shape | null
  payload: Record<string, unknown>
}
interface Encoding {
  code: string
  doc: string
  encoded: string
  data: unknown
}

const fixtures = new URL('../fixtures/php/', import.meta.url)
const examples = JSON.parse(readFileSync(new URL('event-examples.json', fixtures), 'utf8')) as Example[]
const encodings = (
  JSON.parse(readFileSync(new URL('event-encodings.json', fixtures), 'utf8')) as { events: Encoding[] }
).events

/** Where `value` does not fit `shape` (the generated type's model), or undefined when it fits. */
function misfit(value: unknown, shape: Shape, path: string): string | undefined {
  if (typeof value === 'string') return shape.string ? undefined : `${path} is text, typed otherwise`
  if (Array.isArray(value)) {
    const element = shape.array ?? shape.record
    if (element === undefined) return `${path} is a list, typed otherwise`
    for (const [index, item] of value.entries()) {
      const inner = misfit(item, element, `${path}[${index}]`)
      if (inner !== undefined) return inner
    }
    return undefined
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const child = shape.object?.[key] ?? shape.record
      if (child === undefined) return `${path}.${key} is not in the type`
      const inner = misfit(item, child, `${path}.${key}`)
      if (inner !== undefined) return inner
    }
    return undefined
  }
  return `${path} is ${typeof value}`
}

describe("the docs' event examples, as the portal posts them", () => {
  it('are all encoded by PHP from the current examples (the fixture is not stale)', () => {
    expect(encodings.map((row) => `${row.code} ${row.doc}`)).toEqual(examples.map((row) => `${row.code} ${row.doc}`))
    expect(examples.length).toBeGreaterThanOrEqual(150)
    expect(DOCUMENTED_EVENT_CODES.length).toBeGreaterThanOrEqual(170)
    expect(new Set(examples.map((row) => row.code)).size).toBeGreaterThanOrEqual(140)
  })

  it('parse into their documented event with the data PHP reads and the generated type describes', () => {
    const failures: string[] = []
    for (const [index, row] of encodings.entries()) {
      const shape = examples[index].shape
      const event = parseEvent(row.encoded)
      const where = `${row.code} (${row.doc})`
      if (event.event !== row.code) failures.push(`${where}: read as ${event.event}`)
      if (!DOCUMENTED_EVENT_CODES.includes(row.code as keyof EventDataMap)) failures.push(`${where}: not documented`)
      const expected = row.data === null || (Array.isArray(row.data) && row.data.length === 0) ? {} : row.data
      try {
        expect(event.data).toEqual(expected)
      } catch {
        failures.push(`${where}: data differs from PHP's parse_str`)
      }
      const fit = shape === null ? 'untyped' : misfit(event.data, shape, 'data')
      if (fit !== undefined && !(shape === null && Object.keys(event.data).length === 0))
        failures.push(`${where}: ${fit}`)
      expect(event.auth.domain).toBe(String((examples[index].payload.auth as Record<string, unknown>).domain))
    }
    expect(failures).toEqual([])
  })

  it('narrow to the typed payload of their code', () => {
    const row = encodings.find((item) => item.code === 'ONCRMDEALADD')
    expect(row).toBeDefined()
    const event: IncomingEvent = parseEvent(row?.encoded ?? '')
    expect(isEvent(event, 'ONCRMDEALADD')).toBe(true)
    expect(isEvent(event, 'ONCRMDEALUPDATE')).toBe(false)
    if (isEvent(event, 'ONCRMDEALADD')) {
      expectTypeOf(event.data).toEqualTypeOf<OnCrmDealAddData>()
      expectTypeOf(event.event).toEqualTypeOf<'ONCRMDEALADD'>()
      expect(event.data.FIELDS?.ID).toMatch(/^\d+$/)
    }
  })
})
