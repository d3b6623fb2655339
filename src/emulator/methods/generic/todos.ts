/**
 * `crm.activity.todo.*`: to-dos are CRM activities of the `CRM_TODO` provider, so these methods translate their
 * camelCase parameters into calls of the stateful `crm.activity.add` / `update` / `get` and answer `{ id }`.
 */
import { type CallContext, type MethodDefinition, type Params, RestError } from '../../kernel.js'
import { pickParam, positiveId } from '../util.js'

interface ActivityMethods {
  add: MethodDefinition
  get: MethodDefinition
  update: MethodDefinition
}

function required(params: Params, name: string): unknown {
  const value = pickParam(params, name)
  if (value === undefined || value === null || value === '') {
    throw new RestError('ERROR_ARGUMENT', `Required parameter '${name}' is missing`, 400)
  }
  return value
}

/** Activity fields from the to-do parameters present in `params` (`names` maps parameter → activity field). */
function fieldsOf(params: Params, names: Record<string, string>): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  for (const [param, field] of Object.entries(names)) {
    const value = pickParam(params, param)
    if (value !== undefined) fields[field] = value
  }
  return fields
}

const TODO_FIELDS: Record<string, string> = {
  title: 'SUBJECT',
  description: 'DESCRIPTION',
  responsibleId: 'RESPONSIBLE_ID',
  deadline: 'DEADLINE',
}

export function todoMethods(activity: ActivityMethods): Record<string, MethodDefinition> {
  /** The to-do `id` of this owner, or NOT_FOUND. */
  const existing = (params: Params, ctx: CallContext): number => {
    const id = positiveId(required(params, 'id'))
    const ownerTypeId = String(required(params, 'ownerTypeId'))
    const ownerId = String(required(params, 'ownerId'))
    let row: Record<string, unknown> | undefined
    try {
      row = activity.get.handler({ id }, ctx).result as Record<string, unknown>
    } catch {
      row = undefined
    }
    if (
      id === null ||
      !row ||
      row.PROVIDER_ID !== 'CRM_TODO' ||
      row.OWNER_TYPE_ID !== ownerTypeId ||
      row.OWNER_ID !== ownerId
    ) {
      throw new RestError('NOT_FOUND', 'CRM object not found', 400)
    }
    return id
  }
  const update = (id: number, fields: Record<string, unknown>, ctx: CallContext) => {
    if (fields.DEADLINE !== undefined) {
      fields.START_TIME = fields.DEADLINE
      fields.END_TIME = fields.DEADLINE
    }
    activity.update.handler({ id, fields }, ctx)
    return { result: { id } }
  }
  const method = (handler: MethodDefinition['handler']): MethodDefinition => ({ scope: 'crm', handler })

  return {
    'crm.activity.todo.add': method((params, ctx) => {
      const deadline = required(params, 'deadline')
      const fields = {
        OWNER_TYPE_ID: required(params, 'ownerTypeId'),
        OWNER_ID: required(params, 'ownerId'),
        TYPE_ID: 6,
        PROVIDER_ID: 'CRM_TODO',
        PROVIDER_TYPE_ID: 'TODO',
        SUBJECT: '',
        RESPONSIBLE_ID: ctx.userId,
        COMMUNICATIONS: [],
        START_TIME: deadline,
        END_TIME: deadline,
        ...fieldsOf(params, TODO_FIELDS),
      }
      return { result: { id: activity.add.handler({ fields }, ctx).result as number } }
    }),
    'crm.activity.todo.update': method((params, ctx) => {
      required(params, 'deadline')
      return update(existing(params, ctx), fieldsOf(params, TODO_FIELDS), ctx)
    }),
    'crm.activity.todo.updateDeadline': method((params, ctx) =>
      update(existing(params, ctx), { DEADLINE: required(params, 'value') }, ctx),
    ),
    'crm.activity.todo.updateDescription': method((params, ctx) =>
      update(existing(params, ctx), { DESCRIPTION: required(params, 'value') }, ctx),
    ),
    'crm.activity.todo.updateResponsibleUser': method((params, ctx) =>
      update(existing(params, ctx), { RESPONSIBLE_ID: required(params, 'responsibleId') }, ctx),
    ),
    'crm.activity.todo.updateColor': method((params, ctx) => {
      required(params, 'colorId')
      return update(existing(params, ctx), {}, ctx)
    }),
  }
}
