/**
 * The shape of an event's `data` as a handler sees it: the docs' JSON examples read the way the portal sends
 * them (PHP `http_build_query`, then `parse_str`). Every scalar arrives as text, `null` and empty arrays are not
 * sent at all, objects keyed by IDs (`BOT: { "15010": … }`) are maps. Every key is optional: the examples are not
 * complete and the portal leaves out empty values.
 */
import type { EventPage } from '../parse/event-page.js'

/** The alternatives a value may take; merged across examples. */
export interface Shape {
  string?: true
  array?: Shape
  /** Named keys. */
  object?: Record<string, Shape>
  /** Keys that are IDs. */
  record?: Shape
}

const INTEGER_KEY = /^(0|-?[1-9][0-9]*)$/

export function mergeShapes(a: Shape | undefined, b: Shape | undefined): Shape | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  const out: Shape = {}
  if (a.string || b.string) out.string = true
  const array = mergeShapes(a.array, b.array)
  if (array !== undefined) out.array = array
  const record = mergeShapes(a.record, b.record)
  if (record !== undefined) out.record = record
  if (a.object !== undefined || b.object !== undefined) {
    const keys: Record<string, Shape> = { ...a.object }
    for (const [key, shape] of Object.entries(b.object ?? {})) keys[key] = mergeShapes(keys[key], shape) ?? shape
    out.object = keys
  }
  return out
}

/** The shape of one example value, or undefined for what the portal does not send (null, empty arrays). */
export function shapeOf(value: unknown): Shape | undefined {
  if (value === null || value === undefined) return undefined
  if (typeof value !== 'object') return { string: true }
  const entries = Array.isArray(value)
    ? value.map((item, index) => [String(index), item] as const)
    : Object.entries(value)
  const children = entries
    .map(([key, item]) => [key, shapeOf(item)] as const)
    .filter((entry): entry is readonly [string, Shape] => entry[1] !== undefined)
  if (children.length === 0) return undefined
  const merged = () => children.reduce<Shape | undefined>((all, [, shape]) => mergeShapes(all, shape), undefined)!
  if (Array.isArray(value)) return { array: merged() }
  if (children.every(([key]) => INTEGER_KEY.test(key))) return { record: merged() }
  return { object: Object.fromEntries(children) }
}

export interface EventModel {
  code: string
  /** Type name of its data, e.g. `OnCrmDealAddData`. */
  typeName: string
  doc: string
  title: string
  outdated: boolean
  /** Undefined when the docs give no JSON example: the data is then untyped. */
  data: Shape | undefined
  /** The payloads of the docs' examples. */
  examples: Record<string, unknown>[]
}

/** One model per event code (pages of the same code merged, current pages first), sorted by code. */
export function buildEventModels(pages: readonly EventPage[]): EventModel[] {
  const byCode = new Map<string, EventModel>()
  const ordered = [...pages].sort((a, b) => Number(a.outdated) - Number(b.outdated) || (a.doc < b.doc ? -1 : 1))
  const names = new Set<string>()
  for (const page of ordered) {
    const shape = page.examples.reduce<Shape | undefined>(
      (all, e) => mergeShapes(all, shapeOf(e.payload.data)),
      undefined,
    )
    const known = byCode.get(page.code)
    if (known !== undefined) {
      known.data = mergeShapes(known.data, shape)
      known.examples.push(...page.examples.map((e) => e.payload))
      continue
    }
    let typeName = `${page.stem}Data`
    if (names.has(typeName)) typeName = `${page.stem}${page.code}Data`
    names.add(typeName)
    byCode.set(page.code, {
      code: page.code,
      typeName,
      doc: page.doc,
      title: page.title,
      outdated: page.outdated,
      data: shape,
      examples: page.examples.map((e) => e.payload),
    })
  }
  return [...byCode.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
}
