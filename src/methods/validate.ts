/**
 * Checks arguments against the catalogue before anything is sent: required parameters present, documented
 * parameters of the documented type. Parameters the docs don't list pass through (the docs are not complete).
 * The rule table is a separate chunk, loaded on the first call.
 */
import { BitrixValidationError } from '../errors/index.js'
import { isBatchRef } from '../requests/batch-ref.js'

/** One parameter rule: `name`, type letter, required, array. */
interface Rule {
  name: string
  type: string
  required: boolean
  array: boolean
}

type RuleTable = Record<string, string>

let table: RuleTable | undefined
let v3Table: RuleTable | undefined
let loading: Promise<void> | undefined
const parsed = new Map<string, Rule[]>()

/** Loads the rule table once; later calls resolve immediately. */
export function loadRules(): Promise<void> | undefined {
  if (table) return undefined
  loading ??= import('./generated/params.js').then((module) => {
    table = module.PARAM_RULES
    v3Table = module.V3_PARAM_RULES
  })
  return loading
}

const TYPE_NAMES: Record<string, string> = {
  i: 'integer',
  n: 'number',
  s: 'string',
  b: 'boolean',
  o: 'object',
  a: 'array',
  d: 'date',
}

function rulesFor(method: string, apiVersion: 2 | 3): Rule[] | undefined {
  const name = method.toLowerCase()
  // A REST 3.0 call takes its REST 3.0 parameters; a v3-only name has the same rules in both tables.
  const v3 = apiVersion === 3 && v3Table?.[name] !== undefined
  const key = v3 ? `v3:${name}` : name
  const cached = parsed.get(key)
  if (cached) return cached
  const encoded = v3 ? v3Table?.[name] : table?.[name]
  if (encoded === undefined) return undefined
  const rules =
    encoded === ''
      ? []
      : encoded.split(',').map((item): Rule => {
          const match = /^(.+):([a-z?])(!?)(\[\]|)$/.exec(item)
          if (!match) return { name: item, type: '?', required: false, array: false }
          return { name: match[1], type: match[2], required: match[3] === '!', array: match[4] === '[]' }
        })
  parsed.set(key, rules)
  return rules
}

function matches(type: string, value: unknown): boolean {
  if (value === null || value === undefined || isBatchRef(value)) return true
  switch (type) {
    case 'i':
      return (
        (typeof value === 'number' && Number.isInteger(value)) ||
        (typeof value === 'string' && /^-?\d+$/.test(value.trim()))
      )
    case 'n':
      return (
        (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
      )
    case 's':
      return typeof value === 'string' || typeof value === 'number'
    case 'b':
      return (
        typeof value === 'boolean' ||
        value === 'Y' ||
        value === 'N' ||
        value === 0 ||
        value === 1 ||
        value === '0' ||
        value === '1' ||
        value === 'true' ||
        value === 'false'
      )
    case 'o':
      return typeof value === 'object'
    case 'a':
      return Array.isArray(value) || typeof value === 'object'
    case 'd':
      return typeof value === 'string' || value instanceof Date
    default:
      return true
  }
}

/** A nested parameter the docs name with a dotted path (`fields.CONTACT_ID`), matched case-insensitively. */
function valueAt(params: Record<string, unknown>, path: string): unknown {
  let current: unknown = params
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined
    const record = current as Record<string, unknown>
    const key =
      segment in record ? segment : Object.keys(record).find((name) => name.toLowerCase() === segment.toLowerCase())
    current = key === undefined ? undefined : record[key]
  }
  return current
}

/** Throws `BitrixValidationError` naming the method, the parameter, the expected and the received type. */
export function validateParams(method: string, params: Record<string, unknown>, apiVersion: 2 | 3 = 2): void {
  const rules = rulesFor(method, apiVersion)
  if (!rules) return
  let lowerKeys: Map<string, string> | undefined
  for (const rule of rules) {
    let value: unknown
    if (rule.name.includes('.')) value = valueAt(params, rule.name)
    else {
      value = params[rule.name]
      if (value === undefined) {
        // Legacy methods read `id` and `ID`, `fields` and `FIELDS` alike.
        lowerKeys ??= new Map(Object.keys(params).map((key) => [key.toLowerCase(), key]))
        const actual = lowerKeys.get(rule.name.toLowerCase())
        value = actual === undefined ? undefined : params[actual]
      }
    }
    if (value === undefined) {
      if (rule.required) {
        throw new BitrixValidationError({
          message: `parameter "${rule.name}" is required`,
          method,
          parameter: rule.name,
        })
      }
      continue
    }
    const expected = `${TYPE_NAMES[rule.type] ?? 'value'}${rule.array ? '[]' : ''}`
    const ok = rule.array
      ? Array.isArray(value)
        ? value.every((item) => matches(rule.type, item))
        : typeof value === 'object' || matches(rule.type, value)
      : matches(rule.type, value)
    if (!ok) {
      throw new BitrixValidationError({ method, parameter: rule.name, expected, received: value })
    }
  }
}

/** Validates, loading the rule table first when this is the first call. */
export function validateArguments(
  method: string,
  params: Record<string, unknown>,
  apiVersion: 2 | 3 = 2,
): void | Promise<void> {
  const pending = loadRules()
  if (pending) return pending.then(() => validateParams(method, params, apiVersion))
  validateParams(method, params, apiVersion)
}
