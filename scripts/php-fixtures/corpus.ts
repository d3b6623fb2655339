/**
 * Writes the fixed corpus that scripts/php-fixtures/fixtures.php runs through real PHP (`parse_str`,
 * `http_build_query`, `json_encode`, `json_decode`). Deterministic: hand-picked cases plus cases drawn from a
 * seeded generator, so regenerating gives the same file and CI can diff PHP's answers.
 *
 *   npx tsx scripts/php-fixtures/corpus.ts   → test/fixtures/php/corpus.json
 */
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { seeded } from '../seeded-random.js'

export interface PhpCorpus {
  /** Raw query strings / form bodies for `parse_str`. */
  parseStr: string[]
  /** JSON texts of objects for `http_build_query(json_decode($text, true))`. */
  buildQuery: string[]
  /** JSON texts for `json_encode(json_decode($text, true), JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT)`. */
  jsonEncode: string[]
  /** JSON texts for `json_decode($text, true)` (depth and error cases). */
  jsonDecode: string[]
}

const NAMES = [
  'a',
  'a b',
  'a.b',
  ' a',
  '  a.b c',
  'a[',
  'a[b',
  'a[b.c d[e',
  'a]b',
  'a[b]c',
  'a[b]c[d]',
  'a[b][c',
  'a[]',
  'a[][]',
  'a[][b]',
  '[a]',
  '',
  '.',
  ' ',
  'a[ b]',
  'a[b c]',
  'a[.b]',
  'a%5Bb%5D',
  'a%00b',
  'a[b%00c]',
  '%C3%A9',
  'a[%C3%A9]',
  '%F0%9F%98%80',
  'a[5]',
  'a[-5]',
  'a[05]',
  'a[-0]',
  'a[0]',
  'a[9223372036854775807]',
  'a[9223372036854775808]',
  'a[-9223372036854775808]',
  'a[-9223372036854775809]',
  'a[ 5]',
  'a[5 ]',
  'a[1e3]',
  'a[+5]',
  'a[0x1A]',
  'a[1.5]',
  '5',
  '-5',
  '05',
  'a[b[c]]',
  'a[[b]]',
  'a[]]',
  'a[b]]',
  'a+b',
  'a%2Bb',
  'a%20b',
  'a%2Eb',
  'a[b][]',
  'A[B]',
]
const VALUES = [
  '',
  'x',
  'a+b',
  'a%20b',
  '%',
  '%zz',
  '%2',
  '%e2%82%ac',
  '%E2%82%AC',
  '%FF',
  '%C3',
  '%C3%28',
  'true',
  'false',
  '0',
  '1',
  '%2B',
  'a=b',
  '%F0%9F%98%80',
  '%00',
  'a%26b',
  '%ED%A0%80',
]

