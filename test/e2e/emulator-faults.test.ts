import { describe, expect, it } from 'vitest'
import { oauthApp, request, start } from './emulator-helpers.js'

describe('emulator faults', () => {
  it('answers http500, http503, http429 and expiredToken the portal way, then recovers', async () => {
    const emu = await start()
    const cases = [
      ['http500', 500, 'INTERNAL_SERVER_ERROR'],
      ['http503', 503, 'QUERY_LIMIT_EXCEEDED'],
      ['http429', 429, 'OPERATION_TIME_LIMIT'],
      ['expiredToken', 401, 'expired_token'],
    ] as const
    for (const [kind, status, code] of cases) {
      emu.faults.inject({ kind, method: 'test.echo', times: 1 })
      const faulty = await request(`${emu.webhookUrl}test.echo`)
      expect(faulty.status, kind).toBe(status)
      expect(faulty.json.error, kind).toBe(code)
      expect((await request(`${emu.webhookUrl}test.echo`)).status, kind).toBe(200)
    }
    const stats = emu.getStats()
    expect(stats.responses503).toBe(1)
    expect(stats.responses429).toBe(1)
    expect(stats.calls['test.echo']).toBe(4)
  })

  it('answers nonJson with an HTML error page', async () => {
    const emu = await start()
    emu.faults.inject({ kind: 'nonJson', times: 1 })
    const res = await request(`${emu.webhookUrl}test.echo`)
    expect(res.status).toBe(502)
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(res.json).toBeUndefined()
  })

  it('resets the connection before anything runs', async () => {
    const emu = await start()
    emu.faults.inject({ kind: 'reset', method: 'test.echo', times: 1 })
    await expect(fetch(`${emu.webhookUrl}test.echo`)).rejects.toThrow()
    expect(emu.getStats().calls['test.echo']).toBeUndefined()
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
  })

  it('truncates the answer after the method ran', async () => {
    const emu = await start()
    emu.faults.inject({ kind: 'truncated', method: 'test.list', times: 1 })
    const response = await fetch(`${emu.webhookUrl}test.list`)
    expect(response.status).toBe(200)
    await expect(response.text()).rejects.toThrow()
    expect(emu.getStats().calls['test.list']).toBe(1)
    expect((await request(`${emu.webhookUrl}test.list`)).json.result).toHaveLength(50)
  })

  it('delays a slow answer', async () => {
    const emu = await start()
    emu.faults.inject({ kind: 'slow', delayMs: 150, times: 1 })
    const started = performance.now()
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
  })

  it('matches by method, counts hits, draws probability from randomSeed, and clears', async () => {
    const emu = await start({ randomSeed: 7 })
    const handle = emu.faults.inject({ kind: 'http500', method: 'TEST.CRM' })
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
    expect((await request(`${emu.webhookUrl}test.crm`)).status).toBe(500)
    expect((await request(`${emu.webhookUrl}test.crm`)).status).toBe(500)
    expect(handle.hits).toBe(2)
    handle.remove()
    expect((await request(`${emu.webhookUrl}test.crm`)).status).toBe(200)

    emu.faults.inject({ kind: 'http503', probability: 0.5 })
    const statuses: number[] = []
    for (let i = 0; i < 30; i++) statuses.push((await request(`${emu.webhookUrl}test.echo`)).status)
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(3)
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(3)
    emu.faults.clear()
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
  })

  it('can fail the token endpoint (oauth.token)', async () => {
    const emu = await start()
    const { app, token } = oauthApp(emu)
    emu.faults.inject({ kind: 'http500', method: 'oauth.token', times: 1 })
    const url = `${emu.url}/oauth/token/?grant_type=refresh_token&client_id=${app.clientId}&client_secret=${app.clientSecret}&refresh_token=${token.refreshToken}`
    expect((await request(url)).status).toBe(500)
    expect((await request(url)).status).toBe(200)
  })
})
