import { describe, expect, it } from 'vitest'
import {
  BitrixAPIInternalServerError,
  BitrixAPIQueryLimitExceeded,
  BitrixRequestError,
  BitrixRequestTimeout,
  BitrixResponseParseError,
} from '../../src/errors/index.js'
import { Client } from '../../src/index.js'
import { countRequests, limitsOf, oauthToken, usePortal, webhookClient } from './sdk-fixtures.js'

const portal = usePortal({ seed: { deals: 200 }, plan: 'off' })
const fast = { defaultInitialRetryDelay: 0.01, defaultRetryDelayIncrement: 0.01 }

describe('retries of transient failures', () => {
  it('a 503 is retried, for reads and writes alike (the portal did not run the call)', async () => {
    const emu = portal.emu()
    const retries: string[] = []
    const client = webhookClient(emu, { ...fast, onRetry: (info) => retries.push(info.reason) })
    emu.faults.inject({ method: 'crm.deal.add', kind: 'http503', times: 2 })
    const { value, requests } = await countRequests(
      emu,
      () => client.crm.deal.add({ fields: { TITLE: 'retried' } }).response,
    )
    expect(Number(value.result)).toBeGreaterThan(0)
    expect(requests).toBe(3)
    expect(retries).toEqual(['QUERY_LIMIT_EXCEEDED', 'QUERY_LIMIT_EXCEEDED'])
  })

  it('gives up after defaultMaxRetries with the typed error', async () => {
    const emu = portal.emu()
    emu.faults.inject({ method: 'crm.deal.get', kind: 'http503', times: 10 })
    const client = webhookClient(emu, { ...fast, defaultMaxRetries: 2 })
    const { value: error, requests } = await countRequests(emu, () =>
      client.crm.deal.get({ id: 1 }).response.catch((e: unknown) => e),
    )
    emu.faults.clear()
    expect(error).toBeInstanceOf(BitrixAPIQueryLimitExceeded)
    expect(requests).toBe(3)
  })

  it('a 500 is retried for a read, never for a write', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu, fast)
    emu.faults.inject({ method: 'crm.deal.get', kind: 'http500', times: 1 })
    expect((await client.crm.deal.get({ id: 2 })).result.ID).toBe('2')
    emu.faults.inject({ method: 'crm.deal.update', kind: 'http500', times: 1 })
    const { value: error, requests } = await countRequests(emu, () =>
      client.crm.deal.update({ id: 2, fields: { TITLE: 'x' } }).response.catch((e: unknown) => e),
    )
    expect(error).toBeInstanceOf(BitrixAPIInternalServerError)
    expect(requests).toBe(1)
  })

  it('a connection reset is retried for a read; a write that may have arrived is not sent twice', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu, fast)
    emu.faults.inject({ method: 'crm.deal.list', kind: 'reset', times: 1 })
    expect((await client.crm.deal.list({ select: ['ID'] })).result.length).toBe(50)
    const totalBefore = (await client.crm.deal.list({ select: ['ID'] })).total!
    emu.faults.inject({ method: 'crm.deal.add', kind: 'reset', times: 1 })
    const { value: error, requests } = await countRequests(emu, () =>
      client.crm.deal.add({ fields: { TITLE: 'maybe' } }).response.catch((e: unknown) => e),
    )
    expect(error).toBeInstanceOf(BitrixRequestError)
    expect((error as BitrixRequestError).sent).toBe(true)
    expect(requests).toBe(1)
    expect((await client.crm.deal.list({ select: ['ID'] })).total! - totalBefore).toBeLessThanOrEqual(1)
  })

  it('a response slower than the timeout becomes BitrixRequestTimeout', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu, { ...fast, defaultTimeout: 0.3, defaultMaxRetries: 0 })
    emu.faults.inject({ method: 'server.time', kind: 'slow', delayMs: 1_000, times: 1 })
    const error = await client.server.time().response.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BitrixRequestTimeout)
    expect((error as BitrixRequestTimeout).phase).toBe('read')
    // How soon it gives up: `npm run bench -- --only timings`.
  })

  it('a non-JSON or truncated body becomes BitrixResponseParseError, never a crash', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu, { ...fast, defaultMaxRetries: 0 })
    emu.faults.inject({ method: 'profile', kind: 'nonJson', times: 1 })
    await expect(client.profile().response).rejects.toBeInstanceOf(BitrixResponseParseError)
    emu.faults.inject({ method: 'profile', kind: 'truncated', times: 1 })
    const error = await client.profile().response.catch((e: unknown) => e)
    expect(error instanceof BitrixRequestError || error instanceof BitrixResponseParseError).toBe(true)
  })

  it('an expired token injected mid-stream is renewed and the call succeeds', async () => {
    const emu = portal.emu()
    const { token } = oauthToken(emu)
    const client = new Client(token, { ...limitsOf(emu), ...fast })
    emu.faults.inject({ method: 'crm.deal.get', kind: 'expiredToken', times: 1 })
    expect((await client.crm.deal.get({ id: 7 })).result.ID).toBe('7')
  })

  it('an AbortSignal cancels a call', async () => {
    const emu = portal.emu()
    emu.faults.inject({ method: 'server.time', kind: 'slow', delayMs: 2_000, times: 1 })
    const controller = new AbortController()
    const pending = webhookClient(emu).call('server.time', {}, { signal: controller.signal }).response
    setTimeout(() => controller.abort(), 50)
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
  })
})
