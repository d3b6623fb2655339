import { afterEach, describe, expect, it } from 'vitest'
import * as errors from '../../src/errors/index.js'
import {
  API_ERROR_CLASSES,
  apiErrorFromResponse,
  BitrixAPIAccessDenied,
  BitrixAPIAllowedOnlyIntranetUser,
  BitrixAPIApplicationNotFound,
  BitrixAPIAuthError,
  BitrixAPIAuthorizationError,
  BitrixAPIBatchLengthExceeded,
  BitrixAPIBatchMethodNotAllowed,
  BitrixAPIConnectionError,
  BitrixAPIError,
  BitrixAPIErrorArgument,
  BitrixAPIErrorCore,
  BitrixAPIEventNotFound,
  BitrixAPIExpiredToken,
  BitrixAPIInsufficientScope,
  BitrixAPIInternalServerError,
  BitrixAPIInternalWrongTransport,
  BitrixAPIInvalidArgValue,
  BitrixAPIInvalidCredentials,
  BitrixAPIInvalidRequest,
  BitrixAPIInvalidToken,
  BitrixAPIManifestIsNotAvailable,
  BitrixAPIMethodConfirmDenied,
  BitrixAPIMethodConfirmWaiting,
  BitrixAPIMethodNotFound,
  BitrixAPINoAuthFound,
  BitrixAPINotFound,
  BitrixAPIOperationTimeLimit,
  BitrixAPIOverloadLimit,
  BitrixAPIPortalDeleted,
  BitrixAPIQueryLimitExceeded,
  BitrixAPIRateLimitError,
  BitrixAPIUnexpectedAnswer,
  BitrixAPIUserAccessError,
  BitrixAPIV3Error,
  BitrixAPIWrongAuthType,
  BitrixAPIWrongEncoding,
  BitrixError,
  BitrixOAuthError,
  BitrixOAuthInvalidClient,
  BitrixOAuthInvalidGrant,
  BitrixOAuthInvalidRequest,
  BitrixOAuthInvalidScope,
  BitrixOAuthPaymentRequired,
  BitrixOAuthRequestTimeout,
  BitrixOAuthWrongClient,
  BitrixRequestError,
  BitrixRequestTimeout,
  BitrixResponseParseError,
  BitrixValidationError,
  describeValue,
  isBitrixAPIError,
  isBitrixError,
  isBitrixOAuthError,
  isBitrixOAuthFailure,
  isBitrixRequestError,
  isBitrixTimeout,
  isBitrixValidationError,
  OAUTH_ERROR_CLASSES,
  oauthErrorFromResponse,
} from '../../src/errors/index.js'
import { secretRegistry } from '../../src/log/index.js'

