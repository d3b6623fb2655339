/**
 * Filter / order / paging engine shared by every list method. Filters use Bitrix key prefixes (`>=ID`, `%TITLE`,
 * `!@STAGE_ID`, …). Execution is lazy: conditions read single fields through the table (seeded rows are never
 * materialised), ID conditions become an ID range so keyset pages touch only the rows they return, and sorted
 * queries keep only the best `offset + limit` rows in a bounded heap.
 */

import type { CostModel } from '../kernel.js'
import type { Table } from './table.js'
import { isRecord, parseDate, toList, toNumber, truthy } from './util.js'

/** How a field's stored value compares. */
export type ValueKind = 'number' | 'string' | 'flag' | 'date' | 'bool' | 'numbers' | 'strings' | 'multifield'

export type FilterOp =
  | '='
  | '!='
  | '@'
  | '!@'
  | '>'
  | '>='
  | '<'
  | '<='
  | '%'
  | '!%'
  | 'like'
  | '!like'
  | '><'
  | '!><'
  | '?'

export interface Condition {
  field: string
  op: FilterOp
  value: unknown
}

export interface FilterGroup {
  or: boolean
  items: FilterNode[]
}

export type FilterNode = Condition | FilterGroup

export function isGroup(node: FilterNode): node is FilterGroup {
  return 'items' in node
}

const PREFIXES: Record<string, FilterOp> = {
  '': '=',
  '=': '=',
  '!': '!=',
  '!=': '!=',
  '@': '@',
  '!@': '!@',
  '>': '>',
  '>=': '>=',
  '<': '<',
  '<=': '<=',
  '%': '%',
  '!%': '!%',
  '=%': 'like',
  '%=': 'like',
  '!=%': '!like',
  '!%=': '!like',
  '><': '><',
  '!><': '!><',
  '?': '?',
}

/** Splits `>=OPPORTUNITY` into `{ op: '>=', name: 'OPPORTUNITY' }`; `op` is `null` for an unknown prefix. */
export function splitFilterKey(key: string): { op: FilterOp | null; prefix: string; name: string } {
  const m = /^([!<>=@%?]*)(.*)$/s.exec(key)
  const prefix = m ? m[1] : ''
  const name = m ? m[2] : key
  return { op: PREFIXES[prefix] ?? null, prefix, name }
}

export interface FilterDialect {
  /** Canonical field name for a client-side name, or `null` if unknown. */
  resolve(name: string): string | null
  /** What to do with an unknown field or operator (default: ignore the condition, as legacy methods do). */
  onUnknown?: (name: string, key: string) => void
  /** Nested groups with `logic: OR|AND` (ORM filters); legacy filters are flat. */
  nested?: boolean
}

/** Parses a client filter object into a condition tree. */
export function parseFilter(raw: unknown, dialect: FilterDialect): FilterGroup {
  const group: FilterGroup = { or: false, items: [] }
  if (!raw || typeof raw !== 'object') return group
  const entries = Array.isArray(raw) ? raw.map((v, i) => [String(i), v] as const) : Object.entries(raw)
  for (const [key, value] of entries) {
    if (dialect.nested && key.toLowerCase() === 'logic') {
      group.or = String(value).toUpperCase() === 'OR'
      continue
    }
    if (dialect.nested && isRecord(value) && (/^\d+$/.test(key) || Array.isArray(raw))) {
      group.items.push(parseFilter(value, dialect))
      continue
    }
    if (dialect.nested && Array.isArray(value) && /^\d+$/.test(key) && value.every((v) => isRecord(v))) {
      group.items.push({ or: false, items: value.map((v) => parseFilter(v, dialect)) })
      continue
    }
    const { op, name } = splitFilterKey(key)
    const field = op === null ? null : dialect.resolve(name)
    if (op === null || field === null) {
      dialect.onUnknown?.(name, key)
      continue
    }
    group.items.push({ field, op, value })
  }
  return group
}

// ---------------------------------------------------------------------------------------------------------------
// Condition compilation

type Test = (stored: unknown) => boolean

const EMPTY = Symbol('empty')
const INVALID = Symbol('invalid')
type Operand = number | string | boolean | typeof EMPTY | typeof INVALID

