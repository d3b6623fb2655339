/**
 * Limits and moves as documented: the leaky bucket drains in steps once per second, per source address; the
 * injectable states OVERLOAD_LIMIT, PORTAL_DELETED and the 60-second cut; a move to another loopback address
 * on the same port (port 443 too), and the OAuth endpoints after a move.
 */
import http from 'node:http'
import https from 'node:https'
import { describe, expect, it } from 'vitest'
import { EMULATOR_TLS_CERT, type Emulator, startEmulator } from '../../src/emulator/index.js'
import { oauthApp, postForm, postJson, request, start } from './emulator-helpers.js'

/**
 * Emulator time nearly stands still (1 ms per real second), so only `advanceTime` moves it: the phase within a
 * second is then known whatever the machine's load.
 */
const FROZEN = { timeScale: 0.001 }

/** Moves emulator time to 0.1 s past its next whole second, so that a test starts at a known phase. */
function alignToSecond(emu: Emulator): void {
  const now = emu.now()
  emu.advanceTime(Math.ceil(now) - now + 0.1)
}

/** A GET sent from a chosen local (source) address. */
function getFrom(url: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')))
  })
}

describe('leaky bucket', () => {
  it('drains in steps once per second, not pro rata', async () => {
    const emu = await start({ ...FROZEN, bucket: { burst: 3, drainPerSecond: 2 } })
    alignToSecond(emu)
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await request(`${emu.webhookUrl}test.echo`)).status)
    expect(statuses).toEqual([200, 200, 200, 503])
    // Half a second later a continuous drain would have made room for one; the step has not come yet.
    emu.advanceTime(0.5)
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(503)
    // The next whole second drains 2 at once.
    emu.advanceTime(0.5)
    const after: number[] = []
    for (let i = 0; i < 3; i++) after.push((await request(`${emu.webhookUrl}test.echo`)).status)
    expect(after).toEqual([200, 200, 503])
  })

  it('drains continuously when asked to', async () => {
    const emu = await start({ ...FROZEN, bucket: { burst: 3, drainPerSecond: 2, drain: 'continuous' } })
    alignToSecond(emu)
    for (let i = 0; i < 3; i++) await request(`${emu.webhookUrl}test.echo`)
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(503)
    emu.advanceTime(0.55)
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
    await expect(
      startEmulator({ bucket: { burst: 3, drainPerSecond: 2, drain: 'smooth' as 'steps' } }),
    ).rejects.toThrow(/drain/)
  })

  it('keeps one bucket per source address, shared by every webhook and app calling from it', async () => {
    const emu = await start({ ...FROZEN, bucket: { burst: 2, drainPerSecond: 1 } })
    alignToSecond(emu)
    const other = emu.createWebhook()
    const { token } = oauthApp(emu)
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
    expect((await request(`${emu.url}/rest/test.echo?auth=${token.accessToken}`)).status).toBe(200)
    // A third credential from the same address finds the shared bucket full.
    expect((await request(`${other.url}test.echo`)).status).toBe(503)
    // Another source address has its own bucket.
    expect(await getFrom(`${other.url}test.echo`, '127.0.0.2')).toBe(200)
    expect(await getFrom(`${other.url}test.echo`, '127.0.0.2')).toBe(200)
    expect(await getFrom(`${other.url}test.echo`, '127.0.0.2')).toBe(503)
  })
})

describe('portal states', () => {
  it('answers 503 OVERLOAD_LIMIT while overloaded and PORTAL_DELETED once deleted, running nothing', async () => {
    const emu = await start()
    emu.setPortalState('overloaded')
    const overloaded = await request(`${emu.webhookUrl}test.echo`)
    expect(overloaded.status).toBe(503)
    expect(overloaded.json).toEqual({
      error: 'OVERLOAD_LIMIT',
      error_description: 'REST API is blocked due to overload',
    })
    emu.setPortalState('deleted')
    const deleted = await request(`${emu.webhookUrl}test.echo`)
    expect(deleted.status).toBe(403)
    expect(deleted.json).toEqual({ error: 'PORTAL_DELETED', error_description: 'Portal was deleted' })
    expect(emu.stats.calls['test.echo']).toBeUndefined()
    emu.setPortalState('active')
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
    expect(() => emu.setPortalState('gone' as 'deleted')).toThrow(RangeError)
  })

  it('gives PORTAL_DELETED the docs status on request, and both as per-request faults', async () => {
    const emu = await start({ portalDeletedStatus: 500 })
    emu.faults.inject({ kind: 'portalDeleted', times: 1 })
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(500)
    emu.faults.inject({ kind: 'overload', method: 'test.echo', times: 1 })
    expect((await request(`${emu.webhookUrl}test.echo`)).json.error).toBe('OVERLOAD_LIMIT')
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
  })
})

