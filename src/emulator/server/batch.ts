/**
 * `batch`: up to 50 sub-commands written as `"method?query"`, run in order for the same caller, with
 * `$result[key][path]` references (also `$error`, `$total`, `$next`, `$time`) between them. The five result
 * maps are keyed by command key; empty ones serialise as `[]`.
 */
import type { Params } from '../kernel.js'
import type { Caller } from './auth.js'
import { stripAuthParams } from './auth.js'
import type { CallOutcome } from './calls.js'
import type { EmulatorClock } from './clock.js'
import { errorEnvelope, type TimeBlock, timeBlock, toInt } from './envelope.js'
import { getParamIgnoreCase, type InputLimits, isTruthyFlag, parseQuery } from './params.js'

const MAX_BATCH_COMMANDS = 50

const LENGTH_EXCEEDED = { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' }
const NOT_ALLOWED = {
  error: 'ERROR_BATCH_METHOD_NOT_ALLOWED',
  error_description: 'Method is not allowed for batch usage',
}
const REFERENCE = /\$(result|error|total|next|time)((?:\[[^\]]*\])+)/g

type Kind = 'result' | 'error' | 'total' | 'next' | 'time'

export interface BatchResult {
  result: Map<string, unknown>
  result_error: Map<string, unknown>
  result_total: Map<string, unknown>
  result_next: Map<string, unknown>
  result_time: Map<string, unknown>
}

export interface BatchDeps {
  clock: EmulatorClock
  invoke(method: string, params: Params, caller: Caller): Promise<CallOutcome>
  /** PHP's input limits for the `parse_str` of each command's query; PHP's defaults when absent. */
  inputLimits?: InputLimits
  /** True once the request was cut at the time limit: no further command runs. */
  stopped?: () => boolean
}

/** The commands in order: a list gives keys 0..n-1, a map its own keys. */
function commandEntries(cmd: unknown): [string, unknown][] {
  if (Array.isArray(cmd)) return cmd.map((command, i) => [String(i), command])
  if (typeof cmd === 'object' && cmd !== null) return Object.entries(cmd)
  return []
}

/** `crm.deal.get.json?id=1` → method `crm.deal.get`, query `id=1`. */
function splitCommand(command: string): { method: string; query: string } {
  const mark = command.indexOf('?')
  const path = (mark < 0 ? command : command.slice(0, mark)).trim()
  return { method: path.replace(/\.(json|xml)$/i, ''), query: mark < 0 ? '' : command.slice(mark + 1) }
}

function child(node: unknown, key: string): { found: boolean; value?: unknown } {
  if (node instanceof Map) return node.has(key) ? { found: true, value: node.get(key) } : { found: false }
  if (typeof node === 'object' && node !== null && Object.hasOwn(node, key)) {
    return { found: true, value: (node as Record<string, unknown>)[key] }
  }
  return { found: false }
}

/** Follows a reference path; a missing segment stops at the deepest level found. `undefined`: unknown command. */
function resolve(results: BatchResult, kind: Kind, path: string): { value: unknown } | undefined {
  const segments = [...path.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1])
  const map = results[kind === 'result' ? 'result' : (`result_${kind}` as const)]
  const first = child(map, segments[0])
  if (!first.found) return undefined
  let value = first.value
  for (const segment of segments.slice(1)) {
    const next = child(value, segment)
    if (!next.found) break
    value = next.value
  }
  return { value }
}

/** PHP string conversion of a substituted value. */
function interpolate(value: unknown): string {
  if (value === null || value === undefined || value === false) return ''
  if (value === true) return '1'
  if (typeof value === 'object') return 'Array'
  return String(value)
}

function substitute(value: unknown, results: BatchResult): unknown {
  if (typeof value === 'string') {
    if (!value.includes('$')) return value
    const whole = new RegExp(`^${REFERENCE.source}$`).exec(value)
    if (whole) {
      const found = resolve(results, whole[1] as Kind, whole[2])
      return found ? found.value : value
    }
    return value.replace(REFERENCE, (text, kind: Kind, path: string) => {
      const found = resolve(results, kind, path)
      return found ? interpolate(found.value) : text
    })
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, results))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = substitute(item, results)
    return out
  }
  return value
}

export async function runBatch(
  params: Params,
  caller: Caller,
  deps: BatchDeps,
): Promise<{ result: BatchResult; time: TimeBlock }> {
  const start = deps.clock.now()
  const halt = isTruthyFlag(getParamIgnoreCase(params, 'halt'))
  const results: BatchResult = {
    result: new Map(),
    result_error: new Map(),
    result_total: new Map(),
    result_next: new Map(),
    result_time: new Map(),
  }
  let processing = 0
  let index = 0
  for (const [key, command] of commandEntries(getParamIgnoreCase(params, 'cmd'))) {
    if (deps.stopped?.()) break
    index += 1
    if (index > MAX_BATCH_COMMANDS) {
      results.result_error.set(key, LENGTH_EXCEEDED)
      if (halt) break
      continue
    }
    if (typeof command !== 'string') continue
    const { method, query } = splitCommand(command)
    if (method.toLowerCase() === 'batch') {
      results.result_error.set(key, NOT_ALLOWED)
      if (halt) break
      continue
    }
    const subParams = substitute(stripAuthParams(parseQuery(query, deps.inputLimits)), results) as Params
    const outcome = await deps.invoke(method, subParams, caller)
    if (!outcome.ok) {
      results.result_error.set(key, errorEnvelope(outcome.error))
      if (halt) break
      continue
    }
    results.result.set(key, outcome.result)
    if (outcome.total !== undefined && outcome.total !== null) results.result_total.set(key, toInt(outcome.total))
    if (outcome.next !== undefined && outcome.next !== null) results.result_next.set(key, toInt(outcome.next))
    results.result_time.set(key, outcome.time)
    processing += outcome.time.processing
  }
  const finish = Math.max(deps.clock.now(), start + processing)
  return { result: results, time: timeBlock(start, finish, processing, undefined, deps.clock.tzMinutes) }
}
