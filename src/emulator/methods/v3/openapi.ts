/**
 * The OpenAPI 3.0.0 document `rest.documentation.openapi` answers (rest-v3.md, "OpenAPI documentation"),
 * generated from the v3 method definitions the emulator serves: one `POST /{method}` path each, its body
 * parameters, and the DTO schemas of its result under `components.schemas`.
 */
import type { V3MethodDefinition, V3Param } from './definition.js'
import { V3_ERROR_PREFIX } from './errors.js'
import type { V3Dto, V3FieldType } from './query.js'

type Schema = Record<string, unknown>

function typeSchema(type: V3FieldType | 'object'): Schema {
  switch (type) {
    case 'datetime':
      return { type: 'string', format: 'date-time' }
    case 'array':
      return { type: 'array', items: {} }
    default:
      return { type }
  }
}

function dtoSchema(dto: V3Dto): Schema {
  const properties: Record<string, Schema> = {}
  for (const field of dto.fields)
    properties[field.name] = { ...typeSchema(field.type), description: field.description, nullable: true }
  for (const [name, relation] of Object.entries(dto.relations ?? {})) {
    properties[name] = { $ref: `#/components/schemas/${relation.dto.name}`, description: relation.description }
  }
  return { type: 'object', properties }
}

function collectDtos(dto: V3Dto, into: Map<string, V3Dto>): void {
  if (into.has(dto.name)) return
  into.set(dto.name, dto)
  for (const relation of Object.values(dto.relations ?? {})) collectDtos(relation.dto, into)
}

function resultSchema(definition: V3MethodDefinition): Schema {
  const { result } = definition
  if (result.kind === 'item')
    return { type: 'object', properties: { item: { $ref: `#/components/schemas/${result.dto.name}` } } }
  if (result.kind === 'items') {
    return {
      type: 'object',
      properties: { items: { type: 'array', items: { $ref: `#/components/schemas/${result.dto.name}` } } },
    }
  }
  if (result.kind === 'result') return { type: 'object', properties: { result: { type: 'boolean' } } }
  return { type: 'object' }
}

function bodySchema(params: Readonly<Record<string, V3Param>>): Schema {
  const required = Object.entries(params)
    .filter(([, p]) => p.required)
    .map(([name]) => name)
  const properties = Object.fromEntries(
    Object.entries(params).map(([name, p]) => [name, { ...typeSchema(p.type), description: p.description }]),
  )
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) }
}

/** The document, paths sorted by method name. */
export function openApiDocument(methods: ReadonlyMap<string, V3MethodDefinition>): Schema {
  const dtos = new Map<string, V3Dto>()
  const tags = new Set<string>()
  const paths: Record<string, Schema> = {}
  for (const name of [...methods.keys()].sort()) {
    const definition = methods.get(name) as V3MethodDefinition
    const tag = name.split('.')[0]
    tags.add(tag)
    if (definition.result.kind === 'item' || definition.result.kind === 'items')
      collectDtos(definition.result.dto, dtos)
    paths[`/${name}`] = {
      post: {
        tags: [tag],
        operationId: name,
        summary: definition.summary,
        'x-scope': definition.scope,
        'x-idempotent-write': definition.write,
        requestBody: { content: { 'application/json': { schema: bodySchema(definition.params) } } },
        responses: {
          '200': {
            description: 'Success',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { result: resultSchema(definition), time: { $ref: '#/components/schemas/Time' } },
                },
              },
            },
          },
          '400': {
            description: 'Error',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        },
      },
    }
  }
  const schemas: Record<string, Schema> = {
    Time: {
      type: 'object',
      properties: Object.fromEntries(
        ['start', 'finish', 'duration', 'processing', 'operating_reset_at', 'operating']
          .map((k) => [k, { type: 'number' }] as [string, Schema])
          .concat([
            ['date_start', { type: 'string', format: 'date-time' }],
            ['date_finish', { type: 'string', format: 'date-time' }],
          ]),
      ),
    },
    Error: {
      type: 'object',
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: { type: 'string', description: `Starts with ${V3_ERROR_PREFIX}` },
            message: { type: 'string' },
            validation: {
              type: 'array',
              items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
    },
  }
  for (const [name, dto] of [...dtos].sort(([a], [b]) => (a < b ? -1 : 1))) schemas[name] = dtoSchema(dto)
  return {
    openapi: '3.0.0',
    info: { title: 'Bitrix24 REST V3 API', version: '1.0.0' },
    tags: [...tags].sort().map((name) => ({ name, description: `${name} module methods` })),
    paths,
    components: { schemas },
  }
}