function isEmptyInput(v: unknown): boolean {
  return v === null || v === undefined || v === '' || v === false
}

function normalizeOperand(kind: ValueKind, v: unknown, offset: number): Operand {
  if (kind === 'bool') return v === null || v === undefined || v === '' ? EMPTY : truthy(v)
  if (kind === 'flag') {
    if (v === null || v === undefined || v === '') return EMPTY
    if (typeof v === 'boolean' || typeof v === 'number') return v ? 'y' : 'n'
    const s = String(v).trim().toLowerCase()
    if (s === 'true' || s === '1') return 'y'
    if (s === 'false' || s === '0') return 'n'
    return s
  }
  if (isEmptyInput(v)) return EMPTY
  if (kind === 'number' || kind === 'numbers') return toNumber(v) ?? INVALID
  if (kind === 'date') return parseDate(v, offset) ?? INVALID
  if (typeof v === 'object') return INVALID
  return String(v).toLowerCase()
}

function storedScalars(kind: ValueKind, stored: unknown): unknown[] {
  if (kind === 'multifield') {
    return Array.isArray(stored) ? stored.map((m) => (isRecord(m) ? m.value : undefined)) : []
  }
  if (kind === 'numbers' || kind === 'strings') return Array.isArray(stored) ? stored : []
  return [stored]
}

function isEmptyStored(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)
}

function comparable(kind: ValueKind, v: unknown): number | string | boolean | null {
  if (v === null || v === undefined) return null
  if (kind === 'bool') return Boolean(v)
  if (typeof v === 'number') return v
  if (kind === 'number' || kind === 'numbers' || kind === 'date') {
    const n = toNumber(v)
    return n
  }
  return String(v).toLowerCase()
}

