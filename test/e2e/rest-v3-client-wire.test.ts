/**
 * REST 3.0 in the client, from the bytes on the wire: errors keep their class and `validation` entries (v2 errors
 * keep theirs), writes carry an `Idempotency-Key`, a replayed answer is flagged, and an OAuth token refresh keeps
 * the call on `/rest/api/`. Served by a tiny node:http portal on 127.0.0.1.
 */
import { describe, expect, it } from 'vitest'
import {
  BitrixAPIErrorCore,
  BitrixAPIV3AccessDenied,
  BitrixAPIV3Error,
  BitrixAPIV3IdempotencyKeyReused,
  BitrixAPIV3InsufficientScope,
  BitrixAPIV3InvalidJson,
  BitrixAPIV3InvalidQuery,
  BitrixAPIV3MethodNotFound,
  BitrixAPIV3NotFound,
  BitrixAPIV3ValidationError,
  BitrixValidationError,
} from '../../src/errors/index.js'
import { BitrixApp, BitrixToken, Client } from '../../src/index.js'
import { type Handler, useV3Server, v3Error, v3Result } from './rest-v3-server.js'

const portal = useV3Server()
const clientFor = (handler: Handler) => portal.client(handler, { validateArguments: false })

describe('errors from the wire', () => {
  it('a REST 3.0 validation error reaches the caller typed, with its validation entries', async () => {
    const { client } = await clientFor(() =>
      v3Error(
        400,
        'BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION',
        'Error validating request object',
        [
          { message: 'Required field `id` is not specified', field: 'id' },
          { message: 'Must be a number', field: 'select.0' },
        ],
      ),
    )
    const error = await client.call('tasks.task.get', {}, { apiVersion: 3 }).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(BitrixAPIV3ValidationError)
    expect(error).toBeInstanceOf(BitrixAPIV3Error)
    const v3 = error as BitrixAPIV3ValidationError
    expect(v3.code).toBe('BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION')
    expect(v3.status).toBe(400)
    expect(v3.method).toBe('tasks.task.get')
    expect(v3.validation).toEqual([
      { message: 'Required field `id` is not specified', field: 'id' },
      { message: 'Must be a number', field: 'select.0' },
    ])
    expect(v3.message).toContain('id: Required field `id` is not specified')
  })

  it.each([
    ['BITRIX_REST_V3_EXCEPTION_ENTITYNOTFOUNDEXCEPTION', 400, BitrixAPIV3NotFound],
    ['BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION', 403, BitrixAPIV3AccessDenied],
    ['BITRIX_REST_V3_EXCEPTION_METHODNOTFOUNDEXCEPTION', 404, BitrixAPIV3MethodNotFound],
    ['BITRIX_REST_V3_EXCEPTION_INVALIDPAGINATIONEXCEPTION', 400, BitrixAPIV3InvalidQuery],
    ['BITRIX_REST_V3_EXCEPTION_INSUFFICIENTSCOPEEXCEPTION', 403, BitrixAPIV3InsufficientScope],
    ['BITRIX_REST_V3_EXCEPTION_INVALIDJSONEXCEPTION', 400, BitrixAPIV3InvalidJson],
    ['BITRIX_REST_V3_EXCEPTION_SOMETHINGNEWEXCEPTION', 400, BitrixAPIV3Error],
  ])('%s is its own class', async (code, status, ErrorClass) => {
    const { client } = await clientFor(() => v3Error(status, code, 'no'))
    const error = await client.call('main.eventlog.get', { id: 1 }).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(ErrorClass)
    expect((error as BitrixAPIV3Error).code).toBe(code)
    expect((error as BitrixAPIV3Error).validation).toEqual([])
  })

  it('a REST 2 error keeps its code, description and extra keys', async () => {
    const { client } = await clientFor(() => ({
      status: 400,
      json: { error: 'ERROR_CORE', error_description: 'Not found', argument: 'ID' },
    }))
    const error = await client.crm.deal.get({ id: 1 }).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(BitrixAPIErrorCore)
    expect(error).not.toBeInstanceOf(BitrixAPIV3Error)
    expect(error).toMatchObject({ error: 'ERROR_CORE', errorDescription: 'Not found', extra: { argument: 'ID' } })
  })
})

