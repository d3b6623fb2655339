import { describe, expect, it } from 'vitest'
import { DEFAULT_COST_MODEL } from '../../src/emulator/kernel.js'
import { listCost, parseFilter, runQuery, splitFilterKey, type ValueKind } from '../../src/emulator/methods/query.js'
import { Table } from '../../src/emulator/methods/table.js'
import { parseDate } from '../../src/emulator/methods/util.js'

const NAMES = ['alpha', 'Beta', 'gamma', 'delta_x', null, 'Alphabet']
const DAY = 86400
const BASE = Date.UTC(2024, 0, 1) / 1000

/** 100 rows: NAME cycles through NAMES, AMOUNT = id * 10, FLAG Y on odd IDs, DATE = 2024-01-01 + id days. */
function makeTable(size = 100): Table {
  return new Table(
    size,
    (id, field) => {
      switch (field) {
        case 'ID':
          return id
        case 'NAME':
          return NAMES[id % NAMES.length]
        case 'AMOUNT':
          return id * 10
        case 'FLAG':
          return id % 2 === 1 ? 'Y' : 'N'
        case 'DATE':
          return BASE + id * DAY
        case 'TAGS':
          return id % 7 === 0 ? [] : [id % 3, 10 + (id % 5)]
        default:
          return null
      }
    },
    ['ID', 'NAME', 'AMOUNT', 'FLAG', 'DATE', 'TAGS'],
  )
}

const KINDS: Record<string, ValueKind> = {
  ID: 'number',
  NAME: 'string',
  AMOUNT: 'number',
  FLAG: 'flag',
  DATE: 'date',
  TAGS: 'numbers',
}

function ids(table: Table, filter: unknown, opts: { order?: [string, boolean][]; nested?: boolean } = {}): number[] {
  const result = runQuery({
    table,
    kindOf: (f) => KINDS[f],
    idField: 'ID',
    filter: parseFilter(filter, { resolve: (n) => (n in KINDS ? n : null), nested: opts.nested }),
    order: (opts.order ?? []).map(([field, desc]) => ({ field, desc })),
    offset: 0,
    limit: 1000,
    count: true,
    tzOffset: 0,
  })
  return result.ids
}

function brute(table: Table, pred: (id: number) => boolean): number[] {
  const out: number[] = []
  for (let id = 1; id <= table.maxId; id++) if (table.has(id) && pred(id)) out.push(id)
  return out
}

describe('filter key prefixes', () => {
  it.each([
    ['ID', '=', 'ID'],
    ['=ID', '=', 'ID'],
    ['!ID', '!=', 'ID'],
    ['!=ID', '!=', 'ID'],
    ['>ID', '>', 'ID'],
    ['>=ID', '>=', 'ID'],
    ['<ID', '<', 'ID'],
    ['<=ID', '<=', 'ID'],
    ['@ID', '@', 'ID'],
    ['!@ID', '!@', 'ID'],
    ['%TITLE', '%', 'TITLE'],
    ['!%TITLE', '!%', 'TITLE'],
    ['=%TITLE', 'like', 'TITLE'],
    ['%=TITLE', 'like', 'TITLE'],
    ['!=%TITLE', '!like', 'TITLE'],
    ['!%=TITLE', '!like', 'TITLE'],
    ['><DATE', '><', 'DATE'],
    ['!><DATE', '!><', 'DATE'],
  ])('%s → %s %s', (key, op, name) => {
    expect(splitFilterKey(key)).toMatchObject({ op, name })
  })

  it('reports unknown prefixes', () => {
    expect(splitFilterKey('=>ID').op).toBeNull()
  })
})

