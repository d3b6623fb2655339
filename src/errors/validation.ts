import { redact } from '../log/redact.js'
import { BitrixError, type BitrixErrorJSON } from './base.js'

const MAX_STRING = 40
const MAX_KEYS = 5

/**
 * A short, secret-free description of a value for error messages: its type and a glimpse of it, never the whole.
 *
 * @example
 * describeValue('abc')           // 'string "abc"'
 * describeValue([1, 2, 3])       // 'array(3)'
 * describeValue({ id: 1, x: 2 }) // 'object {id, x}'
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      const shown = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value
      const length = value.length > MAX_STRING ? ` (${value.length} chars)` : ''
      return `string ${JSON.stringify(redact(shown))}${length}`
    }
    case 'number':
    case 'boolean':
      return `${typeof value} ${value}`
    case 'bigint':
      return `bigint ${value}n`
    case 'undefined':
      return 'undefined'
    case 'symbol':
      return 'symbol'
    case 'function':
      return 'function'
  }
  if (value === null) return 'null'
  if (Array.isArray(value)) return `array(${value.length})`
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Date (invalid)' : `Date ${value.toISOString()}`
  if (value instanceof Map || value instanceof Set) return `${value.constructor.name}(${value.size})`
  const prototype = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) {
    return `object ${(value as object).constructor?.name || 'Object'}`
  }
  const keys = Object.keys(value as object)
  const shown = keys.slice(0, MAX_KEYS).join(', ') + (keys.length > MAX_KEYS ? ', …' : '')
  return `object {${shown}}`
}

/** What a `BitrixValidationError` is built from: the method and parameter at fault, expected and received. */
export interface BitrixValidationErrorOptions {
  /** The REST method the arguments were for, e.g. `crm.deal.get`. */
  method?: string
  /** Parameter path, e.g. `id` or `fields.TITLE`. */
  parameter?: string
  /** What was expected, e.g. `integer`, `one of "Y", "N"`. */
  expected?: string
  /** The value received; only its summary (`describeValue`) is kept. Pass `undefined` explicitly for "missing". */
  received?: unknown
  /** What to fix, when the expected/received form does not fit; replaces that part of the message. */
  message?: string
}

/**
 * Bad arguments caught before anything was sent.
 *
 * @example
 * new BitrixValidationError({ method: 'crm.deal.get', parameter: 'id', expected: 'integer', received: 'abc' }).message
 * // 'crm.deal.get: parameter "id" must be integer, received string "abc"'
 */
export class BitrixValidationError extends BitrixError {
  override readonly name: string = 'BitrixValidationError'
  readonly method: string | undefined
  readonly parameter: string | undefined
  readonly expected: string | undefined
  /** Summary of the received value (`string "abc"`, `array(3)`), or `undefined` if none was given. */
  readonly received: string | undefined

  constructor(options: BitrixValidationErrorOptions) {
    const received = 'received' in options ? describeValue(options.received) : undefined
    super(validationMessage(options, received))
    this.method = options.method
    this.parameter = options.parameter
    this.expected = options.expected
    this.received = received
  }

  override toJSON(): BitrixErrorJSON {
    const { method, parameter, expected, received } = this
    return { ...super.toJSON(), method, parameter, expected, received }
  }
}

function validationMessage(options: BitrixValidationErrorOptions, received: string | undefined): string {
  let text = options.message
  if (text === undefined) {
    const subject = options.parameter === undefined ? 'value' : `parameter ${JSON.stringify(options.parameter)}`
    text = options.expected === undefined ? `${subject} is invalid` : `${subject} must be ${options.expected}`
    if (received !== undefined) text += `, received ${received}`
  }
  return options.method === undefined ? text : `${options.method}: ${text}`
}
