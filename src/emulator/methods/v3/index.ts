/**
 * The REST 3.0 methods the emulator serves at `/rest/api/` (api-reference/rest-v3.md): tasks and the event log
 * over the portal's own stores (shared with v2), the `*.field.*` descriptions, `rest.documentation.openapi`
 * (alias `documentation`) generated from these definitions, and `rest.scope.list`.
 */
import type { MethodDefinition } from '../../kernel.js'
import type { Portal } from '../index.js'
import type { V3MethodDefinition, V3MethodTable } from './definition.js'
import { EventLogStore, eventLogV3Methods } from './eventlog.js'
import { openApiDocument } from './openapi.js'
import { taskV3Methods } from './tasks.js'

export type { V3MethodDefinition, V3MethodTable } from './definition.js'
export { V3_ERROR_PREFIX, validationOf } from './errors.js'

/** Builds the v3 method table over `portal`'s stores. */
export function createV3Methods(portal: Portal): V3MethodTable {
  const v2 = (name: string): MethodDefinition => {
    const definition = portal.methods.get(name)
    if (!definition) throw new Error(`v2 method ${name} is missing`)
    return definition
  }
  const { costs } = portal.env
  const methods: V3MethodTable = new Map()
  const add = (defs: Record<string, V3MethodDefinition>) => {
    for (const [name, definition] of Object.entries(defs)) methods.set(name.toLowerCase(), definition)
  }
  add(taskV3Methods(portal.tasks, portal.directory, portal.groups, v2))
  add(eventLogV3Methods(new EventLogStore(portal.env), portal.directory, portal.env))

  let document: Record<string, unknown> | undefined
  const openapi: V3MethodDefinition = {
    scope: 'basic',
    write: false,
    bare: true,
    summary: 'This document: the REST 3.0 methods the portal serves (alias `documentation`)',
    params: {},
    result: { kind: 'object' },
    handler: (_params, ctx) => {
      ctx.cost(costs.base)
      document ??= openApiDocument(methods)
      return { result: document }
    },
  }
  const scopeList: V3MethodDefinition = {
    scope: 'basic',
    write: false,
    summary: 'Method-to-scope mapping of every REST 3.0 method',
    params: {},
    result: { kind: 'object' },
    handler: (_params, ctx) => {
      ctx.cost(costs.base)
      const items = [...methods].sort(([a], [b]) => (a < b ? -1 : 1)).map(([method, d]) => ({ method, scope: d.scope }))
      return { result: { items } }
    },
  }
  methods.set('rest.documentation.openapi', openapi)
  methods.set('documentation', openapi)
  methods.set('rest.scope.list', scopeList)
  return methods
}
