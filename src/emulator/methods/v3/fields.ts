/** `*.field.list` / `*.field.get` of a v3 DTO (e.g. tasks-task-field-list.md): the fields and what each allows. */
import type { CostModel } from '../../kernel.js'
import type { V3MethodDefinition } from './definition.js'
import { requiredField, v3Error, validationError } from './errors.js'
import { parseSelect, project, type V3Dto, type V3Item } from './query.js'

const WIRE_TYPES: Record<string, string> = { integer: 'int', datetime: 'datetime', boolean: 'bool' }

const FIELD_DTO: V3Dto = {
  name: 'FieldDto',
  fields: [
    'name',
    'type',
    'title',
    'description',
    'validationRules',
    'requiredGroups',
    'filterable',
    'sortable',
    'editable',
    'multiple',
    'elementType',
  ].map((name) => ({ name, type: 'string' as const, description: name })),
}

function describe(dto: V3Dto): V3Item[] {
  const own = dto.fields.map((field) => ({
    name: field.name,
    type: WIRE_TYPES[field.type] ?? field.type,
    title: field.name,
    description: field.description,
    validationRules: [],
    requiredGroups: null,
    filterable: field.filterable === true,
    sortable: field.sortable === true,
    editable: field.editable === true,
    multiple: field.type === 'array',
    elementType: null,
  }))
  const related = Object.entries(dto.relations ?? {}).map(([name, relation]) => ({
    name,
    type: 'object',
    title: name,
    description: relation.description,
    validationRules: [],
    requiredGroups: null,
    filterable: false,
    sortable: false,
    editable: false,
    multiple: false,
    elementType: relation.dto.name,
  }))
  return [...own, ...related]
}

/** `<prefix>.field.list` and `<prefix>.field.get` for `dto`. */
export function fieldMethods(
  prefix: string,
  dto: V3Dto,
  scope: string,
  costs: CostModel,
): Record<string, V3MethodDefinition> {
  const all = FIELD_DTO.fields.map((f) => f.name)
  const select = { type: 'array' as const, description: 'Attributes of each field to return' }
  return {
    [`${prefix}.field.list`]: {
      scope,
      write: false,
      summary: `The fields of ${dto.name}`,
      params: { select },
      result: { kind: 'items', dto: FIELD_DTO },
      handler: (params, ctx) => {
        ctx.cost(costs.base)
        const selection = parseSelect(params.select, FIELD_DTO, all)
        return { result: { items: describe(dto).map((field) => project(field, selection, FIELD_DTO)) } }
      },
    },
    [`${prefix}.field.get`]: {
      scope,
      write: false,
      summary: `One field of ${dto.name}`,
      params: { name: { type: 'string', description: 'Field name', required: true }, select },
      result: { kind: 'item', dto: FIELD_DTO },
      handler: (params, ctx) => {
        ctx.cost(costs.base)
        if (typeof params.name !== 'string') throw validationError([requiredField('name')])
        const selection = parseSelect(params.select, FIELD_DTO, all)
        const field = describe(dto).find((f) => f.name === params.name)
        if (!field) throw v3Error('ENTITYNOTFOUNDEXCEPTION', `Field \`${params.name}\` not found`)
        return { result: { item: project(field, selection, FIELD_DTO) } }
      },
    },
  }
}
