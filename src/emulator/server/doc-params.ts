/**
 * The check a docs-example answer makes before answering: every parameter the method's documentation marks
 * required is present, and every documented parameter that is present has a value of its documented type, as
 * PHP decoded it (strings from forms and queries, numbers and booleans from JSON, arrays for both lists and maps).
 * A failure is the portal's generic argument error, `400 ERROR_ARGUMENT` with the parameter in `argument`
 * (protocol §3, `RestException::initFromException`).
 */
import { type Params, RestError } from '../kernel.js'
import type { CatalogueParam, CatalogueRecord } from './doc-examples.js'

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A key of `holder`, spelled as documented or, failing that, in any case (many methods read both). */
function lookup(holder: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(holder, key)) return holder[key]
  const lower = key.toLowerCase()
  const found = Object.keys(holder).find((candidate) => candidate.toLowerCase() === lower)
  return found === undefined ? undefined : holder[found]
}

/** The value at a dotted documented name; `undefined` when any level is absent. */
function valueAt(params: Params, name: string): unknown {
  let node: unknown = params
  for (const part of name.split('.')) {
    if (!isRecord(node)) return undefined
    node = lookup(node, part)
  }
  return node
}

const INTEGER = /^\s*[+-]?\d+\s*$/
const BOOLEAN_TEXT = new Set(['y', 'n', 'true', 'false', '1', '0'])

function isNumericText(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))
}

/** Whether one (non-list) value fits one documented type name; unknown type names fit anything. */
function fitsType(type: string, value: unknown): boolean {
  const base = type.replace(/\[\]$/, '')
  if (base !== type) return Array.isArray(value) || isRecord(value) ? true : fitsType(base, value)
  switch (base) {
    case 'integer':
    case 'user':
    case 'crm_entity':
      return (
        (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && INTEGER.test(value))
      )
    case 'double':
      return (typeof value === 'number' && Number.isFinite(value)) || isNumericText(value)
    case 'boolean':
      return typeof value === 'boolean' || value === 0 || value === 1 || BOOLEAN_TEXT.has(String(value).toLowerCase())
    case 'string':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    case 'object':
    case 'array':
      return Array.isArray(value) || isRecord(value)
    case 'date':
    case 'datetime':
      return typeof value === 'string' && value.trim() !== ''
    default:
      // Entity references (`catalog_product.id`) are identifiers; DTOs are objects; the rest (structures such as
      // `section` of a card configuration) is not checked.
      if (/\.id$/i.test(base)) return fitsType('integer', value)
      if (base.endsWith('Dto')) return fitsType('object', value)
      return true
  }
}

/** A value fits when it fits any alternative of a union (`integer|integer[]`); lists are checked item by item. */
function fits(param: CatalogueParam, value: unknown): boolean {
  const alternatives = param.type.split('|')
  const fitsOne = (item: unknown) => alternatives.some((type) => fitsType(type.trim(), item))
  if (param.array && (Array.isArray(value) || isRecord(value))) return Object.values(value).every(fitsOne)
  return fitsOne(value)
}

function describeType(param: CatalogueParam): string {
  return param.array ? `a list of ${param.type}` : param.type
}

/** Throws the argument error for the first documented parameter that is missing or of the wrong type. */
export function checkDocumentedParams(record: CatalogueRecord, params: Params): void {
  for (const param of record.params ?? []) {
    const value = valueAt(params, param.name)
    if (value === undefined || value === null || value === '') {
      if (!param.required) continue
      throw new RestError('ERROR_ARGUMENT', `Required parameter '${param.name}' is missing`, 400, {
        argument: param.name,
      })
    }
    if (!fits(param, value)) {
      throw new RestError(
        'ERROR_ARGUMENT',
        `Invalid value of parameter '${param.name}': ${describeType(param)} expected`,
        400,
        { argument: param.name },
      )
    }
  }
}
