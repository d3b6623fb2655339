/** spec/methods.json: the catalogue with a fixed key order, so the bytes depend only on the data. */
import type { FieldSpec, ListSpec, MethodSpec, ParamSpec, ResultSpec } from '../model.js'

function field(f: FieldSpec): FieldSpec {
  return {
    name: f.name,
    type: f.type,
    array: f.array,
    ...(f.fields === undefined ? {} : { fields: f.fields.map(field) }),
    ...(f.values === undefined ? {} : { values: f.values }),
    ...(f.description === undefined ? {} : { description: f.description }),
  }
}

function param(p: ParamSpec): ParamSpec {
  return {
    name: p.name,
    type: p.type,
    required: p.required,
    array: p.array,
    ...(p.fields === undefined ? {} : { fields: p.fields.map(param) }),
    ...(p.values === undefined ? {} : { values: p.values }),
    ...(p.description === undefined ? {} : { description: p.description }),
  }
}

function result(r: ResultSpec): ResultSpec {
  switch (r.kind) {
    case 'scalar':
      return { kind: 'scalar', type: r.type }
    case 'object':
      return { kind: 'object', ...(r.fields === undefined ? {} : { fields: r.fields.map(field) }) }
    case 'list':
      return { kind: 'list', key: r.key, ...(r.item === undefined ? {} : { item: r.item.map(field) }) }
    default:
      return { kind: 'unknown' }
  }
}

function list(l: ListSpec): ListSpec {
  return { key: l.key, idField: l.idField, filterKey: l.filterKey, orderKey: l.orderKey, selectKey: l.selectKey }
}

export function canonical(spec: MethodSpec): MethodSpec {
  return {
    name: spec.name,
    ...(spec.version === undefined ? {} : { version: spec.version }),
    scope: spec.scope,
    scopes: spec.scopes,
    doc: spec.doc,
    deprecated: spec.deprecated,
    summary: spec.summary,
    params: spec.params.map(param),
    result: result(spec.result),
    ...(spec.list === undefined ? {} : { list: list(spec.list) }),
    ...(spec.example === undefined ? {} : { example: spec.example }),
    sources: spec.sources,
  }
}

/** One record per line: compact, and a change to one method is a one-line diff. */
export function emitSpec(specs: readonly MethodSpec[]): string {
  return `[\n${specs.map((spec) => JSON.stringify(canonical(spec))).join(',\n')}\n]\n`
}