// Every code of protocol.md §3: the system-errors table, then "other codes", with the status the docs give.
const PROTOCOL_CODES: [code: string, errorClass: typeof BitrixAPIError, status: number][] = [
  ['INTERNAL_SERVER_ERROR', BitrixAPIInternalServerError, 500],
  ['ERROR_UNEXPECTED_ANSWER', BitrixAPIUnexpectedAnswer, 500],
  ['QUERY_LIMIT_EXCEEDED', BitrixAPIQueryLimitExceeded, 503],
  ['ERROR_BATCH_METHOD_NOT_ALLOWED', BitrixAPIBatchMethodNotAllowed, 405],
  ['ERROR_BATCH_LENGTH_EXCEEDED', BitrixAPIBatchLengthExceeded, 400],
  ['NO_AUTH_FOUND', BitrixAPINoAuthFound, 401],
  ['INVALID_REQUEST', BitrixAPIInvalidRequest, 400],
  ['OVERLOAD_LIMIT', BitrixAPIOverloadLimit, 503],
  ['ACCESS_DENIED', BitrixAPIAccessDenied, 403],
  ['INVALID_CREDENTIALS', BitrixAPIInvalidCredentials, 403],
  ['ERROR_MANIFEST_IS_NOT_AVAILABLE', BitrixAPIManifestIsNotAvailable, 404],
  ['insufficient_scope', BitrixAPIInsufficientScope, 403],
  ['expired_token', BitrixAPIExpiredToken, 401],
  ['user_access_error', BitrixAPIUserAccessError, 403],
  ['PORTAL_DELETED', BitrixAPIPortalDeleted, 500],
  ['ERROR_METHOD_NOT_FOUND', BitrixAPIMethodNotFound, 404],
  ['OPERATION_TIME_LIMIT', BitrixAPIOperationTimeLimit, 429],
  ['WRONG_AUTH_TYPE', BitrixAPIWrongAuthType, 403],
  ['METHOD_CONFIRM_WAITING', BitrixAPIMethodConfirmWaiting, 401],
  ['METHOD_CONFIRM_DENIED', BitrixAPIMethodConfirmDenied, 403],
  ['invalid_token', BitrixAPIInvalidToken, 401],
  ['APPLICATION_NOT_FOUND', BitrixAPIApplicationNotFound, 401],
  ['authorization_error', BitrixAPIAuthorizationError, 401],
  ['CONNECTION_ERROR', BitrixAPIConnectionError, 401],
  ['ERROR_ARGUMENT', BitrixAPIErrorArgument, 400],
  ['ERROR_CORE', BitrixAPIErrorCore, 500],
  ['ERROR_NOT_FOUND', BitrixAPINotFound, 400],
  ['INTERNAL_WRONG_TRANSPORT', BitrixAPIInternalWrongTransport, 500],
  ['INTERNAL_WRONG_HANDLER_CLASS', BitrixAPIInternalWrongTransport, 500],
  ['ERROR_EVENT_NOT_FOUND', BitrixAPIEventNotFound, 400],
  ['NOT_FOUND', BitrixAPINotFound, 400],
  ['INVALID_ARG_VALUE', BitrixAPIInvalidArgValue, 400],
  ['allowed_only_intranet_user', BitrixAPIAllowedOnlyIntranetUser, 403],
  ['WRONG_ENCODING', BitrixAPIWrongEncoding, 200],
]

const AUTH_CODES = [
  'NO_AUTH_FOUND',
  'INVALID_CREDENTIALS',
  'expired_token',
  'invalid_token',
  'insufficient_scope',
  'WRONG_AUTH_TYPE',
  'user_access_error',
  'APPLICATION_NOT_FOUND',
  'authorization_error',
]
const RATE_LIMIT_CODES = ['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT', 'OVERLOAD_LIMIT']

afterEach(() => secretRegistry.clear())

describe('API_ERROR_CLASSES', () => {
  it('maps every code of protocol.md §3 and nothing else', () => {
    expect(Object.keys(API_ERROR_CLASSES).sort()).toEqual(PROTOCOL_CODES.map(([code]) => code).sort())
  })

  it.each(PROTOCOL_CODES)(
    '%s → %o from the factory, with code, description, status and method',
    (code, cls, status) => {
      const error = apiErrorFromResponse(status, { error: code, error_description: 'Something' }, 'crm.deal.get')
      expect(error).toBeInstanceOf(cls)
      expect(error.constructor).toBe(cls)
      expect(error).toBeInstanceOf(BitrixAPIError)
      expect(error).toBeInstanceOf(BitrixError)
      expect(error).toBeInstanceOf(Error)
      expect(error.name).toBe(cls.name)
      expect(error.error).toBe(code)
      expect(error.errorDescription).toBe('Something')
      expect(error.status).toBe(status)
      expect(error.method).toBe('crm.deal.get')
    },
  )

  it('puts auth and rate-limit codes in their families, and only those', () => {
    for (const [code, cls] of PROTOCOL_CODES) {
      const error = new cls({ error: code, status: 401 })
      expect(error instanceof BitrixAPIAuthError, code).toBe(AUTH_CODES.includes(code))
      expect(error instanceof BitrixAPIRateLimitError, code).toBe(RATE_LIMIT_CODES.includes(code))
    }
  })

  it('cannot be modified', () => {
    expect(Object.isFrozen(API_ERROR_CLASSES)).toBe(true)
    expect(Object.isFrozen(OAUTH_ERROR_CLASSES)).toBe(true)
  })
})

