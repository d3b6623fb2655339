/**
 * Fault soak: a 50,000-row export and a 5,000-item `callMany` through an OAuth token while the emulator fails
 * 10 % of the requests (503 / 500 / reset / truncated answer), expires every access token every 2,000 calls and
 * moves the portal once. Every row is read exactly once (in each of three passes: ascending, descending, three
 * ranges in parallel); no item is applied twice (counted on the portal), and each item the client could not
 * confirm is reported with an error that says its outcome is unknown. Emulator time runs 20× faster, so the
 * whole file takes about 15 s; each test is bounded at 2 minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import {
  BitrixAPIError,
  type BitrixError,
  BitrixRequestError,
  BitrixResponseParseError,
} from '../../src/errors/index.js'
import { type BulkOutcome, Client, RateLimiter } from '../../src/index.js'
import { oauthToken } from '../e2e/sdk-fixtures.js'

/** POSTs JSON to the emulator and reads status and body; redirects are not followed. */
async function post(url: string, body: Record<string, unknown>): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    redirect: 'manual',
  })
  const text = await response.text()
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text) }
}

describe('the soak faults of the emulator', () => {
  let emu: Emulator
  beforeAll(async () => {
    emu = await startEmulator({ randomSeed: 5, plan: 'off', seed: { deals: 5 } })
  })
  afterAll(async () => {
    await emu?.close()
  })

  it('a list of kinds draws one per hit', async () => {
    const rule = emu.faults.inject({ method: 'server.time', kind: ['http500', 'http503'] })
    const statuses: number[] = []
    for (let i = 0; i < 40; i++) statuses.push((await post(`${emu.webhookUrl}server.time`, {})).status)
    rule.remove()
    expect(rule.hits).toBe(40)
    expect(new Set(statuses)).toEqual(new Set([500, 503]))
    expect((await post(`${emu.webhookUrl}server.time`, {})).status).toBe(200)
  })

  it('every: counts batch sub-commands as calls, and expireTokens really expires the tokens', async () => {
    const app = emu.createApp({ scopes: 'all' })
    const { accessToken } = emu.issueToken({ clientId: app.clientId })
    const rule = emu.faults.inject({ kind: 'expireTokens', every: 5 })
    const cmd = { a: 'server.time', b: 'server.time', c: 'server.time' }
    expect((await post(`${emu.url}/rest/batch`, { cmd, auth: accessToken })).status).toBe(200)
    // Calls 4 to 6: the fifth expires every token before the request is handled.
    const expired = await post(`${emu.url}/rest/batch`, { cmd, auth: accessToken })
    expect(expired).toMatchObject({ status: 401, json: { error: 'expired_token' } })
    expect(rule.hits).toBe(1)
    rule.remove()
    expect((await post(`${emu.url}/rest/server.time`, { auth: accessToken })).status).toBe(401)
  })

  it('moveDomain moves the portal once; the OAuth server stays where it was', async () => {
    const before = emu.url
    const rule = emu.faults.inject({ kind: 'moveDomain', every: 2, times: 1 })
    expect((await post(`${before}/rest/1/x/server.time`, {})).status).not.toBe(302)
    expect(emu.url).toBe(before)
    expect((await post(`${emu.webhookUrl}server.time`, {})).status).toBe(200)
    expect(emu.url).not.toBe(before)
    expect((await post(`${before}/rest/1/x/server.time`, {})).status).toBe(302)
    for (let i = 0; i < 3; i++) expect((await post(`${emu.webhookUrl}server.time`, {})).status).toBe(200)
    expect(rule.hits).toBe(1)
    const token = await post(`${before}/oauth/token/`, { grant_type: 'refresh_token' })
    expect(token.status).not.toBe(302)
  })

  it('startEmulator({ faults }) injects from the start; bad specs are refused', async () => {
    const faulty = await startEmulator({ plan: 'off', faults: [{ kind: 'http503', times: 1 }] })
    try {
      expect((await post(`${faulty.webhookUrl}server.time`, {})).status).toBe(503)
      expect((await post(`${faulty.webhookUrl}server.time`, {})).status).toBe(200)
      expect(() => faulty.faults.inject({ kind: [] })).toThrow(RangeError)
      expect(() => faulty.faults.inject({ kind: 'http418' as 'http500' })).toThrow(/fault kind/)
      expect(() => faulty.faults.inject({ kind: 'reset', every: 0 })).toThrow(/every/)
    } finally {
      await faulty.close()
    }
  })
})

const ROWS = 50_000
const ITEMS = 5_000
/** Emulator time runs 20× faster: 40 requests per second, a 30-second operating window, 3-minute tokens. */
const SCALE = 20
const SOAK_MS = 120_000

/** The failure leaves the write possibly applied: the request may have reached the portal and run. */
function isUnknownOutcome(error: BitrixError): boolean {
  if (error instanceof BitrixRequestError) return error.sent
  if (error instanceof BitrixResponseParseError) return true
  return error instanceof BitrixAPIError && error.status >= 500 && error.error !== 'QUERY_LIMIT_EXCEEDED'
}

