/** Normalizing the docs' type notations (`integer`, `crm_contact[]`, ```string | null```, `array<object>`). */

export interface NormalizedType {
  type: string
  array: boolean
}

const ALIASES: Record<string, string> = {
  string: 'string',
  text: 'string',
  char: 'string',
  enum: 'string',
  str: 'string',
  integer: 'integer',
  int: 'integer',
  double: 'double',
  float: 'double',
  number: 'double',
  boolean: 'boolean',
  bool: 'boolean',
  date: 'date',
  datetime: 'datetime',
  timestamp: 'datetime',
  object: 'object',
  array: 'array',
  file: 'file',
  any: 'any',
  mixed: 'any',
  callable: 'any',
  function: 'any',
}

const DROPPED = new Set(['null', 'undefined', 'void'])
const IDENT = /^[A-Za-z_][\w.]*$/

function normalizeOne(raw: string): string | null {
  let name = raw.trim().replace(/^`+|`+$/g, '')
  let suffix = ''
  const generic = /^array<(.+)>$/i.exec(name)
  if (generic !== null) {
    name = generic[1]
    suffix = '[]'
  }
  while (name.endsWith('[]')) {
    name = name.slice(0, -2)
    suffix += '[]'
  }
  if (name === '' || DROPPED.has(name.toLowerCase())) return null
  if (!IDENT.test(name)) return null
  const alias = ALIASES[name.toLowerCase()]
  return (alias ?? name) + suffix
}

/** `types` are the backtick tokens of a type cell, e.g. ['integer', '|', 'string'] or ['string | null']. */
export function normalizeType(tokens: string[]): NormalizedType {
  const alternatives: string[] = []
  for (const token of tokens) {
    for (const part of token.split(/\||,|\bor\b/)) {
      const one = normalizeOne(part)
      if (one !== null && !alternatives.includes(one)) alternatives.push(one)
    }
  }
  if (alternatives.length === 0) return { type: 'any', array: false }
  if (alternatives.length === 1) {
    const only = alternatives[0]
    return only.endsWith('[]') ? { type: only.slice(0, -2), array: true } : { type: only, array: false }
  }
  return { type: alternatives.join('|'), array: false }
}

/** The backtick tokens in a markdown fragment, in order. */
export function codeTokens(md: string): string[] {
  const out: string[] = []
  const re = /(`+)([^`]+?)\1/g
  for (let m = re.exec(md); m !== null; m = re.exec(md)) out.push(m[2])
  return out
}

const SCALARS = new Set(['string', 'integer', 'double', 'boolean', 'date', 'datetime', 'file'])

export function isScalarType(type: string): boolean {
  return type.split('|').every((t) => SCALARS.has(t))
}

/** Object-like: `object` or an entity/structure name, as opposed to scalars and references (`catalog_measure.id`). */
export function isStructType(type: string): boolean {
  if (type === 'object') return true
  return !isScalarType(type) && type !== 'any' && type !== 'array' && !type.includes('|') && !type.includes('.')
}
