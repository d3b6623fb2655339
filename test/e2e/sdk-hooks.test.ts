import { describe, expect, it } from 'vitest'
import { BitrixAPIQueryLimitExceeded, BitrixValidationError } from '../../src/errors/index.js'
import {
  type CallEndHookInfo,
  Client,
  type ClientHooks,
  type LimiterWaitHookInfo,
  type RequestHookInfo,
  type ResponseHookInfo,
  type RetryHookInfo,
} from '../../src/index.js'
import { StreamLogger } from '../../src/log/index.js'
import { oauthToken, usePortal, webhookClient } from './sdk-fixtures.js'

const portal = usePortal({ seed: { deals: 20 }, plan: 'off' })
const fast = { defaultInitialRetryDelay: 0.01, defaultRetryDelayIncrement: 0.01 }

interface Seen {
  request: RequestHookInfo[]
  response: ResponseHookInfo[]
  retry: RetryHookInfo[]
  wait: LimiterWaitHookInfo[]
  end: CallEndHookInfo[]
}

function recorder(): { hooks: ClientHooks; seen: Seen } {
  const seen: Seen = { request: [], response: [], retry: [], wait: [], end: [] }
  return {
    seen,
    hooks: {
      onRequest: (info) => seen.request.push(info),
      onResponse: (info) => seen.response.push(info),
      onRetry: (info) => seen.retry.push(info),
      onLimiterWait: (info) => seen.wait.push(info),
      onCallEnd: (info) => seen.end.push(info),
    },
  }
}

describe('client hooks', () => {
  it('see each attempt, the retry between them and the call end, with one callId', async () => {
    const emu = portal.emu()
    const { hooks, seen } = recorder()
    const client = webhookClient(emu, { ...fast, hooks })
    emu.faults.inject({ method: 'crm.deal.get', kind: 'http503', times: 1 })
    const deal = await client.crm.deal.get({ id: 3 })
    expect(deal.result.ID).toBe('3')

    expect(seen.request.map((info) => info.attempt)).toEqual([0, 1])
    expect(seen.response.map((info) => [info.attempt, info.status, info.outcome, info.errorCode])).toEqual([
      [0, 503, 'error', 'QUERY_LIMIT_EXCEEDED'],
      [1, 200, 'ok', undefined],
    ])
    expect(seen.response[0].errorName).toBe(BitrixAPIQueryLimitExceeded.name)
    expect(seen.response[1].time?.duration).toBeGreaterThanOrEqual(0)
    expect(seen.retry).toHaveLength(1)
    expect(seen.retry[0]).toMatchObject({ method: 'crm.deal.get', attempt: 1, reason: 'QUERY_LIMIT_EXCEEDED' })
    expect(seen.wait.map((info) => info.attempt)).toEqual([0, 1])
    expect(seen.end).toHaveLength(1)
    expect(seen.end[0]).toMatchObject({ method: 'crm.deal.get', attempt: 1, outcome: 'ok', apiVersion: 2 })
    const ids = new Set(
      [...seen.request, ...seen.response, ...seen.retry, ...seen.wait, ...seen.end].map((i) => i.callId),
    )
    expect(ids.size).toBe(1)
    expect(seen.request[0].host).toBe(new URL(emu.url).host)
  })

  it('number the calls of a client and report a failed call with its error', async () => {
    const emu = portal.emu()
    const { hooks, seen } = recorder()
    const client = webhookClient(emu, { ...fast, hooks, defaultMaxRetries: 0 })
    await client.crm.deal.get({ id: 1 })
    const error = await client.crm.deal.get({ id: 99_999_999 }).response.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(seen.end.map((info) => info.callId)).toEqual([1, 2])
    expect(seen.end[1]).toMatchObject({ outcome: 'error', errorName: (error as Error).name })
    expect(seen.end[1].errorCode).toBe((error as { error?: string }).error)
  })

  it('never see a secret: no token, key or parameter in anything they are given', async () => {
    const emu = portal.emu()
    const { token } = oauthToken(emu)
    const { hooks, seen } = recorder()
    const client = new Client(token, { limiter: false, hooks })
    const webhook = webhookClient(emu, { hooks })
    await client.crm.deal.list({ select: ['ID'], filter: { TITLE: 'needle-parameter' } })
    await webhook.crm.deal.get({ id: 2 })
    const everything = JSON.stringify(seen)
    const key = new URL(emu.webhookUrl).pathname.split('/')[3]
    for (const secret of [token.authToken, token.refreshToken, key, 'needle-parameter']) {
      expect(secret && everything.includes(secret)).toBeFalsy()
    }
  })

  it('a hook that throws is logged by name and the call goes on', async () => {
    const emu = portal.emu()
    const lines: string[] = []
    const logger = new StreamLogger({ level: 'debug', stream: { write: (line: string) => lines.push(line) } })
    const client = webhookClient(emu, {
      logger,
      hooks: [
        {
          onRequest: () => {
            throw new RangeError('observer bug')
          },
        },
        recorder().hooks,
      ],
    })
    expect((await client.crm.deal.get({ id: 2 })).result.ID).toBe('2')
    expect(lines.some((line) => line.includes('hook failed') && line.includes('RangeError'))).toBe(true)
  })

  it('are checked when the client is made', () => {
    const emu = portal.emu()
    expect(() => webhookClient(emu, { hooks: { onRequst: () => {} } as unknown as ClientHooks })).toThrow(
      BitrixValidationError,
    )
    expect(() => webhookClient(emu, { hooks: { onResponse: 5 } as unknown as ClientHooks })).toThrow(
      /must be a function/,
    )
  })
})

describe('validateArguments per call', () => {
  it('false sends a call the catalogue would refuse; the default still refuses it', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    // crm.deal.get documents `id` as an integer: the catalogue refuses a non-numeric string before sending.
    const refused = await client.crm.deal
      .get({ id: 'not-a-number' as unknown as number })
      .response.catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(BitrixValidationError)
    const before = emu.getStats().httpRequests
    const sent = await client.crm.deal
      .get({ id: 'not-a-number' as unknown as number }, { validateArguments: false })
      .response.catch((e: unknown) => e)
    expect(sent).not.toBeInstanceOf(BitrixValidationError)
    expect(emu.getStats().httpRequests).toBe(before + 1)
  })
})