function oauthClient(emu: Emulator): Client {
  const { token } = oauthToken(emu)
  return new Client(token, {
    limiter: new RateLimiter({ timeScale: SCALE }),
    defaultMaxRetries: 8,
    defaultInitialRetryDelay: 0.02,
    defaultRetryDelayIncrement: 0.02,
    defaultTimeout: 20,
  })
}

describe('fault soak', () => {
  let emu: Emulator
  let client: Client
  let originalUrl: string
  const mix = { hits: () => 0 }
  beforeAll(async () => {
    emu = await startEmulator({ randomSeed: 11, timeScale: SCALE, realDelays: false, seed: { deals: ROWS } })
    originalUrl = emu.url
    client = oauthClient(emu)
    const failures = emu.faults.inject({
      method: 'batch',
      kind: ['http503', 'http500', 'reset', 'truncated'],
      probability: 0.1,
    })
    mix.hits = () => failures.hits
    emu.faults.inject({ kind: 'expireTokens', every: 2_000 })
    emu.faults.inject({ kind: 'moveDomain', every: 700, times: 1 })
  }, SOAK_MS)
  afterAll(async () => {
    await emu?.close()
  })

  it(
    `a ${ROWS.toLocaleString('en')}-row export, read three ways, yields every row exactly once each time`,
    async () => {
      const requestsBefore = emu.getStats().httpRequests
      const refreshesBefore = emu.getStats().oauthRefreshes
      const passes = [{}, { descending: true }, { concurrency: 3 }] as const
      for (const options of passes) {
        const ids: number[] = []
        for await (const deal of client.crm.deal.list({ select: ['ID'] }).asListFast(options)) ids.push(Number(deal.ID))
        const unique = new Set(ids)
        expect(ids).toHaveLength(ROWS)
        expect(unique.size).toBe(ROWS)
        expect(Math.min(...unique)).toBe(1)
        expect(Math.max(...unique)).toBe(ROWS)
      }
      const failures = mix.hits()
      const refreshes = emu.getStats().oauthRefreshes - refreshesBefore
      console.info(
        `soak export: ${passes.length} × ${ROWS} rows, ${emu.getStats().httpRequests - requestsBefore} HTTP requests, ` +
          `${failures} injected failures, ${refreshes} token refreshes`,
      )
      expect(failures).toBeGreaterThan(0)
      // The tokens expired during the export (after 2,000 calls) and the client renewed them.
      expect(refreshes).toBeGreaterThanOrEqual(1)
      // The portal moved during the export and the client followed.
      expect(emu.url).not.toBe(originalUrl)
      expect(client.credentials.domain).toBe(new URL(emu.url).host)
    },
    SOAK_MS,
  )

  it(
    `a ${ITEMS.toLocaleString('en')}-item callMany applies no item twice and reports every unknown outcome as such`,
    async () => {
      const refreshesBefore = emu.getStats().oauthRefreshes
      const failuresBefore = mix.hits()
      const requestsBefore = emu.getStats().httpRequests
      const outcomes: Array<BulkOutcome<unknown>> = await client.callMany(
        Array.from({ length: ITEMS }, (_, i) => client.crm.deal.add({ fields: { TITLE: `soak-${i}` } })),
      )
      emu.faults.clear()
      // Tokens expired at least twice while the items were written (every 2,000 calls); the client renewed them.
      expect(emu.getStats().oauthRefreshes - refreshesBefore).toBeGreaterThanOrEqual(2)

      // Count on the portal's side: every deal created after the seed, by its marker.
      const created = new Map<string, number[]>()
      for await (const deal of client.crm.deal
        .list({ select: ['ID', 'TITLE'], filter: { '>ID': ROWS } })
        .asListFast()) {
        const list = created.get(String(deal.TITLE)) ?? []
        list.push(Number(deal.ID))
        created.set(String(deal.TITLE), list)
      }
      const twice = [...created].filter(([, dealIds]) => dealIds.length > 1)
      expect(twice).toEqual([])

      let confirmed = 0
      let unknownApplied = 0
      let unknownNotApplied = 0
      let refused = 0
      outcomes.forEach((outcome, i) => {
        const dealIds = created.get(`soak-${i}`) ?? []
        if (outcome.ok) {
          confirmed++
          expect(dealIds).toEqual([Number(outcome.result)])
        } else if (isUnknownOutcome(outcome.error)) {
          if (dealIds.length === 1) unknownApplied++
          else unknownNotApplied++
        } else {
          // A failure that says nothing was applied must be true.
          refused++
          expect(dealIds).toEqual([])
        }
      })
      expect(confirmed + unknownApplied + unknownNotApplied + refused).toBe(ITEMS)
      expect(created.size).toBe(confirmed + unknownApplied)
      const failures = mix.hits() - failuresBefore
      expect(failures).toBeGreaterThan(0)
      console.info(
        `soak callMany: ${confirmed} confirmed, ${unknownApplied} unknown (applied), ${unknownNotApplied} unknown ` +
          `(not applied), ${refused} refused; ${failures} injected failures, ` +
          `${emu.getStats().httpRequests - requestsBefore} HTTP requests, ` +
          `${emu.getStats().oauthRefreshes - refreshesBefore} token refreshes`,
      )
    },
    SOAK_MS,
  )
})
