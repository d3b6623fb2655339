/**
 * The shared PHP codec (src/http/php-query.ts) and the emulator's PHP JSON (src/emulator/server/json.ts) against
 * real PHP: test/fixtures/php/php-results.json is what PHP 8 answered for test/fixtures/php/corpus.json
 * (regenerate both with scripts/php-fixtures/regenerate.sh; CI does and diffs them).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodePhpJson, encodePhpJson } from '../../src/emulator/server/json.js'
import { buildQuery, isPhpIntegerKey, type PhpArray, parsePhpQuery, parseQuery } from '../../src/http/php-query.js'

interface PhpResults {
  parseStr: { raw: PhpTagged; json: string | null }[]
  buildQuery: string[]
  jsonEncode: string[]
  jsonDecode: ({ ok: true; json: string } | { ok: false; error: string })[]
}
/** The fixture's notation of a PHP value: a string, raw bytes that are not UTF-8, or ordered tagged pairs. */
type PhpTagged = string | { bytes: string } | [string, PhpTagged][]
type Tagged = string | [string, Tagged][]

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/php/${name}`, import.meta.url), 'utf8'))
const corpus = fixture('corpus.json') as {
  parseStr: string[]
  buildQuery: string[]
  jsonEncode: string[]
  jsonDecode: string[]
}
const php = fixture('php-results.json') as PhpResults

/** Our ordered PHP array in the fixture's notation: `[key, value]` pairs, keys tagged `i:` or `s:`. */
function tagged(value: string | PhpArray): Tagged {
  if (typeof value === 'string') return value
  return [...value.entries].map(([key, item]) => [`${isPhpIntegerKey(key) ? 'i' : 's'}:${key}`, tagged(item)])
}

const utf8 = new TextDecoder()
const fromHex = (hex: string): string => utf8.decode(Buffer.from(hex, 'hex'))

/**
 * PHP keeps bytes that are not UTF-8; JS strings cannot, and the codec decodes them as the WHATWG decoder
 * does (U+FFFD per bad sequence). So the expectation is PHP's bytes through that decoder.
 */
function expectedFromPhp(value: PhpTagged): Tagged {
  if (typeof value === 'string') return value
  if (!Array.isArray(value)) return fromHex(value.bytes)
  return value.map(([key, item]) => [key.startsWith('b:') ? `s:${fromHex(key.slice(2))}` : key, expectedFromPhp(item)])
}

/** Top-level parameters are always named in JS: PHP's `[]` / `["a"]` at the top are `{}` / `{ 0: 'a' }`. */
function topLevelObject(json: string): unknown {
  const value: unknown = JSON.parse(json)
  return Array.isArray(value) ? Object.fromEntries(value.entries()) : value
}

const PROTOTYPE_KEYS = /(^|&|\[|%5B)(__proto__|constructor|prototype)/i

describe('parse_str', () => {
  it('the corpus and PHP answers line up', () => {
    expect(php.parseStr).toHaveLength(corpus.parseStr.length)
    expect(corpus.parseStr.length).toBeGreaterThan(400)
  })

  it.each(corpus.parseStr.map((query, index) => [index, query] as const))(
    'case %i: keys, order and key types as PHP',
    (index, query) => {
      const { array } = parsePhpQuery(query, { maxInputVars: 1000, maxNestingLevel: 64 })
      expect(tagged(array)).toEqual(expectedFromPhp(php.parseStr[index].raw))
    },
  )

  it.each(corpus.parseStr.map((query, index) => [index, query] as const))(
    'case %i: JS shape as PHP json_encode gives it',
    (index, query) => {
      const json = php.parseStr[index].json
      if (json === null || PROTOTYPE_KEYS.test(query)) return // not UTF-8 (see above) / left out on purpose
      expect(parseQuery(query, { maxInputVars: 1000 })).toEqual(topLevelObject(json))
    },
  )

  it('reports how many variables max_input_vars dropped', () => {
    const query = Array.from({ length: 1003 }, (_, i) => `k${i}=${i}`).join('&')
    const { array, droppedVars } = parsePhpQuery(query, { maxInputVars: 1000 })
    expect(array.entries.size).toBe(1000)
    expect(droppedVars).toBe(3)
  })

  it('leaves out variables named after prototype keys (a deliberate difference from PHP)', () => {
    const parsed = parseQuery('__proto__[x]=1&a[constructor]=2&a[ok]=3&prototype=4')
    expect(parsed).toEqual({ a: { ok: '3' } })
    expect(({} as Record<string, unknown>).x).toBeUndefined()
  })
})

describe('http_build_query', () => {
  it.each(corpus.buildQuery.map((text, index) => [index, text] as const))('case %i', (index, text) => {
    expect(buildQuery(JSON.parse(text) as Record<string, unknown>)).toBe(php.buildQuery[index])
  })

  it('round-trips through parse_str', () => {
    const params = { filter: { '>ID': 5, TITLE: 'a&b=c d' }, select: ['ID', 'TITLE'], flag: true }
    expect(parseQuery(buildQuery(params))).toEqual({
      filter: { '>ID': '5', TITLE: 'a&b=c d' },
      select: ['ID', 'TITLE'],
      flag: '1',
    })
  })

  it('encodes a lone surrogate as U+FFFD instead of throwing', () => {
    expect(buildQuery({ a: '\ud800' })).toBe('a=%EF%BF%BD')
  })
})

describe('json_encode with the portal flags', () => {
  it.each(corpus.jsonEncode.map((text, index) => [index, text] as const))('case %i', (index, text) => {
    const decoded = decodePhpJson(text)
    expect(decoded.ok).toBe(true)
    if (decoded.ok) expect(encodePhpJson(decoded.value)).toBe(php.jsonEncode[index])
  })
})

describe('json_decode', () => {
  it.each(corpus.jsonDecode.map((text, index) => [index, text] as const))(
    'case %i: succeeds or fails as PHP',
    (index, text) => {
      const ours = decodePhpJson(text)
      const theirs = php.jsonDecode[index]
      expect(ours.ok).toBe(theirs.ok)
      if (ours.ok && theirs.ok) expect(ours.value).toEqual(JSON.parse(theirs.json))
      if (!ours.ok && !theirs.ok) expect(ours.error).toBe(theirs.error)
    },
  )
})
