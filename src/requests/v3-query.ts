/**
 * REST 3.0 list parameters as types: the filter (`[field, operator, value]` conditions and `logic` groups), the
 * `select` with related fields (`responsible.name`), the order and the pagination, typed on an entity's fields;
 * and `where(…)`, a builder whose every result is a valid filter.
 */
import { BitrixValidationError } from '../errors/index.js'

/** A scalar a REST 3.0 filter compares with. */
export type V3Scalar = string | number | boolean | null

/** The comparison operators of a REST 3.0 filter condition (`api-reference/rest-v3.md#operators`). */
export type V3CompareOperator = '=' | '!=' | '>' | '>=' | '<' | '<='

/** Every REST 3.0 filter operator. */
export type V3Operator = V3CompareOperator | 'in' | 'between'

/** The operators, for run-time checks. */
export const V3_OPERATORS: readonly V3Operator[] = Object.freeze(['=', '!=', '>', '>=', '<', '<=', 'in', 'between'])

/** What a field's conditions compare with: the field's own scalar type, else any scalar. */
export type V3FieldValue<E, K extends keyof E> = [NonNullable<E[K]>] extends [string | number | boolean]
  ? NonNullable<E[K]> | null
  : V3Scalar

/** The field names of an entity. */
export type V3FieldName<E> = keyof E & string

/** One condition on field `K`: `[K, op, value]`, `[K, 'in', [values]]`, `[K, 'between', [from, to]]`, `[K, [values]]`. */
export type V3ConditionOn<E, K extends keyof E & string> =
  | readonly [K, V3CompareOperator, V3FieldValue<E, K>]
  | readonly [K, 'in', readonly V3FieldValue<E, K>[]]
  | readonly [K, 'between', readonly [V3FieldValue<E, K>, V3FieldValue<E, K>]]
  | readonly [K, readonly V3FieldValue<E, K>[]]
  | readonly [K, V3FieldValue<E, K>]

/** A condition on any of the entity's fields. */
export type V3Condition<E> = { [K in V3FieldName<E>]: V3ConditionOn<E, K> }[V3FieldName<E>]

/** A group of conditions joined by `logic` (`or`, or `and` to nest inside an `or`). */
export interface V3FilterGroup<E> {
  readonly logic: 'or' | 'and'
  readonly conditions: readonly V3FilterNode<E>[]
}

/** A condition or a group. */
export type V3FilterNode<E> = V3Condition<E> | V3FilterGroup<E>

/** A REST 3.0 `filter`: its nodes all hold (AND). */
export type V3Filter<E> = readonly V3FilterNode<E>[]

/** `field.subfield` for each field of the entity that holds a related object (`responsible.name`). */
export type V3RelationPath<E> = {
  [K in V3FieldName<E>]: NonNullable<E[K]> extends readonly unknown[]
    ? never
    : NonNullable<E[K]> extends object
      ? `${K}.${string}`
      : never
}[V3FieldName<E>]

/** A REST 3.0 `select`: the entity's fields, and fields of related objects with a dot (`responsible.name`). */
export type V3Select<E> = readonly (V3FieldName<E> | V3RelationPath<E>)[]

/** A REST 3.0 `order`: field → `ASC` / `DESC`. */
export type V3Order<E> = { readonly [K in V3FieldName<E>]?: 'ASC' | 'DESC' | 'asc' | 'desc' }

/** A REST 3.0 `pagination`: `limit` rows from `offset`, or page `page` of `limit` rows. */
export interface V3Pagination {
  /** Page number, from 1. */
  page?: number
  /** Rows per page: the method's default (25 or 50) up to its documented maximum. */
  limit?: number
  /** Rows to skip; computed from `page` and `limit` when both are given. */
  offset?: number
}

function checkCondition(field: unknown, operator: unknown, value: unknown): void {
  const fail = (message: string, received: unknown) =>
    new BitrixValidationError({ message: `where(): ${message}`, parameter: 'filter', received })
  if (typeof field !== 'string' || field === '') throw fail('the field must be a non-empty name', field)
  if (!V3_OPERATORS.includes(operator as V3Operator))
    throw fail(`the operator must be one of ${V3_OPERATORS.join(' ')}`, operator)
  if (operator === 'in' && (!Array.isArray(value) || value.length === 0))
    throw fail(`"${field}" in needs a non-empty list of values`, value)
  if (operator === 'between' && (!Array.isArray(value) || value.length !== 2 || value.includes(undefined)))
    throw fail(`"${field}" between needs [from, to]`, value)
  if (
    operator !== 'in' &&
    operator !== 'between' &&
    (value === undefined || (typeof value === 'object' && value !== null))
  )
    throw fail(`"${field}" ${String(operator)} needs a single value`, value)
}