describe('hierarchy', () => {
  const classes = Object.values(errors).filter(
    (value): value is typeof BitrixError => typeof value === 'function' && value.prototype instanceof Error,
  )

  it('is at most three levels below BitrixError, and every class names itself', () => {
    expect(classes.length).toBeGreaterThan(45)
    // One options object that every options-taking constructor accepts.
    const options = { error: 'X', code: 'X', status: 500, timeoutMs: 1, phase: 'read', body: '' }
    for (const cls of classes) {
      let depth = 0
      for (let proto = cls; proto !== BitrixError; proto = Object.getPrototypeOf(proto)) depth++
      expect(depth, cls.name).toBeLessThanOrEqual(3)
      const Construct = cls as unknown as new (arg: unknown) => BitrixError
      const instance = cls === BitrixError ? new BitrixError('m') : new Construct(options)
      expect(instance.name).toBe(cls.name)
      expect(instance.toJSON().name).toBe(cls.name)
    }
  })

  it('chains the network errors', () => {
    const timeout = new BitrixRequestTimeout({ method: 'crm.deal.get', timeoutMs: 30_000, phase: 'read' })
    expect(timeout).toBeInstanceOf(BitrixRequestError)
    expect(timeout).toBeInstanceOf(BitrixError)
    const oauthTimeout = new BitrixOAuthRequestTimeout({ timeoutMs: 5000, phase: 'connect' })
    expect(oauthTimeout).toBeInstanceOf(BitrixRequestTimeout)
    expect(oauthTimeout).not.toBeInstanceOf(BitrixOAuthError)
    expect(new BitrixResponseParseError({ status: 502, body: '' })).not.toBeInstanceOf(BitrixRequestError)
    expect(new BitrixValidationError({})).not.toBeInstanceOf(BitrixAPIError)
  })
})

