/** Paging facts for list methods (`total` / `next` with `start`): where rows sit and which ID keyset paging uses. */
import type { ListSpec, ParamSpec, ResultSpec } from '../model.js'

function paramName(params: ParamSpec[], wanted: string[], fallback: string): string {
  for (const name of wanted) {
    const found = params.find((p) => p.name.toLowerCase() === name)
    if (found !== undefined) return found.name
  }
  return fallback
}

function firstRow(example: unknown, key: string | null): Record<string, unknown> | undefined {
  if (example === null || typeof example !== 'object') return undefined
  let rows: unknown = (example as Record<string, unknown>).result
  if (key !== null)
    rows = rows !== null && typeof rows === 'object' ? (rows as Record<string, unknown>)[key] : undefined
  const row = Array.isArray(rows) ? rows[0] : undefined
  return row !== null && typeof row === 'object' && !Array.isArray(row) ? (row as Record<string, unknown>) : undefined
}

/** The ID as filter and order spell it (documented filter fields first), else as the example's rows spell it. */
function idFieldOf(result: ResultSpec & { kind: 'list' }, params: ParamSpec[], example: unknown): ListSpec['idField'] {
  for (const name of ['filter', 'order']) {
    const fields = params.find((p) => p.name.toLowerCase() === name)?.fields?.map((f) => f.name) ?? []
    if (fields.includes('ID')) return 'ID'
    if (fields.includes('id')) return 'id'
  }
  const row = firstRow(example, result.key)
  const names = row !== undefined ? Object.keys(row) : (result.item ?? []).map((f) => f.name)
  return names.includes('ID') ? 'ID' : names.includes('id') ? 'id' : 'ID'
}

export function inferList(
  result: ResultSpec,
  params: ParamSpec[],
  example: unknown,
  paged: boolean,
): ListSpec | undefined {
  if (result.kind !== 'list') return undefined
  const hasStart = params.some((p) => p.name === 'start')
  if (!paged && !hasStart) return undefined
  return {
    key: result.key,
    idField: idFieldOf(result, params, example),
    filterKey: paramName(params, ['filter'], 'filter'),
    orderKey: paramName(params, ['order', 'sort'], 'order'),
    selectKey: paramName(params, ['select'], 'select'),
  }
}