/** The value a condition with operator `O` on field `K` takes. */
export type V3OperandOf<E, K extends keyof E, O extends V3Operator> = O extends 'in'
  ? readonly V3FieldValue<E, K>[]
  : O extends 'between'
    ? readonly [V3FieldValue<E, K>, V3FieldValue<E, K>]
    : V3FieldValue<E, K>

/**
 * A REST 3.0 filter under construction, and already a valid one: it is the filter array itself, frozen, so it
 * goes straight into `filter`. Each `and`/`or` returns a new filter.
 * @example
 * const filter = where<TaskV3>('status', '=', 'pending').and('id', 'in', [3, 4]).or(where<TaskV3>('priority', '=', 'high'))
 */
export class V3Where<E> extends Array<V3FilterNode<E>> {
  /** Array methods (`map`, `filter`, …) return plain arrays, not filters. */
  static override get [Symbol.species](): ArrayConstructor {
    return Array
  }

  /** @internal Use `where(…)`. */
  constructor(nodes: readonly V3FilterNode<E>[]) {
    super()
    for (const node of nodes) super.push(node)
    Object.freeze(this)
  }

  /** This filter and one more condition. */
  and<K extends V3FieldName<E>, O extends V3Operator>(field: K, operator: O, value: V3OperandOf<E, K, O>): V3Where<E>
  /** This filter and another one (nested as a group). */
  and(other: V3Where<E>): V3Where<E>
  and(field: string | V3Where<E>, operator?: V3Operator, value?: unknown): V3Where<E> {
    return new V3Where<E>([...this, toNode<E>(field, operator, value)])
  }

  /** Either this filter or one condition. */
  or<K extends V3FieldName<E>, O extends V3Operator>(field: K, operator: O, value: V3OperandOf<E, K, O>): V3Where<E>
  /** Either this filter or another one. */
  or(other: V3Where<E>): V3Where<E>
  or(field: string | V3Where<E>, operator?: V3Operator, value?: unknown): V3Where<E> {
    return new V3Where<E>([{ logic: 'or', conditions: [asNode(this), toNode<E>(field, operator, value)] }])
  }
}

/** A filter as one node: its only node, or an `and` group of its nodes. */
function asNode<E>(filter: V3Where<E>): V3FilterNode<E> {
  return filter.length === 1 ? filter[0] : { logic: 'and', conditions: [...filter] }
}

function toNode<E>(field: string | V3Where<E>, operator: V3Operator | undefined, value: unknown): V3FilterNode<E> {
  if (field instanceof V3Where) {
    if (field.length === 0)
      throw new BitrixValidationError({ message: 'where(): an empty filter', parameter: 'filter' })
    return asNode(field)
  }
  checkCondition(field, operator, value)
  return Object.freeze([field, operator, value]) as unknown as V3FilterNode<E>
}

/**
 * Starts a REST 3.0 filter with one condition; operators `= != > >= < <= in between`. Type the entity to check the
 * field names and values: `where<TaskV3>('status', '=', 'pending')`. A bad operator, an empty `in` list or a
 * `between` without two bounds is a `BitrixValidationError` (and, typed, a compile error).
 */
export function where<
  E = Record<string, V3Scalar>,
  K extends V3FieldName<E> = V3FieldName<E>,
  O extends V3Operator = V3Operator,
>(field: K, operator: O, value: V3OperandOf<E, K, O>): V3Where<E> {
  return new V3Where<E>([toNode<E>(field, operator, value)])
}

/** The `cursor` of a REST 3.0 `tail` method: rows after `value` of `field`, `limit` at a time. */
export interface V3Cursor<E> {
  /** The field the cursor moves on; default `id`. */
  field?: keyof E & string
  /** `ASC` (default) or `DESC`. */
  order?: 'ASC' | 'DESC'
  /** Rows after this value of `field` are returned; default 0. */
  value?: string | number
  /** Rows per call; default 50. */
  limit?: number
}

/**
 * `where` for one entity, with field names and values checked at compile time:
 * @example
 * const where = whereFor<TaskV3>()
 * client.v3.tasks.task.list({ filter: where('status', '=', 'pending').and('id', 'in', [3, 4]) })
 */
export function whereFor<E>(): <K extends V3FieldName<E>, O extends V3Operator>(
  field: K,
  operator: O,
  value: V3OperandOf<E, K, O>,
) => V3Where<E> {
  return (field, operator, value) => new V3Where<E>([toNode<E>(field, operator, value)])
}