describe('filter operators', () => {
  const t = makeTable()
  const name = (id: number): string | null => NAMES[id % NAMES.length]

  it('= (default) and = with an array (IN)', () => {
    expect(ids(t, { AMOUNT: 50 })).toEqual([5])
    expect(ids(t, { '=AMOUNT': '50' })).toEqual([5])
    expect(ids(t, { ID: [3, 4, 500] })).toEqual([3, 4])
  })

  it('string equality is case-insensitive', () => {
    expect(ids(t, { NAME: 'BETA' })).toEqual(brute(t, (id) => name(id) === 'Beta'))
  })

  it('! and != (not equal; nulls count as not equal)', () => {
    expect(ids(t, { '!NAME': 'alpha' })).toEqual(brute(t, (id) => name(id) !== 'alpha'))
    expect(ids(t, { '!=AMOUNT': 10 })).toEqual(brute(t, (id) => id !== 1))
    expect(ids(t, { '!ID': [1, 2, 3] })[0]).toBe(4)
  })

  it('> >= < <= on numbers, including numeric strings', () => {
    expect(ids(t, { '>AMOUNT': 950 })).toEqual([96, 97, 98, 99, 100])
    expect(ids(t, { '>=AMOUNT': '950' })).toEqual([95, 96, 97, 98, 99, 100])
    expect(ids(t, { '<AMOUNT': 30 })).toEqual([1, 2])
    expect(ids(t, { '<=AMOUNT': 30 })).toEqual([1, 2, 3])
    expect(ids(t, { '>AMOUNT': 100, '<AMOUNT': 140 })).toEqual([11, 12, 13])
  })

  it('@ (IN) and !@ (NOT IN), also with PHP-style maps', () => {
    expect(ids(t, { '@ID': [5, 7, 9] })).toEqual([5, 7, 9])
    expect(ids(t, { '@AMOUNT': { 0: '50', 1: '70' } })).toEqual([5, 7])
    expect(ids(t, { '!@ID': brute(t, (id) => id > 3) })).toEqual([1, 2, 3])
  })

  it('% (substring) and !% (not substring), case-insensitive', () => {
    expect(ids(t, { '%NAME': 'ALPH' })).toEqual(brute(t, (id) => /alph/i.test(name(id) ?? '')))
    expect(ids(t, { '!%NAME': 'alph' })).toEqual(brute(t, (id) => !/alph/i.test(name(id) ?? '')))
  })

  it('=% / %= (LIKE with explicit wildcards) and !=% / !%=', () => {
    expect(ids(t, { '=%NAME': 'alpha%' })).toEqual(brute(t, (id) => /^alpha/i.test(name(id) ?? '')))
    expect(ids(t, { '%=NAME': '%ta' })).toEqual(brute(t, (id) => /ta$/i.test(name(id) ?? '')))
    expect(ids(t, { '=%NAME': 'alpha' })).toEqual(brute(t, (id) => name(id) === 'alpha'))
    expect(ids(t, { '=%NAME': 'delt__x' })).toEqual(brute(t, (id) => name(id) === 'delta_x'))
    expect(ids(t, { '!=%NAME': 'a%' })).toEqual(brute(t, (id) => !/^a/i.test(name(id) ?? '')))
    expect(ids(t, { '!%=NAME': '%a%' })).toEqual(brute(t, (id) => !/a/i.test(name(id) ?? '')))
  })

  it('empty value matches empty / null; ! with empty value matches filled', () => {
    expect(ids(t, { NAME: '' })).toEqual(brute(t, (id) => name(id) === null))
    expect(ids(t, { '!NAME': '' })).toEqual(brute(t, (id) => name(id) !== null))
  })

  it('flags accept Y/N, booleans and 1/0', () => {
    const odd = brute(t, (id) => id % 2 === 1)
    expect(ids(t, { FLAG: 'Y' })).toEqual(odd)
    expect(ids(t, { FLAG: true })).toEqual(odd)
    expect(ids(t, { FLAG: '1' })).toEqual(odd)
    expect(ids(t, { FLAG: 'n' })).toEqual(brute(t, (id) => id % 2 === 0))
  })

  it('dates compare as instants, from ISO strings with or without offset', () => {
    expect(ids(t, { '<DATE': '2024-01-04' })).toEqual([1, 2])
    expect(ids(t, { '>=DATE': '2024-04-09T00:00:00+00:00' })).toEqual(brute(t, (id) => id >= 99))
    expect(ids(t, { DATE: '2024-01-03T02:00:00+02:00' })).toEqual([2])
    expect(ids(t, { '<DATE': 'not a date' })).toEqual([])
  })

  it('>< / !>< (between)', () => {
    expect(ids(t, { '><AMOUNT': [100, 130] })).toEqual([10, 11, 12, 13])
    expect(ids(t, { '!><ID': [2, 99] })).toEqual([1, 100])
  })

  it('multiple-value columns match when any element matches', () => {
    expect(ids(t, { TAGS: 12 })).toEqual(brute(t, (id) => id % 7 !== 0 && id % 5 === 2))
    expect(ids(t, { '@TAGS': [0, 14] })).toEqual(brute(t, (id) => id % 7 !== 0 && (id % 3 === 0 || id % 5 === 4)))
    expect(ids(t, { TAGS: '' })).toEqual(brute(t, (id) => id % 7 === 0))
  })

  it('nested OR / AND groups (ORM dialect)', () => {
    const filter = { 0: { logic: 'OR', 0: { '<ID': 3 }, 1: { '>ID': 98 } }, '!ID': 99 }
    expect(ids(t, filter, { nested: true })).toEqual([1, 2, 100])
    const deeper = { logic: 'OR', 0: { ID: 5 }, 1: { 0: { '>ID': 50 }, 1: { '<ID': 53 } } }
    expect(ids(t, deeper, { nested: true })).toEqual([5, 51, 52])
  })

  it('legacy dialect ignores unknown fields; ORM dialect can reject them', () => {
    expect(ids(t, { UNKNOWN: 1, '<ID': 3 })).toEqual([1, 2])
    expect(() =>
      parseFilter(
        { nope: 1 },
        {
          resolve: () => null,
          onUnknown: (n) => {
            throw new Error(n)
          },
        },
      ),
    ).toThrow('nope')
  })
})