describe('apiErrorFromResponse', () => {
  it('formats the message as code: description (HTTP status, method)', () => {
    const error = apiErrorFromResponse(
      401,
      { error: 'expired_token', error_description: 'The access token provided has expired' },
      'crm.deal.get',
    )
    expect(String(error)).toBe(
      'BitrixAPIExpiredToken: expired_token: The access token provided has expired (HTTP 401, crm.deal.get)',
    )
    expect(error.stack?.split('\n')[0]).toBe(String(error))
  })

  it('leaves out what it does not know', () => {
    expect(apiErrorFromResponse(404, { error: 'ERROR_METHOD_NOT_FOUND' }).message).toBe(
      'ERROR_METHOD_NOT_FOUND (HTTP 404)',
    )
    expect(
      apiErrorFromResponse(0, { error: 'ACCESS_DENIED', error_description: 'Access denied!' }, 'user.get').message,
    ).toBe('ACCESS_DENIED: Access denied! (user.get)')
  })

  it('turns legacy empty codes into plain BitrixAPIError', () => {
    const empty = apiErrorFromResponse(400, { error: '', error_description: 'Not found' }, 'crm.deal.get')
    expect(empty.constructor).toBe(BitrixAPIError)
    expect(empty.message).toBe('Not found (HTTP 400, crm.deal.get)')
    const zero = apiErrorFromResponse(400, { error: '0', error_description: 'Invalid sorting key (internal error)' })
    expect(zero.constructor).toBe(BitrixAPIError)
    expect(zero.error).toBe('0')
    expect(zero.message).toBe('0: Invalid sorting key (internal error) (HTTP 400)')
  })

  it('turns unknown codes into plain BitrixAPIError with the status', () => {
    const error = apiErrorFromResponse(400, {
      error: 'ERROR_HANDLER_ALREADY_EXIST',
      error_description: 'Handler already exists!',
    })
    expect(error.constructor).toBe(BitrixAPIError)
    expect(error.status).toBe(400)
    expect(error.error).toBe('ERROR_HANDLER_ALREADY_EXIST')
  })

  it('matches codes case-insensitively but keeps the wire spelling', () => {
    const error = apiErrorFromResponse(401, { error: 'EXPIRED_TOKEN' })
    expect(error).toBeInstanceOf(BitrixAPIExpiredToken)
    expect(error.error).toBe('EXPIRED_TOKEN')
    expect(apiErrorFromResponse(400, { error: 'constructor' }).constructor).toBe(BitrixAPIError)
  })

  it('keeps additional keys as extra', () => {
    const error = apiErrorFromResponse(400, {
      error: 'ERROR_ARGUMENT',
      error_description: 'Bad event',
      argument: 'EVENT',
    })
    expect(error).toBeInstanceOf(BitrixAPIErrorArgument)
    expect(error.extra).toEqual({ argument: 'EVENT' })
    expect((error as BitrixAPIErrorArgument).argument).toBe('EVENT')
    expect(Object.isFrozen(error.extra)).toBe(true)
    expect(apiErrorFromResponse(400, { error: 'ERROR_CORE' }).extra).toEqual({})
  })

  it('passes operatingResetAt to OPERATION_TIME_LIMIT', () => {
    const body = { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' }
    const error = apiErrorFromResponse(429, body, 'crm.deal.list', { operatingResetAt: 1778747792 })
    expect(error).toBeInstanceOf(BitrixAPIOperationTimeLimit)
    expect((error as BitrixAPIOperationTimeLimit).operatingResetAt).toBe(1778747792)
    expect(error.toJSON()).toMatchObject({ operatingResetAt: 1778747792, status: 429 })
    expect((apiErrorFromResponse(429, body) as BitrixAPIOperationTimeLimit).operatingResetAt).toBeUndefined()
  })

  it('reads REST v3 bodies into BitrixAPIV3Error', () => {
    const body = {
      error: {
        code: 'BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION',
        message: 'Error validating request object',
        validation: [{ message: 'Required field `id` is not specified', field: 'id' }],
      },
    }
    const error = apiErrorFromResponse(400, body, 'tasks.task.get')
    expect(error).toBeInstanceOf(BitrixAPIV3Error)
    expect(error).toBeInstanceOf(BitrixAPIError)
    const v3 = error as BitrixAPIV3Error
    expect(v3.code).toBe('BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION')
    expect(v3.error).toBe(v3.code)
    expect(v3.errorDescription).toBe('Error validating request object')
    expect(v3.validation).toEqual([{ message: 'Required field `id` is not specified', field: 'id' }])
    expect(v3.message).toBe(
      'BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION: Error validating request object; ' +
        'id: Required field `id` is not specified (HTTP 400, tasks.task.get)',
    )
    expect(v3.toJSON()).toMatchObject({ code: v3.code, validation: v3.validation, status: 400 })
  })

  it('shows at most three v3 violations and tolerates odd ones', () => {
    const validation = ['a', 'b', 'c', 'd'].map((field) => ({ message: 'is required', field }))
    const error = apiErrorFromResponse(400, { error: { code: 'X', validation } })
    expect(error.message).toBe('X: a: is required; b: is required; c: is required; and 1 more (HTTP 400)')
    const odd = apiErrorFromResponse(403, {
      error: { code: 'BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION', validation: 'nope' as never },
    }) as BitrixAPIV3Error
    expect(odd.validation).toEqual([])
    expect(odd.message).toBe('BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION (HTTP 403)')
  })
})

describe('oauthErrorFromResponse', () => {
  const cases: [string, typeof BitrixOAuthError][] = [
    ['invalid_request', BitrixOAuthInvalidRequest],
    ['invalid_client', BitrixOAuthInvalidClient],
    ['invalid_grant', BitrixOAuthInvalidGrant],
    ['invalid_scope', BitrixOAuthInvalidScope],
    ['insufficient_scope', BitrixOAuthInvalidScope],
    ['PAYMENT_REQUIRED', BitrixOAuthPaymentRequired],
    ['wrong_client', BitrixOAuthWrongClient],
  ]

  it.each(cases)('%s → %o', (code, cls) => {
    const error = oauthErrorFromResponse(400, { error: code, error_description: 'Because' })
    expect(error.constructor).toBe(cls)
    expect(error).toBeInstanceOf(BitrixOAuthError)
    expect(error).not.toBeInstanceOf(BitrixAPIError)
    expect(error.name).toBe(cls.name)
    expect([error.error, error.errorDescription, error.status]).toEqual([code, 'Because', 400])
  })

  it('covers exactly the documented OAuth codes', () => {
    expect(Object.keys(OAUTH_ERROR_CLASSES).sort()).toEqual(cases.map(([code]) => code).sort())
  })

  it('formats messages and falls back to BitrixOAuthError', () => {
    const error = oauthErrorFromResponse(402, { error: 'PAYMENT_REQUIRED', error_description: 'Payment required' })
    expect(String(error)).toBe(
      'BitrixOAuthPaymentRequired: PAYMENT_REQUIRED: Payment required (HTTP 402, OAuth server)',
    )
    const unknown = oauthErrorFromResponse(500, { error: 'server_error' })
    expect(unknown.constructor).toBe(BitrixOAuthError)
    expect(unknown.message).toBe('server_error (HTTP 500, OAuth server)')
    expect(oauthErrorFromResponse(400, { error: 'Invalid_Grant' })).toBeInstanceOf(BitrixOAuthInvalidGrant)
  })
})

describe('network and parse errors', () => {
  it('BitrixRequestError keeps the cause and names the method', () => {
    const cause = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:443') })
    const error = new BitrixRequestError({ method: 'crm.deal.get', cause })
    expect(error.cause).toBe(cause)
    expect(error.method).toBe('crm.deal.get')
    expect(error.sent).toBe(true)
    expect(new BitrixRequestError({ method: 'crm.deal.get', sent: false }).sent).toBe(false)
    expect(error.message).toBe('Request to crm.deal.get failed: fetch failed (connect ECONNREFUSED 127.0.0.1:443)')
    expect(error.toJSON()).toEqual({
      name: 'BitrixRequestError',
      message: error.message,
      method: 'crm.deal.get',
      sent: true,
      cause: {
        name: 'TypeError',
        message: 'fetch failed',
        cause: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:443' },
      },
    })
  })

  it('replaces a cause that carries a secret with a redacted copy of the same type', () => {
    secretRegistry.add('s1morf609228iwyjjpvfv6wsvuja4p8u')
    const cause = new TypeError(
      'Failed to parse URL from https://x.bitrix24.com/rest/1/wh00kkey/crm.deal.get?auth=s1morf609228iwyjjpvfv6wsvuja4p8u',
    )
    const error = new BitrixRequestError({ method: 'crm.deal.get', cause })
    expect(error.cause).not.toBe(cause)
    expect(error.cause).toBeInstanceOf(TypeError)
    const safe = error.cause as TypeError
    expect(safe.message).toBe('Failed to parse URL from https://x.bitrix24.com/rest/1/***/crm.deal.get?auth=***')
    expect(safe.stack).not.toContain('wh00kkey')
    expect(error.message).not.toContain('wh00kkey')
    expect(JSON.stringify(error)).not.toMatch(/wh00kkey|s1morf6/)
  })

  it('BitrixRequestTimeout tells the limit and phase', () => {
    const error = new BitrixRequestTimeout({ method: 'crm.deal.list', timeoutMs: 30_000, phase: 'read' })
    expect(String(error)).toBe('BitrixRequestTimeout: Request to crm.deal.list timed out after 30000 ms (read)')
    expect(error.toJSON()).toMatchObject({ timeoutMs: 30_000, phase: 'read', method: 'crm.deal.list' })
  })

  it('BitrixOAuthRequestTimeout names the grant', () => {
    const error = new BitrixOAuthRequestTimeout({ grantType: 'refresh_token', timeoutMs: 10_000, phase: 'connect' })
    expect(error.message).toBe('OAuth token request (refresh_token) timed out after 10000 ms (connect)')
    expect(error.toJSON()).toMatchObject({
      name: 'BitrixOAuthRequestTimeout',
      grantType: 'refresh_token',
      phase: 'connect',
    })
  })

  it('BitrixResponseParseError keeps a short redacted excerpt', () => {
    const body = `<html>\n<body>\n<h1>502 Bad Gateway</h1> https://x.bitrix24.com/rest/7/hookhookhook/ ${'x'.repeat(500)}</body></html>`
    const error = new BitrixResponseParseError({ status: 502, contentType: 'text/html', body, method: 'crm.deal.list' })
    expect(
      error.excerpt.startsWith('<html> <body> <h1>502 Bad Gateway</h1> https://x.bitrix24.com/rest/7/***/ xxx'),
    ).toBe(true)
    expect(error.excerpt.length).toBeLessThanOrEqual(201)
    expect(error.excerpt.endsWith('…')).toBe(true)
    expect(error.message).toMatch(/^Response is not valid JSON \(HTTP 502, text\/html, crm\.deal\.list\): "<html>/)
    expect(error.toJSON()).toMatchObject({ status: 502, contentType: 'text/html', excerpt: error.excerpt })
    expect(new BitrixResponseParseError({ status: 200, body: '' }).message).toBe(
      'Response is not valid JSON (HTTP 200): empty body',
    )
    expect(new BitrixResponseParseError({ status: 200, body: '{"result":' }).excerpt).toBe('{"result":')
  })
})

describe('secrets in errors', () => {
  it('never reach messages or toJSON', () => {
    secretRegistry.add('ydtj8pho532wydb5ixk78ol7uqlb7sch')
    const error = apiErrorFromResponse(401, {
      error: 'invalid_token',
      error_description: 'Token ydtj8pho532wydb5ixk78ol7uqlb7sch is invalid',
      auth: 'ydtj8pho532wydb5ixk78ol7uqlb7sch',
      note: 'sent ydtj8pho532wydb5ixk78ol7uqlb7sch',
    })
    expect(error.message).toBe('invalid_token: Token *** is invalid (HTTP 401)')
    expect(error.errorDescription).toBe('Token *** is invalid')
    expect(error.extra).toEqual({ auth: '***', note: 'sent ***' })
    expect(JSON.stringify(error)).not.toContain('ydtj8pho')
  })

  it('are masked in v3 and OAuth bodies too', () => {
    secretRegistry.add('ydtj8pho532wydb5ixk78ol7uqlb7sch')
    const v3 = apiErrorFromResponse(400, {
      error: {
        code: 'X',
        message: 'bad ydtj8pho532wydb5ixk78ol7uqlb7sch',
        validation: [{ message: 'ydtj8pho532wydb5ixk78ol7uqlb7sch' }],
      },
    })
    const oauth = oauthErrorFromResponse(400, {
      error: 'invalid_grant',
      error_description: 'ydtj8pho532wydb5ixk78ol7uqlb7sch',
    })
    expect(JSON.stringify([v3, oauth, v3.message, oauth.message])).not.toContain('ydtj8pho')
  })
})

describe('BitrixValidationError', () => {
  it('names the method, parameter, expectation and received value', () => {
    const error = new BitrixValidationError({
      method: 'crm.deal.get',
      parameter: 'id',
      expected: 'integer',
      received: 'abc',
    })
    expect(error.message).toBe('crm.deal.get: parameter "id" must be integer, received string "abc"')
    expect(error.received).toBe('string "abc"')
    expect(error.toJSON()).toEqual({
      name: 'BitrixValidationError',
      message: error.message,
      method: 'crm.deal.get',
      parameter: 'id',
      expected: 'integer',
      received: 'string "abc"',
    })
  })

  it('distinguishes a missing value from no information', () => {
    expect(new BitrixValidationError({ parameter: 'id', expected: 'integer', received: undefined }).message).toBe(
      'parameter "id" must be integer, received undefined',
    )
    expect(new BitrixValidationError({ method: 'crm.deal.add', parameter: 'fields' }).message).toBe(
      'crm.deal.add: parameter "fields" is invalid',
    )
    expect(new BitrixValidationError({ method: 'batch', message: 'at most 50 commands, received 51' }).message).toBe(
      'batch: at most 50 commands, received 51',
    )
  })

  it('summarizes received values instead of dumping them', () => {
    const long = 'y'.repeat(5000)
    const error = new BitrixValidationError({ parameter: 'title', expected: 'at most 255 chars', received: long })
    expect(error.received).toBe(`string "${'y'.repeat(40)}…" (5000 chars)`)
    expect(error.message.length).toBeLessThan(120)
    expect(describeValue(12.5)).toBe('number 12.5')
    expect(describeValue(true)).toBe('boolean true')
    expect(describeValue(10n)).toBe('bigint 10n')
    expect(describeValue(null)).toBe('null')
    expect(describeValue([1, 2, 3])).toBe('array(3)')
    expect(describeValue({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 })).toBe('object {a, b, c, d, e, …}')
    expect(describeValue(new Map([[1, 2]]))).toBe('Map(1)')
    expect(describeValue(new Date('2024-01-02T00:00:00Z'))).toBe('Date 2024-01-02T00:00:00.000Z')
    expect(describeValue(new URL('https://x.test/'))).toBe('object URL')
    expect(describeValue(() => 1)).toBe('function')
  })

  it('masks a secret passed as the received value', () => {
    secretRegistry.add('4f9k4jpmg13usmybzuqknt2v9fh0q6rl')
    const error = new BitrixValidationError({
      parameter: 'id',
      expected: 'integer',
      received: '4f9k4jpmg13usmybzuqknt2v9fh0q6rl',
    })
    expect(error.message).not.toContain('4f9k4jpm')
  })
})

describe('type guards', () => {
  const expired = apiErrorFromResponse(401, { error: 'expired_token' })
  const timeout = new BitrixRequestTimeout({ timeoutMs: 1, phase: 'connect' })
  const oauthTimeout = new BitrixOAuthRequestTimeout({ timeoutMs: 1, phase: 'read' })
  const grant = oauthErrorFromResponse(400, { error: 'invalid_grant' })

  it('isBitrixAPIError filters by code, case-insensitively, one or many', () => {
    expect(isBitrixAPIError(expired)).toBe(true)
    expect(isBitrixAPIError(expired, 'expired_token')).toBe(true)
    expect(isBitrixAPIError(expired, 'EXPIRED_TOKEN')).toBe(true)
    expect(isBitrixAPIError(expired, ['invalid_token', 'expired_token'])).toBe(true)
    expect(isBitrixAPIError(expired, 'invalid_token')).toBe(false)
    expect(isBitrixAPIError(new Error('expired_token'))).toBe(false)
    expect(isBitrixAPIError({ error: 'expired_token' })).toBe(false)
  })

  it('isBitrixTimeout covers REST and OAuth timeouts', () => {
    expect(isBitrixTimeout(timeout)).toBe(true)
    expect(isBitrixTimeout(oauthTimeout)).toBe(true)
    expect(isBitrixTimeout(new BitrixRequestError())).toBe(false)
    expect(isBitrixTimeout(new DOMException('timeout', 'TimeoutError'))).toBe(false)
  })

  it('the other guards', () => {
    expect(isBitrixError(grant) && isBitrixError(timeout) && !isBitrixError(new Error('x'))).toBe(true)
    expect(isBitrixOAuthError(grant, 'invalid_grant')).toBe(true)
    expect(isBitrixOAuthError(grant, ['invalid_client'])).toBe(false)
    expect(isBitrixOAuthError(oauthTimeout)).toBe(false)
    expect(isBitrixOAuthFailure(grant) && isBitrixOAuthFailure(oauthTimeout)).toBe(true)
    expect(isBitrixOAuthFailure(timeout)).toBe(false)
    expect(isBitrixRequestError(oauthTimeout) && !isBitrixRequestError(expired)).toBe(true)
    expect(isBitrixValidationError(new BitrixValidationError({})) && !isBitrixValidationError(expired)).toBe(true)
  })
})
