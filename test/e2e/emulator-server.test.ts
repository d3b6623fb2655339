import { spawn } from 'node:child_process'
import https from 'node:https'
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { EMULATOR_TLS_CERT } from '../../src/emulator/index.js'
import { oauthApp, postJson, request, start } from './emulator-helpers.js'

function httpsGet(url: string, options: https.RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, options, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      .on('error', reject)
  })
}

/** Sends raw bytes and returns whatever comes back before the server closes or `ms` pass. */
function rawExchange(url: string, payload: string | Buffer, ms = 500): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    let received = ''
    const done = () => {
      socket.destroy()
      resolve(received)
    }
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1')
    })
    socket.on('error', done)
    socket.on('close', done)
    socket.write(payload)
    setTimeout(done, ms)
  })
}

describe('emulator domain change', () => {
  it('redirects every old address with 302 to the new one and keeps credentials', async () => {
    const emu = await start()
    const oldWebhook = emu.webhookUrl
    const { token } = oauthApp(emu)
    const newUrl = await emu.changeDomain('new.example.test')
    expect(newUrl).not.toBe(new URL(oldWebhook).origin)
    expect(emu.url).toBe(newUrl)
    expect(emu.domain).toBe('new.example.test')
    expect(emu.webhookUrl.startsWith(newUrl)).toBe(true)

    const redirected = await request(`${oldWebhook}test.echo?x=1`)
    expect(redirected.status).toBe(302)
    const location = redirected.headers.get('location') ?? ''
    expect(location).toBe(`${newUrl}${new URL(oldWebhook).pathname}test.echo?x=1`)
    expect((await postJson(`${oldWebhook}test.echo`, { y: 1 })).status).toBe(302)
    expect((await request(location)).json.result).toEqual({ x: '1' })
    expect((await request(`${newUrl}/rest/test.echo?auth=${token.accessToken}`)).status).toBe(200)
    expect(emu.issueToken({ clientId: oauthApp(emu).app.clientId }).clientEndpoint).toBe(`${newUrl}/rest/`)
  })
})

describe('emulator over HTTPS', () => {
  it('serves with the bundled test certificate', async () => {
    const emu = await start({ https: true })
    expect(emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const trusted = await httpsGet(`${emu.webhookUrl}test.echo?a=1`, { ca: EMULATOR_TLS_CERT })
    expect(trusted.status).toBe(200)
    expect(JSON.parse(trusted.body).result).toEqual({ a: '1' })
    const insecure = await httpsGet(`${emu.webhookUrl}test.echo`, { rejectUnauthorized: false })
    expect(insecure.status).toBe(200)
    await expect(httpsGet(`${emu.webhookUrl}test.echo`, {})).rejects.toThrow()
  })
})

describe('emulator robustness', () => {
  it('survives garbage, huge, binary and hostile requests and keeps serving', async () => {
    const emu = await start({ maxBodyBytes: 64 * 1024 })
    const hook = emu.webhookUrl
    expect(await rawExchange(emu.url, 'GARBAGE \x00\x01\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/)
    expect(
      await rawExchange(
        emu.url,
        `POST ${new URL(hook).pathname}test.echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc`,
        100,
      ),
    ).toBe('')

    const huge = await request(`${hook}test.echo`, { method: 'POST', body: Buffer.alloc(200 * 1024, 0x61) })
    expect(huge.status).toBe(413)
    expect(huge.json.error).toBe('REQUEST_ENTITY_TOO_LARGE')

    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))
    for (const type of [
      'application/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await request(`${hook}test.echo`, { method: 'POST', headers: { 'Content-Type': type }, body: binary })
      expect(res.status, type).toBe(200)
    }
    const deepJson = `${'['.repeat(30_000)}${']'.repeat(30_000)}`
    const deep = await request(`${hook}test.echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: deepJson,
    })
    expect(deep.status).toBe(200)
    const deepForm = await request(`${hook}test.echo?a${'[x]'.repeat(100)}=1&b=%E0%A4%A&c[=2&d]=3`)
    expect(deepForm.json.result).toEqual({ b: '\ufffd%A', c_: '2', 'd]': '3' })
    expect((await request(`${emu.url}/rest/test.echo?auth[]=x`)).json.error).toBe('NO_AUTH_FOUND')
    expect((await request(`${hook}${'x'.repeat(5000)}`)).status).toBe(404)
    expect((await request(`${emu.url}/rest/%E0%A4%A/%/x`)).status).toBe(401)

    const ok = await request(`${hook}test.echo?still=alive`)
    expect(ok.status).toBe(200)
    expect(ok.json.result).toEqual({ still: 'alive' })
  })
})

describe('emulator stats', () => {
  it('counts requests, calls, statuses, and resets', async () => {
    const emu = await start()
    await request(`${emu.webhookUrl}test.echo`)
    await request(`${emu.webhookUrl}test.echo`)
    await request(`${emu.webhookUrl}no.such`)
    await request(`${emu.url}/rest/test.echo`)
    const stats = emu.stats
    expect(stats.httpRequests).toBe(4)
    expect(stats.calls).toEqual({ 'test.echo': 2 })
    expect(stats.statuses).toEqual({ 200: 2, 404: 1, 401: 1 })
    emu.resetStats()
    expect(emu.getStats().httpRequests).toBe(0)
    expect(stats.httpRequests).toBe(4)
  })

  // How quickly: `npm run bench -- --only timings`.
  it('starts with a large seed', async () => {
    const emu = await start({ seed: { deals: 1_000_000 } })
    expect((await request(`${emu.webhookUrl}test.echo`)).status).toBe(200)
  })
})

describe('b24 emulator command', () => {
  it('prints the webhook and OAuth credentials and stops on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'emulator', '--plan', 'off', '--random-seed', '3'],
      {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    child.stdout.setEncoding('utf8')
    const webhook = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no webhook printed: ${output}`)), 15_000)
      child.stdout.on('data', (chunk: string) => {
        output += chunk
        const match = /Webhook URL[^:]*: (\S+)/.exec(output)
        if (match && output.includes('Ctrl-C')) {
          clearTimeout(timer)
          resolve(match[1])
        }
      })
      child.on('exit', () => reject(new Error(`exited early: ${output}`)))
    })
    expect(output).toContain('client_id:')
    expect(output).toContain('client_secret:')
    const res = await request(`${webhook}scope`)
    expect(res.status).toBe(200)
    const exitCode = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    child.kill('SIGINT')
    expect(await exitCode).toBe(0)
  })
})