describe('idempotent writes', () => {
  it('a REST 3.0 write carries a generated Idempotency-Key; reads and REST 2 writes carry none', async () => {
    const { client, server } = await clientFor(() => v3Result({ item: { id: 1 } }))
    const write = await client.call('tasks.task.add', { fields: { title: 'a' } }, { apiVersion: 3 })
    await client.call('tasks.task.get', { id: 1 }, { apiVersion: 3 })
    await client.call('tasks.task.add', { fields: { TITLE: 'a' } })
    const [v3Write, v3Read, v2Write] = server.seen
    expect(v3Write.path).toBe('/rest/api/1/key/tasks.task.add')
    expect(v3Write.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(write.idempotencyKey).toBe(v3Write.headers['idempotency-key'])
    expect(write.replayed).toBe(false)
    expect(v3Read.headers['idempotency-key']).toBeUndefined()
    expect(v2Write.path).toBe('/rest/1/key/tasks.task.add')
    expect(v2Write.headers['idempotency-key']).toBeUndefined()
  })

  it('a caller-supplied key is sent as given, and a replayed answer is flagged', async () => {
    const { client, server } = await clientFor((request) => ({
      headers: { 'idempotency-key': String(request.headers['idempotency-key']), 'idempotent-replayed': 'true' },
      json: { result: { item: { id: 7 } } },
    }))
    const response = await client.call(
      'tasks.task.add',
      { fields: { title: 'a' } },
      { apiVersion: 3, idempotencyKey: 'order-42' },
    )
    expect(server.seen[0].headers['idempotency-key']).toBe('order-42')
    expect(response).toMatchObject({ idempotencyKey: 'order-42', replayed: true, result: { item: { id: 7 } } })
  })

  it('a key reused with another body is a typed error; a malformed key is refused before sending', async () => {
    const { client, server } = await clientFor(() =>
      v3Error(422, 'BITRIX_REST_V3_EXCEPTION_IDEMPOTENCYKEYREUSEDEXCEPTION', 'Key already used'),
    )
    const error = await client
      .call('tasks.task.add', { fields: { title: 'b' } }, { apiVersion: 3, idempotencyKey: 'k1' })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      )
    expect(error).toBeInstanceOf(BitrixAPIV3IdempotencyKeyReused)
    expect((error as BitrixAPIV3IdempotencyKeyReused).status).toBe(422)
    expect(server.seen).toHaveLength(1)
    for (const key of ['', 'x'.repeat(256), 'naïve', ' padded ']) {
      await expect(
        client.call('tasks.task.add', {}, { apiVersion: 3, idempotencyKey: key }).call(),
      ).rejects.toBeInstanceOf(BitrixValidationError)
    }
    expect(server.seen).toHaveLength(1)
  })
})

describe('OAuth on REST 3.0', () => {
  it('sends auth in the JSON body, and the retry after a token refresh stays on /rest/api/', async () => {
    const server = await portal.start((request) => {
      if (request.path.startsWith('/oauth/token/'))
        return { json: { access_token: 'fresh-token', refresh_token: 'fresh-refresh', expires_in: 3600 } }
      const body = JSON.parse(request.body) as { auth?: string }
      if (body.auth === 'stale-token')
        return {
          status: 401,
          json: { error: 'expired_token', error_description: 'The access token provided has expired.' },
        }
      return v3Result({ item: { id: 3 } })
    })
    const app = new BitrixApp({ clientId: 'app.1', clientSecret: 'secret-1', oauthServer: server.url })
    const token = new BitrixToken({
      domain: server.url,
      authToken: 'stale-token',
      refreshToken: 'old-refresh',
      bitrixApp: app,
    })
    const client = new Client(token, { limiter: false, validateArguments: false })
    const response = await client.call('tasks.task.get', { id: 3 }, { apiVersion: 3 })
    expect(response.result).toEqual({ item: { id: 3 } })
    const calls = server.seen.filter((request) => !request.path.startsWith('/oauth/'))
    expect(calls.map((request) => request.path)).toEqual(['/rest/api/tasks.task.get', '/rest/api/tasks.task.get'])
    expect(calls.map((request) => JSON.parse(request.body))).toEqual([
      { id: 3, auth: 'stale-token' },
      { id: 3, auth: 'fresh-token' },
    ])
    expect(server.seen.filter((request) => request.path.startsWith('/oauth/token/'))).toHaveLength(1)
  })
})