describe('the 60-second cut', () => {
  it('cuts a request whose server time passes the limit with a 504 page; shorter ones complete', async () => {
    const emu = await start()
    expect((await request(`${emu.webhookUrl}test.cost?seconds=59`)).status).toBe(200)
    const cut = await request(`${emu.webhookUrl}test.cost?seconds=61`)
    expect(cut.status).toBe(504)
    expect(cut.headers.get('content-type')).toContain('text/html')
    expect(cut.text).toContain('504 Gateway Time-out')
  })

  it('counts the whole batch: the command that passes the limit is cut and none after it runs', async () => {
    const emu = await start()
    const res = await postJson(`${emu.webhookUrl}batch`, {
      cmd: { a: 'test.cost?seconds=35', b: 'test.cost?seconds=35', c: 'test.echo?x=1' },
    })
    expect(res.status).toBe(504)
    expect(emu.stats.calls['test.cost']).toBe(2)
    expect(emu.stats.calls['test.echo']).toBeUndefined()
  })

  it('is injectable: the timeout fault waits the limit, runs nothing, answers 504', async () => {
    const emu = await start({ requestTimeLimit: 0.2, realDelays: true, timeScale: 1 })
    emu.faults.inject({ kind: 'timeout', method: 'test.echo', times: 1 })
    const res = await request(`${emu.webhookUrl}test.echo`)
    expect(res.status).toBe(504)
    expect(res.text).toContain('504 Gateway Time-out')
    expect(emu.stats.calls['test.echo']).toBeUndefined()
  })
})

describe('portal moves on loopback addresses', () => {
  it('moves to another loopback address on the same port; the old one answers 302 there', async () => {
    const emu = await start()
    const before = new URL(emu.url)
    const oldWebhook = emu.webhookUrl
    const newUrl = await emu.changeDomain({ address: '127.0.0.2' })
    expect(new URL(newUrl).hostname).toBe('127.0.0.2')
    expect(new URL(newUrl).port).toBe(before.port)
    const moved = await request(`${oldWebhook}test.echo?x=1`)
    expect(moved.status).toBe(302)
    expect(moved.headers.get('location')).toBe(`${newUrl}${new URL(oldWebhook).pathname}test.echo?x=1`)
    expect((await request(`${emu.webhookUrl}test.echo?x=1`)).json.result).toEqual({ x: '1' })
  })

  it("redirects the moved portal's authorize page; the OAuth server answers in place with the new endpoints", async () => {
    const emu = await start()
    const app = emu.createApp({ redirectUri: 'https://app.example.test/callback' })
    const issued = emu.issueToken({ clientId: app.clientId })
    const oldUrl = emu.url
    const newUrl = await emu.changeDomain({ address: '127.0.0.3' })
    const authorize = await request(`${oldUrl}/oauth/authorize/?client_id=${app.clientId}`)
    expect(authorize.status).toBe(302)
    expect(authorize.headers.get('location')).toBe(`${newUrl}/oauth/authorize/?client_id=${app.clientId}`)
    const refreshed = await postForm(
      `${oldUrl}/oauth/token/`,
      new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        refresh_token: issued.refreshToken,
      }).toString(),
    )
    expect(refreshed.status).toBe(200)
    expect(refreshed.json.client_endpoint).toBe(`${newUrl}/rest/`)
  })

  it('on port 443, a client keeping only the host of the Location follows the move', async (context) => {
    let emu: Emulator
    try {
      emu = await startEmulator({ https: true, port: 443, plan: 'off', realDelays: false })
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EACCES' || code === 'EADDRINUSE') context.skip()
      throw error
    }
    try {
      expect(emu.url).toBe('https://127.0.0.1')
      const path = `${new URL(emu.webhookUrl).pathname}server.time`
      await emu.changeDomain({ address: '127.0.0.4' })
      const moved = await httpsGet(`https://127.0.0.1${path}`)
      expect(moved.status).toBe(302)
      // What the official Python SDK does: keep the host of the Location, rebuild the URL on the default port.
      const host = new URL(moved.location ?? '').hostname
      const followed = await httpsGet(`https://${host}${path}`)
      expect(followed.status).toBe(200)
      expect(JSON.parse(followed.body).result).toMatch(/^\d{4}-\d\d-\d\dT/)
    } finally {
      await emu.close()
    }
  })
})

function httpsGet(url: string): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: EMULATOR_TLS_CERT, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }))
    })
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')))
  })
}
