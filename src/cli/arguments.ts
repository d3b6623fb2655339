/**
 * The command line's grammar: options through `node:util` `parseArgs`, and call parameters written as
 * `key=value` pairs (PHP-style brackets for nesting, values as strings, as a form would send them) or as typed JSON.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { parseQuery } from '../http/php-query.js'
import { CliUsageError } from './errors.js'

type Options = NonNullable<ParseArgsConfig['options']>

export interface ParsedCommand<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values']
  positionals: string[]
}

/** `parseArgs` with `--help`/`-h` added; unknown or malformed options become a usage error. */
export function parseCommand<O extends Options>(
  args: readonly string[],
  options: O,
  usage: string,
): ParsedCommand<O & { help: { type: 'boolean'; short: 'h' } }> | 'help' {
  const all = { ...options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean'; short: 'h' } }
  let parsed: ReturnType<typeof parseArgs<{ options: typeof all; allowPositionals: true; strict: true }>>
  try {
    parsed = parseArgs({ args: [...args], options: all, allowPositionals: true, strict: true })
  } catch (error) {
    throw new CliUsageError((error as Error).message, usage)
  }
  if ((parsed.values as { help?: boolean }).help) return 'help'
  return { values: parsed.values, positionals: parsed.positionals }
}

/** A non-negative integer option, or a usage error naming it. */
export function integerOption(name: string, text: string | undefined, usage: string): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text)
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 0) {
    throw new CliUsageError(`--${name} expects a non-negative integer, got "${text}"`, usage)
  }
  return value
}

type Json = Record<string, unknown>

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `base` with `extra` laid over it; nested objects are merged key by key, anything else is replaced. */
function mergeParams(base: Json, extra: Json): Json {
  const out: Json = { ...base }
  for (const [key, value] of Object.entries(extra)) {
    out[key] = isPlainObject(out[key]) && isPlainObject(value) ? mergeParams(out[key], value) : value
  }
  return out
}

/** Parses `--json` text: it must be a JSON object. */
export function parseJsonParams(text: string, usage: string): Json {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new CliUsageError(`--json is not valid JSON: ${(error as Error).message}`, usage)
  }
  if (!isPlainObject(value)) throw new CliUsageError('--json must be a JSON object of parameters', usage)
  return value
}

/** Where the value of `key=value` starts: the first `=` outside brackets (`filter[<=ID]=5` has one inside). */
export function separatorOf(pair: string): number {
  let depth = 0
  for (let index = 0; index < pair.length; index++) {
    const char = pair[index]
    if (char === '[') depth++
    else if (char === ']') depth = Math.max(0, depth - 1)
    else if (char === '=' && depth === 0) return index
  }
  return -1
}

/**
 * The parameters of a call: `--json` first, then every `key=value` pair over it. Keys take PHP brackets
 * (`filter[>OPPORTUNITY]=1000`, `select[]=ID`); values stay strings, as the portal gets them from a form.
 */
export function callParams(pairs: readonly string[], json: string | undefined, usage: string): Json {
  const base = json === undefined ? {} : parseJsonParams(json, usage)
  const query: string[] = []
  for (const pair of pairs) {
    const at = separatorOf(pair)
    if (at <= 0) {
      throw new CliUsageError(`parameter "${pair}" is not key=value (e.g. id=2, filter[>OPPORTUNITY]=1000)`, usage)
    }
    query.push(`${encodeURIComponent(pair.slice(0, at))}=${encodeURIComponent(pair.slice(at + 1))}`)
  }
  return query.length === 0 ? base : mergeParams(base, parseQuery(query.join('&')))
}

/** A REST method name, or a usage error. */
export function methodName(text: string | undefined, usage: string): string {
  if (text === undefined) throw new CliUsageError('missing METHOD (e.g. crm.deal.list)', usage)
  if (!/^[A-Za-z0-9_.]+$/.test(text)) {
    throw new CliUsageError(`"${text}" is not a REST method name (letters, digits, "_" and ".")`, usage)
  }
  return text
}