describe('ordering and paging', () => {
  it('orders by several keys with ties broken by ID', () => {
    const t = makeTable()
    const got = ids(
      t,
      {},
      {
        order: [
          ['NAME', false],
          ['AMOUNT', true],
        ],
      },
    )
    const expected = brute(t, () => true).sort((a, b) => {
      const na = NAMES[a % NAMES.length]?.toLowerCase() ?? null
      const nb = NAMES[b % NAMES.length]?.toLowerCase() ?? null
      if (na !== nb) return na === null ? -1 : nb === null ? 1 : na < nb ? -1 : 1
      return b - a
    })
    expect(got).toEqual(expected)
  })

  it('ID-ordered keyset reads visit only the rows they return', () => {
    const t = makeTable(100_000)
    const result = runQuery({
      table: t,
      kindOf: (f) => KINDS[f],
      idField: 'ID',
      filter: parseFilter({ '>ID': 50_000 }, { resolve: (n) => n }),
      order: [{ field: 'ID', desc: false }],
      offset: 0,
      limit: 50,
      count: false,
      tzOffset: 0,
    })
    expect(result.ids[0]).toBe(50_001)
    expect(result.ids).toHaveLength(50)
    expect(result.scanned).toBe(50)
    expect(result.total).toBe(0)
    expect(listCost(DEFAULT_COST_MODEL, result, 0)).toBeLessThan(0.05)
  })

  it('counts an unfiltered ID range without scanning it', () => {
    const t = makeTable(100_000)
    t.delete(10)
    t.delete(70_000)
    const result = runQuery({
      table: t,
      kindOf: (f) => KINDS[f],
      idField: 'ID',
      filter: parseFilter({ '>=ID': 5, '<ID': 80_000 }, { resolve: (n) => n }),
      order: [],
      offset: 0,
      limit: 50,
      count: true,
      tzOffset: 0,
    })
    expect(result.total).toBe(80_000 - 5 - 2)
    expect(result.scanned).toBe(50)
  })

  it('deep sorted pages equal the same slice of a full sort (mirrored reads)', () => {
    const t = makeTable(150_000)
    const run = (offset: number, desc: boolean) =>
      runQuery({
        table: t,
        kindOf: (f) => KINDS[f],
        idField: 'ID',
        filter: { or: false, items: [] },
        order: [{ field: 'NAME', desc }],
        offset,
        limit: 50,
        count: true,
        tzOffset: 0,
      })
    const key = (id: number): string => NAMES[id % NAMES.length]?.toLowerCase() ?? ''
    const all = brute(t, () => true).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a - b))
    for (const offset of [0, 60_000, 149_980]) {
      expect(run(offset, false).ids).toEqual(all.slice(offset, offset + 50))
    }
    const desc = brute(t, () => true).sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : a - b))
    expect(run(120_000, true).ids).toEqual(desc.slice(120_000, 120_050))
  })
})

describe('table changes', () => {
  it('stores only changes: updates, inserts after the seed range and deletions', () => {
    const t = makeTable(10)
    expect(t.size).toBe(10)
    expect(t.update(3, { NAME: 'changed' })).toBe(true)
    expect(t.value(3, 'NAME')).toBe('changed')
    expect(t.value(3, 'AMOUNT')).toBe(30)
    const id = t.insert({ NAME: 'new', AMOUNT: 1 })
    expect(id).toBe(11)
    expect(t.row(11)).toMatchObject({ ID: 11, NAME: 'new' })
    expect(t.delete(2)).toBe(true)
    expect(t.delete(2)).toBe(false)
    expect(t.has(2)).toBe(false)
    expect(t.size).toBe(10)
    const seen: number[] = []
    t.forEachId(1, 100, true, (i) => {
      seen.push(i)
      return true
    })
    expect(seen).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 1])
    expect(t.countRange(2, 11)).toBe(9)
  })

  it('parses the date forms clients send', () => {
    expect(parseDate('2024-01-01', 120)).toBe(Date.UTC(2024, 0, 1) / 1000 - 7200)
    expect(parseDate('2024-01-01T10:00:00Z', 120)).toBe(Date.UTC(2024, 0, 1, 10) / 1000)
    expect(parseDate('01.02.2024 10:00:00', 0)).toBe(Date.UTC(2024, 1, 1, 10) / 1000)
    expect(parseDate('02/01/2024', 0)).toBe(Date.UTC(2024, 1, 1) / 1000)
    expect(parseDate('garbage', 0)).toBeNull()
  })
})