function parseStrCases(random: () => number): string[] {
  const cases: string[] = []
  for (const name of NAMES) cases.push(`${name}=v`)
  for (const value of VALUES) cases.push(`k=${value}`)
  cases.push(
    'a[5]=x&a[]=y',
    'a[]=x&a[]=y&a[]=z',
    'a[b]=1&a[]=2',
    'a[-5]=x&a[]=y',
    'a[9223372036854775806]=x&a[]=y&a[]=z',
    'a[9223372036854775807]=x&a[]=y',
    'a=1&a[b]=2',
    'a[b]=1&a=2',
    'a=1&b=2&a[x]=3',
    'a[b]=1&a[b][c]=2',
    'a[1]=x&a[0]=y',
    'a[0]=x&a[1]=y',
    'a[0]=x&a[2]=y',
    'a[2]=x&a[]=y&a[0]=z',
    'a[x]=1&a[0]=2',
    'x&y=&=z&&',
    '&&&',
    '',
    'a=1&a=2',
    'a[]=1&a[0]=2',
    'a.b=1&a_b=2',
    'a[][x]=1&a[][y]=2',
    'a[x][]=1&a[x][]=2&a[y][]=3',
    'select[]=ID&select[]=TITLE&filter[>ID]=5&filter[%3CID]=9&order[ID]=ASC&start=50',
    'fields[TITLE]=My+company&fields[PHONE][0][VALUE]=112233&fields[PHONE][0][VALUE_TYPE]=WORK&fields[PHONE][1][VALUE]=555',
    'event=ONCRMDEALADD&event_handler_id=7&data%5BFIELDS%5D%5BID%5D=5&ts=1700000000&auth%5Baccess_token%5D=t0k' +
      '&auth%5Bexpires%5D=1700003600&auth%5Bexpires_in%5D=3600&auth%5Bscope%5D=crm&auth%5Bdomain%5D=x.bitrix24.com' +
      '&auth%5Bmember_id%5D=m1&auth%5Buser_id%5D=1&auth%5Bapplication_token%5D=app',
    '0=a&1[POST_MESSAGE]=test',
    'cmd[0]=crm.lead.add%3Ffields%5BTITLE%5D%3DJohn%2526Martin&halt=1',
  )
  // Nesting around max_input_nesting_level (64): 64 groups keep the variable, 65 delete it (and what came before).
  const deep = (levels: number) => `a${'[x]'.repeat(levels)}=v`
  cases.push(deep(63), deep(64), deep(65), `a[y]=1&${deep(65)}&b=2`, `a${'[x]'.repeat(64)}[y=v`)
  // max_input_vars (1000): the rest is dropped; empty pairs are not counted.
  cases.push(
    Array.from({ length: 1003 }, (_, i) => `k${i}=${i}`).join('&'),
    `&&${Array.from({ length: 1001 }, (_, i) => `a[]=${i}`).join('&&')}`,
  )
  // Seeded fuzz: names and values built from the characters parse_str treats specially.
  const tokens = ['a', 'b', '0', '1', '5', '-1', '[', ']', '[]', '.', ' ', '%20', '+', '%5B', '%5D', '%C3%A9', '_', '=']
  for (let n = 0; n < 300; n++) {
    const pairs: string[] = []
    const count = 1 + Math.floor(random() * 4)
    for (let p = 0; p < count; p++) {
      let pair = ''
      const length = 1 + Math.floor(random() * 8)
      for (let t = 0; t < length; t++) pair += tokens[Math.floor(random() * tokens.length)]
      pairs.push(pair)
    }
    cases.push(pairs.join('&'))
  }
  return cases
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

function randomValue(random: () => number, depth: number): Json {
  const scalars: Json[] = [
    '',
    'x',
    'a b',
    'a&b=c',
    'é€😀',
    '<>"\'/\\',
    '~!*()',
    'a+b',
    '%41',
    0,
    7,
    -3,
    1.5,
    -0.25,
    true,
    false,
    null,
  ]
  const roll = random()
  if (depth > 2 || roll < 0.6) return scalars[Math.floor(random() * scalars.length)]
  const length = Math.floor(random() * 4)
  if (roll < 0.8) return Array.from({ length }, () => randomValue(random, depth + 1))
  const keys = ['a', 'b c', 'é', '0', '1', '7', 'x.y', '[', ']', '&', '=', '>ID', 'a[b]', '']
  const object: { [key: string]: Json } = {}
  for (let i = 0; i < length; i++) object[keys[Math.floor(random() * keys.length)]] = randomValue(random, depth + 1)
  return object
}

function buildQueryCases(random: () => number): string[] {
  const cases: Json[] = [
    {
      filter: { '>ID': 5, '<=DATE': '2024-01-01T00:00:00+03:00' },
      select: ['ID', 'TITLE'],
      order: { ID: 'ASC' },
      start: -1,
    },
    { fields: { TITLE: 'Deal & Co', OPPORTUNITY: 1.5, OPENED: true, CLOSED: false, COMMENTS: null, EMPTY: [] } },
    { fields: { PHONE: [{ VALUE: '+7 (999) 123-45-67', VALUE_TYPE: 'WORK' }] } },
    { 0: 123, 1: { POST_MESSAGE: 'test' } },
    { 'a b': 'c d', é: '€', 'x.y': 'z', '~': "~!*()'" },
    { nested: { deeper: { deepest: ['x', ['y', { z: 'w' }]] } } },
    { list: [null, 'kept', null], empty: {}, emptyString: '' },
    { id: 0, neg: -7, big: 9007199254740991, frac: 0.1, half: -2.5 },
  ]
  for (let n = 0; n < 150; n++) {
    const object: { [key: string]: Json } = {}
    const count = 1 + Math.floor(random() * 4)
    for (let i = 0; i < count; i++) object[`k${Math.floor(random() * 5)}`] = randomValue(random, 0)
    cases.push(object)
  }
  return cases.map((value) => JSON.stringify(value))
}

function jsonEncodeCases(random: () => number): string[] {
  const cases: Json[] = [
    { a: '<tag attr=\'x\' & "y">/path\\', b: 'é€😀 ünï', c: '\u0000\u0001\u001f\u007f\u0080\u00ff', d: '\b\f\n\r\t' },
    {
      list: [1, 2, 3],
      map: { 0: 'a', 1: 'b' },
      gap: { 0: 'a', 2: 'b' },
      from1: { 1: 'a', 2: 'b' },
      empty: [],
      emptyMap: {},
    },
    [0, -1, 1.5, 0.1, -0.25, 100, 1e-4, 1e-5, 9.99e-5, 3.0994415283203125e-5, 1.5e-7, 1e-7, 2.1219253540039062e-5],
    [1e15, 1e16, 1e17, 1e20, 1e21, 1.5e21, 1e300, -1e-300, 1724916859.46156, 1778747192.910734, 0.032338857650756836],
    {
      time: { start: 1724916859.421475, finish: 1724916859.471588, duration: 0.05011296272277832, processing: 4.0e-5 },
    },
    [true, false, null, '', '0', 'null'],
    { 'key/with<specials>&"\'': 'v', é: 1 },
  ]
  for (let n = 0; n < 100; n++) cases.push(randomValue(random, 0))
  return cases.map((value) => JSON.stringify(value))
}

function jsonDecodeCases(): string[] {
  const arrays = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`
  const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
  return [
    arrays(511),
    arrays(512),
    arrays(513),
    arrays(3000),
    objects(512),
    objects(513),
    `{"list":${arrays(511)}}`,
    `{"list":${arrays(512)}}`,
    `["${'['.repeat(600)}"]`,
    '{"a":1,}',
    '{"a":1}',
    '[1,2',
    '',
    ' ',
    '"text"',
    '12',
    'null',
    '{"0":"a","1":"b"}',
    '{"a":"\\u00e9\\ud83d\\ude00"}',
    '"\\ud800"',
    '{"\\udc00":1}',
    '["\\ude00\\ud83d"]',
    '["a\\\\ud800"]',
  ]
}

export function buildCorpus(): PhpCorpus {
  const random = seeded(0xb24)
  return {
    parseStr: parseStrCases(random),
    buildQuery: buildQueryCases(random),
    jsonEncode: jsonEncodeCases(random),
    jsonDecode: jsonDecodeCases(),
  }
}

const here = dirname(fileURLToPath(import.meta.url))
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target = join(here, '..', '..', 'test', 'fixtures', 'php', 'corpus.json')
  writeFileSync(target, `${JSON.stringify(buildCorpus(), null, 1)}\n`)
  console.log(`wrote ${target}`)
}