function likeRegex(pattern: string): RegExp {
  let re = ''
  for (const ch of pattern) {
    if (ch === '%') re += '[\\s\\S]*'
    else if (ch === '_') re += '[\\s\\S]'
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`, 'i')
}

function compileCondition(kind: ValueKind, op: FilterOp, value: unknown, offset: number): Test {
  const multi = kind === 'numbers' || kind === 'strings' || kind === 'multifield'
  const scalarKind: ValueKind = kind === 'numbers' ? 'number' : multi ? 'string' : kind
  const any =
    (pred: (x: unknown) => boolean): Test =>
    (stored) => {
      if (!multi) return pred(stored)
      for (const x of storedScalars(kind, stored)) if (pred(x)) return true
      return false
    }
  const not =
    (t: Test): Test =>
    (stored) =>
      !t(stored)

  const eqOne = (operand: Operand): ((x: unknown) => boolean) => {
    if (operand === EMPTY) return (x) => isEmptyStored(x) || (scalarKind === 'bool' && x === false)
    if (operand === INVALID) return () => false
    return (x) => comparable(scalarKind, x) === operand
  }
  const inList = (list: unknown[]): Test => {
    const operands = list.map((v) => normalizeOperand(scalarKind, v, offset))
    const hasEmpty = operands.includes(EMPTY)
    const set = new Set(operands.filter((o) => o !== EMPTY && o !== INVALID))
    const scalarTest = (x: unknown): boolean => {
      if (isEmptyStored(x)) return hasEmpty
      return set.has(comparable(scalarKind, x) as never)
    }
    return multi ? (s) => (isEmptyStored(s) ? hasEmpty : any(scalarTest)(s)) : scalarTest
  }
  const eq = (v: unknown): Test => {
    if (Array.isArray(v) || isRecord(v)) return inList(toList(v))
    const operand = normalizeOperand(scalarKind, v, offset)
    if (multi && operand === EMPTY) return (s) => isEmptyStored(s)
    return any(eqOne(operand))
  }
  const cmp = (v: unknown, pass: (c: number) => boolean): Test => {
    const operand = normalizeOperand(scalarKind, Array.isArray(v) ? v[0] : v, offset)
    if (operand === EMPTY || operand === INVALID) return () => false
    return any((x) => {
      const c = comparable(scalarKind, x)
      if (c === null) return false
      return pass(c < operand ? -1 : c > operand ? 1 : 0)
    })
  }
  const contains = (v: unknown): Test => {
    const needles = toList(v).map((x) => String(x ?? '').toLowerCase())
    return any((x) => {
      if (x === null || x === undefined) return false
      const hay = String(x).toLowerCase()
      return needles.some((n) => hay.includes(n))
    })
  }
  const like = (v: unknown): Test => {
    const regexes = toList(v).map((x) => likeRegex(String(x ?? '')))
    return any((x) => x !== null && x !== undefined && regexes.some((r) => r.test(String(x))))
  }
  const between = (v: unknown): Test => {
    const [a, b] = toList(v)
    const lo = normalizeOperand(scalarKind, a, offset)
    const hi = normalizeOperand(scalarKind, b, offset)
    if (lo === EMPTY || lo === INVALID || hi === EMPTY || hi === INVALID) return () => false
    return any((x) => {
      const c = comparable(scalarKind, x)
      return c !== null && c >= lo && c <= hi
    })
  }

  switch (op) {
    case '=':
      return eq(value)
    case '!=':
      return not(eq(value))
    case '@':
      return inList(toList(value))
    case '!@':
      return not(inList(toList(value)))
    case '>':
      return cmp(value, (c) => c > 0)
    case '>=':
      return cmp(value, (c) => c >= 0)
    case '<':
      return cmp(value, (c) => c < 0)
    case '<=':
      return cmp(value, (c) => c <= 0)
    case '%':
    case '?':
      return contains(value)
    case '!%':
      return not(contains(value))
    case 'like':
      return like(value)
    case '!like':
      return not(like(value))
    case '><':
      return between(value)
    case '!><':
      return not(between(value))
  }
}

export type Predicate = (id: number) => boolean

/** Compiles a condition tree into a row predicate; `null` when it accepts every row. */
export function compileFilter(
  table: Table,
  kindOf: (field: string) => ValueKind,
  group: FilterGroup,
  offsetMinutes: number,
): Predicate | null {
  const parts: Predicate[] = []
  for (const item of group.items) {
    if (isGroup(item)) {
      const p = compileFilter(table, kindOf, item, offsetMinutes)
      if (p === null) {
        if (group.or) return null
        continue
      }
      parts.push(p)
    } else {
      const test = compileCondition(kindOf(item.field), item.op, item.value, offsetMinutes)
      const field = item.field
      parts.push((id) => test(table.value(id, field)))
    }
  }
  if (parts.length === 0) return group.or && group.items.length > 0 ? () => false : null
  if (parts.length === 1) return parts[0]
  if (group.or) return (id) => parts.some((p) => p(id))
  return (id) => parts.every((p) => p(id))
}

// ---------------------------------------------------------------------------------------------------------------
// Query execution

export interface OrderKey {
  field: string
  desc: boolean
}

export interface QuerySpec {
  table: Table
  kindOf: (field: string) => ValueKind
  /** Canonical name of the integer primary key. */
  idField: string
  filter: FilterGroup
  order: OrderKey[]
  /** Direction when no order is given (ID ascending unless set). */
  defaultDesc?: boolean
  offset: number
  limit: number
  /** Whether the total number of matches is needed (false for `start=-1`). */
  count: boolean
  /** Portal UTC offset in minutes, for date operands without an offset. */
  tzOffset: number
}

export interface QueryResult {
  ids: number[]
  /** Matching rows (0 when not counted). */
  total: number
  /** Live rows inside the ID range the filter allows (what a COUNT or a sort must examine). */
  rangeSize: number
  /** Rows actually visited. */
  scanned: number
  /** Whether the query had to examine the whole range (count, sort or selective filter). */
  fullScan: boolean
}

interface IdBounds {
  lo: number
  hi: number
  set: number[] | null
}

function extractIdBounds(spec: QuerySpec): { bounds: IdBounds; rest: FilterGroup } {
  const bounds: IdBounds = { lo: 1, hi: Number.POSITIVE_INFINITY, set: null }
  if (spec.filter.or) return { bounds, rest: spec.filter }
  const rest: FilterGroup = { or: false, items: [] }
  for (const item of spec.filter.items) {
    if (isGroup(item) || item.field !== spec.idField) {
      rest.items.push(item)
      continue
    }
    const { op, value } = item
    const list = Array.isArray(value) || isRecord(value)
    if ((op === '@' || (op === '=' && list)) && (list || op === '@')) {
      const ids = toList(value)
        .map((v) => toNumber(v))
        .filter((n): n is number => n !== null && Number.isInteger(n))
      const next = new Set(ids)
      bounds.set = bounds.set === null ? [...next] : bounds.set.filter((id) => next.has(id))
      continue
    }
    if (list) {
      rest.items.push(item)
      continue
    }
    const n = toNumber(value)
    if (n === null) {
      rest.items.push(item)
      continue
    }
    switch (op) {
      case '=':
        bounds.lo = Math.max(bounds.lo, n)
        bounds.hi = Math.min(bounds.hi, n)
        break
      case '>':
        bounds.lo = Math.max(bounds.lo, Math.floor(n) + 1)
        break
      case '>=':
        bounds.lo = Math.max(bounds.lo, Math.ceil(n))
        break
      case '<':
        bounds.hi = Math.min(bounds.hi, Math.ceil(n) - 1)
        break
      case '<=':
        bounds.hi = Math.min(bounds.hi, Math.floor(n))
        break
      default:
        rest.items.push(item)
    }
  }
  if (bounds.set !== null) {
    bounds.set = [...new Set(bounds.set)].filter((id) => id >= bounds.lo && id <= bounds.hi).sort((a, b) => a - b)
  }
  return { bounds, rest }
}

type Key = number | string | null

function sortKey(kind: ValueKind, v: unknown): Key {
  if (Array.isArray(v)) v = kind === 'multifield' ? (isRecord(v[0]) ? v[0].value : null) : v[0]
  if (v === null || v === undefined) return null
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  if (kind === 'number' || kind === 'numbers' || kind === 'date') return toNumber(v)
  return String(v).toLowerCase()
}

function compareKey(a: Key, b: Key): number {
  if (a === b) return 0
  if (a === null) return -1
  if (b === null) return 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** Above this many kept rows a full sort beats the bounded heap. */
const HEAP_LIMIT = 100_000

interface HeapEntry {
  id: number
  keys: Key[]
}

/** Runs a list query and returns the IDs of one page plus counting/cost information. */
export function runQuery(spec: QuerySpec): QueryResult {
  const { table } = spec
  const { bounds, rest } = extractIdBounds(spec)
  const predicate = compileFilter(table, spec.kindOf, rest, spec.tzOffset)
  const offset = Math.max(0, spec.offset)
  const limit = spec.limit
  const order = spec.order
  const rangeSize = bounds.set
    ? bounds.set.filter((id) => table.has(id)).length
    : table.countRange(bounds.lo, bounds.hi)
  let scanned = 0
  let matched = 0

  const visit = (descending: boolean, fn: (id: number) => boolean | undefined): void => {
    if (bounds.set) {
      const ids = descending ? [...bounds.set].reverse() : bounds.set
      for (const id of ids) if (table.has(id) && fn(id) === false) return
    } else {
      table.forEachId(bounds.lo, bounds.hi, descending, fn)
    }
  }

  if (order.length === 0 || order[0].field === spec.idField) {
    const descending = order.length === 0 ? spec.defaultDesc === true : order[0].desc
    const ids: number[] = []
    const countByScan = spec.count && predicate !== null
    visit(descending, (id) => {
      scanned++
      if (predicate !== null && !predicate(id)) return true
      if (matched >= offset && ids.length < limit) ids.push(id)
      matched++
      return countByScan || ids.length < limit
    })
    const total = !spec.count ? 0 : countByScan ? matched : rangeSize
    return { ids, total, rangeSize, scanned, fullScan: spec.count }
  }

  // Sorted by other columns: every match must be examined. A page past the middle of an unfiltered range is read
  // from the other end (same rows, reversed), so deep offsets cost as much as shallow ones.
  const mirrored = predicate === null && offset > rangeSize / 2 && offset + limit > HEAP_LIMIT
  const pageOffset = mirrored ? Math.max(0, rangeSize - offset - limit) : offset
  const pageLimit = mirrored ? Math.max(0, Math.min(limit, rangeSize - offset)) : limit
  const sorted = sortedIds(spec, order, mirrored, pageOffset, pageLimit, (fn) =>
    visit(false, (id) => {
      scanned++
      if (predicate !== null && !predicate(id)) return true
      matched++
      fn(id)
      return true
    }),
  )
  return {
    ids: mirrored ? sorted.reverse() : sorted,
    total: spec.count ? matched : 0,
    rangeSize,
    scanned,
    fullScan: true,
  }
}

/** One page of IDs in `order` (reversed when `flip`), fed by `feed` with every matching ID. */
function sortedIds(
  spec: QuerySpec,
  order: OrderKey[],
  flip: boolean,
  offset: number,
  limit: number,
  feed: (fn: (id: number) => void) => void,
): number[] {
  const { table } = spec
  const kinds = order.map((o) => spec.kindOf(o.field))
  const signs = order.map((o) => (o.desc !== flip ? -1 : 1))
  const tie = flip ? -1 : 1
  const fields = order.map((o) => o.field)
  const keyOf = (id: number, i: number): Key => sortKey(kinds[i], table.value(id, fields[i]))
  const k = offset + limit
  if (k === 0) {
    feed(() => {})
    return []
  }

  if (k > HEAP_LIMIT) {
    // Deep pages: keep the sort keys of every match and sort an index (cheaper than a huge heap).
    const ids: number[] = []
    const keys: Key[][] = order.map(() => [])
    feed((id) => {
      ids.push(id)
      for (let i = 0; i < fields.length; i++) keys[i].push(keyOf(id, i))
    })
    const index = new Uint32Array(ids.length)
    for (let i = 0; i < index.length; i++) index[i] = i
    index.sort((a, b) => {
      for (let i = 0; i < keys.length; i++) {
        const c = compareKey(keys[i][a], keys[i][b])
        if (c !== 0) return c * signs[i]
      }
      return (ids[a] - ids[b]) * tie
    })
    return Array.from(index.subarray(offset, offset + limit), (i) => ids[i])
  }

  // Shallow pages: a bounded max-heap of the best k rows (heap[0] is the worst kept row).
  const compare = (a: HeapEntry, b: HeapEntry): number => {
    for (let i = 0; i < a.keys.length; i++) {
      const c = compareKey(a.keys[i], b.keys[i])
      if (c !== 0) return c * signs[i]
    }
    return (a.id - b.id) * tie
  }
  const heap: HeapEntry[] = []
  const swap = (i: number, j: number): void => {
    const t = heap[i]
    heap[i] = heap[j]
    heap[j] = t
  }
  const siftUp = (i: number): void => {
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (compare(heap[i], heap[parent]) <= 0) break
      swap(i, parent)
      i = parent
    }
  }
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let worst = i
      if (l < heap.length && compare(heap[l], heap[worst]) > 0) worst = l
      if (r < heap.length && compare(heap[r], heap[worst]) > 0) worst = r
      if (worst === i) return
      swap(i, worst)
      i = worst
    }
  }
  const probe: HeapEntry = { id: 0, keys: new Array<Key>(order.length) }
  feed((id) => {
    probe.id = id
    for (let i = 0; i < fields.length; i++) probe.keys[i] = keyOf(id, i)
    if (heap.length < k) {
      heap.push({ id, keys: [...probe.keys] })
      siftUp(heap.length - 1)
    } else if (compare(probe, heap[0]) < 0) {
      heap[0] = { id, keys: [...probe.keys] }
      siftDown(0)
    }
  })
  heap.sort(compare)
  return heap.slice(offset, offset + limit).map((e) => e.id)
}

/**
 * Simulated server time of a list call: a base cost, a scan/COUNT cost proportional to the rows the database must
 * examine (the whole filtered ID range for counts and sorts, only the visited rows for keyset reads), an OFFSET
 * cost, and a per-row cost. An OFFSET skips at most the rows there are: `start=9007199254740993` on 1,000 rows
 * costs what skipping 1,000 rows costs, not 9e15 rows' worth.
 */
export function listCost(costs: CostModel, result: QueryResult, offset: number): number {
  const examined = result.fullScan ? Math.max(result.rangeSize, result.scanned) : result.scanned
  const skipped = Math.min(Math.max(0, offset), Math.max(result.rangeSize, result.scanned))
  return (
    costs.base +
    (costs.countPerThousandRows * examined) / 1000 +
    (costs.offsetPerThousandRows * skipped) / 1000 +
    costs.perRow * result.ids.length
  )
}
