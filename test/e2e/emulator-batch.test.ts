import { describe, expect, it } from 'vitest'
import { oauthApp, postForm, postJson, request, start } from './emulator-helpers.js'

describe('emulator batch', () => {
  it('runs named commands with $result/$total/$next references and fills the five maps', async () => {
    const emu = await start()
    const res = await postJson(`${emu.webhookUrl}batch`, {
      halt: 0,
      cmd: {
        list: 'test.list?start=0',
        refs: 'test.echo?id=$result[list][0][ID]&whole=$result[list][1]&label=id-$result[list][2][ID]-of-$total[list]&next=$next[list]&missing=$result[nope][0]&deep=$result[list][0][NOPE]',
      },
    })
    expect(res.status).toBe(200)
    const { result } = res.json
    expect(result.result.refs).toEqual({
      id: '1',
      whole: { ID: '2', TITLE: 'Item 2' },
      label: 'id-3-of-120',
      next: 50,
      missing: '$result[nope][0]',
      deep: { ID: '1', TITLE: 'Item 1' },
    })
    expect(result.result.list).toHaveLength(50)
    expect(result.result_total).toEqual({ list: 120 })
    expect(result.result_next).toEqual({ list: 50 })
    expect(Object.keys(result.result_time)).toEqual(['list', 'refs'])
    expect(result.result_time.list).toHaveProperty('operating', 0)
    expect(res.text).toContain('"result_error":[]')
    expect(res.json.time).not.toHaveProperty('operating')
  })

  it('keys list commands 0..n-1 and honours halt', async () => {
    const emu = await start()
    const cmd = ['test.echo?x=1', 'test.fail', 'test.echo?x=2']
    const go = await postJson(`${emu.webhookUrl}batch`, { halt: false, cmd })
    expect(go.json.result.result).toEqual({ 0: { x: '1' }, 2: { x: '2' } })
    expect(go.json.result.result_error).toEqual({ 1: { error: '', error_description: 'Not found' } })
    const stop = await postJson(`${emu.webhookUrl}batch`, { halt: 1, cmd })
    expect(stop.text).toMatch(/^\{"result":\{"result":\[\{"x":"1"\}\],"result_error":\{"1":/)
    expect(stop.json.result.result_time).toHaveLength(1)
  })

  it('refuses commands past the 50th and nested batches per command, with HTTP 200', async () => {
    const emu = await start()
    const cmd = Object.fromEntries(Array.from({ length: 52 }, (_, i) => [`c${i}`, `test.echo?i=${i}`]))
    cmd.c1 = 'batch?cmd[a]=test.echo'
    const res = await postJson(`${emu.webhookUrl}batch`, { cmd })
    expect(res.status).toBe(200)
    expect(Object.keys(res.json.result.result)).toHaveLength(49)
    expect(res.json.result.result_error).toEqual({
      c1: { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage' },
      c50: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
      c51: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
    })
  })

  it('checks existence, auth type and scope per command', async () => {
    const emu = await start()
    const hook = emu.createWebhook({ scopes: ['user'] })
    const res = await postJson(`${hook.url}batch`, {
      cmd: { a: 'test.crm', b: 'no.such', c: 'test.oauthonly', d: 'TEST.WHOAMI' },
    })
    expect(res.status).toBe(200)
    expect(res.json.result.result).toEqual({ d: { userId: 1, authType: 'webhook' } })
    expect(res.json.result.result_error.a.error).toBe('insufficient_scope')
    expect(res.json.result.result_error.b.error).toBe('ERROR_METHOD_NOT_FOUND')
    expect(res.json.result.result_error.c.error).toBe('WRONG_AUTH_TYPE')
  })

  it('writes every map as [] when nothing succeeds', async () => {
    const emu = await start()
    const res = await postJson(`${emu.webhookUrl}batch`, { cmd: { a: 'no.such' } })
    expect(res.text).toMatch(
      /^\{"result":\{"result":\[\],"result_error":\{"a":\{[^}]+\}\},"result_total":\[\],"result_next":\[\],"result_time":\[\]\},"time":/,
    )
    const empty = await postJson(`${emu.webhookUrl}batch`, {})
    expect(empty.text).toMatch(
      /^\{"result":\{"result":\[\],"result_error":\[\],"result_total":\[\],"result_next":\[\],"result_time":\[\]\}/,
    )
  })

  it('accepts form-encoded, double-encoded commands and upper-case keys', async () => {
    const emu = await start()
    const res = await postForm(
      `${emu.webhookUrl}batch`,
      'HALT=0&CMD[0]=test.echo%3Ffields%5BTITLE%5D%3DJohn%2526Martin&CMD[1]=test.echo.json%3Fx%3D1',
    )
    expect(res.json.result.result).toEqual([{ fields: { TITLE: 'John&Martin' } }, { x: '1' }])
  })

  it('runs for OAuth callers with the outer token and no per-command auth', async () => {
    const emu = await start()
    const { token } = oauthApp(emu)
    const res = await postJson(`${emu.url}/rest/batch`, {
      auth: token.accessToken,
      cmd: { a: 'test.oauthonly', b: 'test.echo?auth=other&x=1' },
    })
    expect(res.json.result.result).toEqual({ a: 'app-only', b: { x: '1' } })
  })

  it('counts sub-calls in operating time and stats, the batch itself only once', async () => {
    const emu = await start({ operatingLimit: 5 })
    const cmd = { a: 'test.cost?seconds=3', b: 'test.cost?seconds=3', c: 'test.cost?seconds=3', d: 'test.echo' }
    const res = await postJson(`${emu.webhookUrl}batch`, { cmd })
    expect(Object.keys(res.json.result.result)).toEqual(['a', 'b', 'd'])
    expect(res.json.result.result_time.b.operating).toBe(6)
    expect(res.json.result.result_error.c.error).toBe('OPERATION_TIME_LIMIT')
    expect(res.json.time.processing).toBe(6)
    const stats = emu.getStats()
    expect(stats.calls).toEqual({ batch: 1, 'test.cost': 2, 'test.echo': 1 })
    expect(stats.operationLimitBlocks).toBe(1)
    expect(stats.responses429).toBe(0)
    expect(stats.httpRequests).toBe(1)
  })

  it('answers a GET batch with the query string', async () => {
    const emu = await start()
    const res = await request(`${emu.webhookUrl}batch?cmd[a]=test.echo%3Fy%3D2`)
    expect(res.json.result.result).toEqual({ a: { y: '2' } })
  })
})
