/** What a REST 3.0 method is to the emulator: a handler plus what the OpenAPI document and the idempotency store need. */
import type { MethodDefinition } from '../../kernel.js'
import type { V3Dto, V3FieldType } from './query.js'

/** One body parameter of a v3 method, as the OpenAPI document describes it. */
export interface V3Param {
  type: V3FieldType | 'object'
  description: string
  required?: boolean
}

/** The shape of `result`: `{ item }` / `{ items }` of a DTO, `{ result: boolean }`, or free-form. */
export type V3ResultShape = { kind: 'item' | 'items'; dto: V3Dto } | { kind: 'result' } | { kind: 'object' }

export interface V3MethodDefinition extends MethodDefinition {
  /** Creates, changes or deletes data: an `Idempotency-Key` applies to it (rest-v3.md, "What to consider"). */
  write: boolean
  /** One line for the OpenAPI document. */
  summary: string
  params: Readonly<Record<string, V3Param>>
  result: V3ResultShape
  /** Answered as the bare result with no `result` / `time` envelope (`rest.documentation.openapi`). */
  bare?: boolean
}

/** Method name (lower case) → v3 definition. */
export type V3MethodTable = Map<string, V3MethodDefinition>

export const SELECT_PARAM: V3Param = { type: 'array', description: 'Fields to return; related fields with a dot' }
export const FILTER_PARAM: V3Param = {
  type: 'array',
  description: 'Conditions `[field, operator, value]`, AND-ed; `{ logic: "or", conditions }` groups',
}
export const ORDER_PARAM: V3Param = { type: 'object', description: 'Sorting, `{ field: "ASC" | "DESC" }`' }
export const PAGINATION_PARAM: V3Param = {
  type: 'object',
  description: '`{ page, limit, offset }`; limit default 50, maximum 1000',
}
export const ID_PARAM: V3Param = { type: 'integer', description: 'Identifier', required: true }
