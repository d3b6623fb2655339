import type { LogRecordLevel } from './levels.js'

/** A `BaseLogger` line layout: `'text'` (`time LEVEL message key=value …`) or `'json'` (one object per line). */
export type LogFormat = 'text' | 'json'

const jsonReplacer = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value)

const toJson = (value: unknown): string => JSON.stringify(value, jsonReplacer) ?? 'undefined'

/** One record, one line: control characters in the message are escaped so a message cannot forge extra lines. */
const escapeLineBreaks = (text: string): string =>
  /[\r\n\u2028\u2029]/.test(text)
    ? text
        .replace(/\r/g, '\\r')
        .replace(/\n/g, '\\n')
        .replace(/\u2028/g, '\\u2028')
        .replace(/\u2029/g, '\\u2029')
    : text

const BARE = /^[^\s"'=\\]+$/

function formatTextValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return BARE.test(value) ? value : toJson(value)
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value)
    default:
      return value === null ? 'null' : toJson(value)
  }
}

/** `2026-05-14T10:26:32.123Z INFO  message key=value text="with spaces" obj={"a":1}`; `undefined` values are skipped. */
export function formatText(
  time: Date,
  level: LogRecordLevel,
  message: string,
  context: Record<string, unknown> | undefined,
): string {
  let line = `${time.toISOString()} ${level.toUpperCase().padEnd(5)} ${escapeLineBreaks(message)}`
  if (context !== undefined) {
    for (const key in context) {
      const value = context[key]
      if (value === undefined) continue
      line += ` ${BARE.test(key) ? key : toJson(key)}=${formatTextValue(value)}`
    }
  }
  return line
}

/** `{"time":"…","level":"info","message":"…","context":{…}}`; the context nests so it can never shadow a field. */
export function formatJson(
  time: Date,
  level: LogRecordLevel,
  message: string,
  context: Record<string, unknown> | undefined,
): string {
  const record: Record<string, unknown> = { time: time.toISOString(), level, message }
  if (context !== undefined) record.context = context
  return toJson(record)
}
