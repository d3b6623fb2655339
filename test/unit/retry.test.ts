import { describe, expect, it } from 'vitest'
import {
  BitrixAPIError,
  BitrixAPIInternalServerError,
  BitrixAPIOperationTimeLimit,
  BitrixAPIQueryLimitExceeded,
  BitrixRequestError,
  BitrixRequestTimeout,
  BitrixResponseParseError,
} from '../../src/errors/index.js'
import { decideRetry, isReadMethod, type RetryPolicy, retryDelayMs } from '../../src/http/retry.js'

const policy: RetryPolicy = { maxRetries: 3, initialDelay: 0.5, delayIncrement: 1, jitter: 0.2, maxOperatingWait: 600 }
const limit = new BitrixAPIQueryLimitExceeded({ error: 'QUERY_LIMIT_EXCEEDED', status: 503 })
const serverError = new BitrixAPIInternalServerError({ error: 'INTERNAL_SERVER_ERROR', status: 500 })
const notFound = new BitrixAPIError({ error: '', errorDescription: 'Not found', status: 400 })
const refused = new BitrixRequestError({ method: 'crm.deal.add', sent: false })
const reset = new BitrixRequestError({ method: 'crm.deal.add', sent: true })
const timeout = new BitrixRequestTimeout({ method: 'crm.deal.add', timeoutMs: 1000, phase: 'read', sent: true })
const unreadable = new BitrixResponseParseError({ status: 502, body: '<html>' })

describe('retry decisions', () => {
  it.each([
    ['503 QUERY_LIMIT_EXCEEDED, read', limit, true, true],
    ['503 QUERY_LIMIT_EXCEEDED, write (the portal did not run it)', limit, false, true],
    ['500, read', serverError, true, true],
    ['500, write (may have been applied)', serverError, false, false],
    ['400 not found', notFound, true, false],
    ['connection refused, write (never sent)', refused, false, true],
    ['connection reset after sending, write', reset, false, false],
    ['timeout, read', timeout, true, true],
    ['timeout, write', timeout, false, false],
    ['unreadable body, read', unreadable, true, true],
    ['unreadable body, write', unreadable, false, false],
  ] as const)('%s', (_name, error, idempotent, retry) => {
    expect(decideRetry(error, 0, idempotent, policy).retry).toBe(retry)
  })

  it('stops at maxRetries', () => {
    expect(decideRetry(limit, 3, true, policy).retry).toBe(false)
  })

  it('waits for the operating-time reset when it is known and near, gives up when it is far', () => {
    const blocked = new BitrixAPIOperationTimeLimit({
      error: 'OPERATION_TIME_LIMIT',
      status: 429,
      operatingResetAt: 1_000,
    })
    expect(decideRetry(blocked, 0, false, policy, 990)).toEqual({
      retry: true,
      delayMs: 10_100,
      reason: 'OPERATION_TIME_LIMIT',
    })
    expect(decideRetry(blocked, 0, false, policy, 1_000 - 3_600).retry).toBe(false)
  })

  it('delays grow by the increment, with jitter inside ±20 %', () => {
    expect(retryDelayMs(0, policy, () => 0.5)).toBe(500)
    expect(retryDelayMs(2, policy, () => 0.5)).toBe(2_500)
    expect(retryDelayMs(2, policy, () => 0)).toBe(2_000)
    expect(retryDelayMs(2, policy, () => 1)).toBe(3_000)
  })

  it('tells reads from writes by name', () => {
    for (const method of [
      'crm.deal.get',
      'crm.deal.list',
      'crm.item.fields',
      'user.current',
      'profile',
      'server.time',
    ]) {
      expect(isReadMethod(method), method).toBe(true)
    }
    for (const method of ['crm.deal.add', 'crm.deal.update', 'tasks.task.delete', 'batch', 'event.bind']) {
      expect(isReadMethod(method), method).toBe(false)
    }
  })
})
