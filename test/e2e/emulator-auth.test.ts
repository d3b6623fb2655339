import { describe, expect, it } from 'vitest'
import { oauthApp, postForm, request, start } from './emulator-helpers.js'

describe('emulator authentication', () => {
  it('answers 401 NO_AUTH_FOUND without any auth', async () => {
    const emu = await start()
    const res = await request(`${emu.url}/rest/test.echo`)
    expect(res.status).toBe(401)
    expect(res.json).toEqual({ error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' })
  })

  it('answers INVALID_CREDENTIALS for a wrong webhook secret or user, with a configurable status', async () => {
    const emu = await start()
    const secret = new URL(emu.webhookUrl).pathname.split('/')[3]
    const wrongSecret = await request(`${emu.url}/rest/1/wrongsecret/test.echo`)
    expect(wrongSecret.status).toBe(401)
    expect(wrongSecret.json).toEqual({ error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' })
    expect((await request(`${emu.url}/rest/2/${secret}/test.echo`)).json.error).toBe('INVALID_CREDENTIALS')
    const strict = await start({ authErrorStatus: 403 })
    expect((await request(`${strict.url}/rest/1/wrongsecret/test.echo`)).status).toBe(403)
  })

  it('accepts the token as auth, access_token or a Bearer header, in query or body', async () => {
    const emu = await start()
    const { token } = oauthApp(emu)
    const url = `${emu.url}/rest/test.whoami`
    const expected = { userId: 1, authType: 'oauth' }
    expect((await request(`${url}?auth=${token.accessToken}`)).json.result).toEqual(expected)
    expect((await request(`${url}.json?access_token=${token.accessToken}`)).json.result).toEqual(expected)
    expect((await postForm(url, `auth=${token.accessToken}`)).json.result).toEqual(expected)
    const bearer = await request(url, { headers: { Authorization: `Bearer ${token.accessToken}` } })
    expect(bearer.json.result).toEqual(expected)
    expect(bearer.headers.get('x-bitrix-rest-application')).toBeTruthy()
  })

  it('answers 401 invalid_token for an unknown token and 401 expired_token after expiry', async () => {
    const emu = await start({ tokenLifetime: 60 })
    const { token } = oauthApp(emu)
    const unknown = await request(`${emu.url}/rest/test.echo?auth=nope`)
    expect(unknown.status).toBe(401)
    expect(unknown.json.error).toBe('invalid_token')
    emu.advanceTime(61)
    const expired = await request(`${emu.url}/rest/test.echo?auth=${token.accessToken}`)
    expect(expired.status).toBe(401)
    expect(expired.json).toEqual({ error: 'expired_token', error_description: 'The access token provided has expired' })
  })

  it('expires every current token on expireTokens()', async () => {
    const emu = await start()
    const { token } = oauthApp(emu)
    expect((await request(`${emu.url}/rest/test.echo?auth=${token.accessToken}`)).status).toBe(200)
    emu.expireTokens()
    expect((await request(`${emu.url}/rest/test.echo?auth=${token.accessToken}`)).json.error).toBe('expired_token')
  })

  it('checks scopes after method existence, for webhooks and apps', async () => {
    const emu = await start()
    const hook = emu.createWebhook({ userId: 3, scopes: ['user'] })
    expect(hook.url).toBe(`${emu.url}/rest/3/${hook.secret}/`)
    const denied = await request(`${hook.url}test.crm`)
    expect(denied.status).toBe(401)
    expect(denied.json).toEqual({
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the webhook token',
    })
    expect((await request(`${hook.url}no.such.method`)).status).toBe(404)
    expect((await request(`${hook.url}test.whoami`)).json.result).toEqual({ userId: 3, authType: 'webhook' })
    const { token } = oauthApp(emu, ['user'])
    const appDenied = await request(`${emu.url}/rest/test.crm?auth=${token.accessToken}`)
    expect(appDenied.json.error_description).toContain('access token')
    const crm = oauthApp(emu, ['crm'])
    expect((await request(`${emu.url}/rest/test.crm?auth=${crm.token.accessToken}`)).json.result).toBe('crm-ok')
  })

  it('refuses OAuth-only methods to webhooks with 403 WRONG_AUTH_TYPE', async () => {
    const emu = await start()
    for (const method of ['test.oauthonly', 'event.bind', 'event.get', 'events']) {
      const res = await request(`${emu.webhookUrl}${method}`)
      expect(res.status, method).toBe(403)
      expect(res.json.error, method).toBe('WRONG_AUTH_TYPE')
    }
    const { token } = oauthApp(emu)
    expect((await request(`${emu.url}/rest/test.oauthonly?auth=${token.accessToken}`)).json.result).toBe('app-only')
  })
})

describe('emulator OAuth server', () => {
  it('runs the authorize → code → token → refresh flow with rotation', async () => {
    const emu = await start({ domain: 'portal.example.test' })
    const app = emu.createApp({ scopes: ['crm', 'user'], redirectUri: 'https://app.example.test/cb?x=1' })
    const authorize = await request(`${emu.url}/oauth/authorize/?client_id=${app.clientId}&state=s1`)
    expect(authorize.status).toBe(302)
    const location = new URL(authorize.headers.get('location') ?? '')
    expect(location.origin + location.pathname).toBe('https://app.example.test/cb')
    expect(location.searchParams.get('x')).toBe('1')
    expect(location.searchParams.get('state')).toBe('s1')
    expect(location.searchParams.get('domain')).toBe('portal.example.test')
    expect(location.searchParams.get('member_id')).toBe(emu.memberId)
    expect(location.searchParams.get('scope')).toBe('crm,user')
    expect(location.searchParams.get('server_domain')).toBe(new URL(emu.url).host)
    const code = location.searchParams.get('code')

    const tokenUrl = `${emu.url}/oauth/token/?grant_type=authorization_code&client_id=${app.clientId}&client_secret=${app.clientSecret}&code=${code}`
    const granted = await request(tokenUrl)
    expect(granted.status).toBe(200)
    expect(Object.keys(granted.json).sort()).toEqual(
      [
        'access_token',
        'client_endpoint',
        'domain',
        'expires',
        'expires_in',
        'member_id',
        'refresh_token',
        'scope',
        'server_endpoint',
        'status',
        'user_id',
      ].sort(),
    )
    expect(granted.json).toMatchObject({
      client_endpoint: `${emu.url}/rest/`,
      server_endpoint: `${emu.url}/rest/`,
      expires_in: 3600,
      member_id: emu.memberId,
      scope: 'crm,user',
      status: 'L',
      user_id: 1,
    })
    expect(granted.text).toContain('"client_endpoint":"http:\\/\\/127.0.0.1')
    expect(Math.abs(granted.json.expires - (emu.now() + 3600))).toBeLessThan(5)
    expect((await request(tokenUrl)).json.error).toBe('invalid_grant')

    const refresh = (refreshToken: string) =>
      postForm(
        `${emu.url}/oauth/token/`,
        `grant_type=refresh_token&client_id=${app.clientId}&client_secret=${app.clientSecret}&refresh_token=${refreshToken}`,
      )
    const refreshed = await refresh(granted.json.refresh_token)
    expect(refreshed.status).toBe(200)
    expect(refreshed.json.refresh_token).not.toBe(granted.json.refresh_token)
    const reused = await refresh(granted.json.refresh_token)
    expect(reused.status).toBe(400)
    expect(reused.json.error).toBe('invalid_grant')
    expect((await request(`${emu.url}/rest/test.whoami?auth=${refreshed.json.access_token}`)).status).toBe(200)

    const stats = emu.getStats()
    expect(stats.oauthRefreshes).toBe(2)
    expect(stats.tokenGrants).toBe(2)
  })

  it('rejects a wrong client with 401 invalid_client and an expired code with invalid_grant', async () => {
    const emu = await start()
    const app = emu.createApp({ redirectUri: 'https://app.example.test/cb' })
    const wrong = await request(
      `${emu.url}/oauth/token/?grant_type=refresh_token&client_id=${app.clientId}&client_secret=bad&refresh_token=x`,
    )
    expect(wrong.status).toBe(401)
    expect(wrong.json.error).toBe('invalid_client')
    const authorize = await request(`${emu.url}/oauth/authorize/?client_id=${app.clientId}`)
    const code = new URL(authorize.headers.get('location') ?? '').searchParams.get('code')
    emu.advanceTime(31)
    const late = await request(
      `${emu.url}/oauth/token/?grant_type=authorization_code&client_id=${app.clientId}&client_secret=${app.clientSecret}&code=${code}`,
    )
    expect(late.status).toBe(400)
    expect(late.json.error).toBe('invalid_grant')
  })

  it('issues installed-app tokens directly', async () => {
    const emu = await start()
    const app = emu.createApp({ clientId: 'local.test.1', clientSecret: 'secret' })
    const token = emu.issueToken({ clientId: app.clientId, userId: 5 })
    expect(token).toMatchObject({
      clientEndpoint: `${emu.url}/rest/`,
      memberId: emu.memberId,
      userId: 5,
      applicationToken: app.applicationToken,
      expiresIn: 3600,
    })
    expect(token.accessToken).toMatch(/^[0-9a-f]{70}$/)
    expect((await request(`${emu.url}/rest/test.whoami?auth=${token.accessToken}`)).json.result.userId).toBe(5)
  })
})

describe('emulator system methods', () => {
  it('app.info answers per auth type', async () => {
    const emu = await start({ plan: 'enterprise' })
    const hook = await request(`${emu.webhookUrl}app.info`)
    expect(hook.json.result.LICENSE).toBe('en_ent250')
    expect(hook.json.result.SCOPE).toContain('crm')
    const { app, token } = oauthApp(emu, ['crm'])
    const info = await request(`${emu.url}/rest/app.info?auth=${token.accessToken}`)
    expect(info.json.result).toMatchObject({ CODE: app.clientId, STATUS: 'L', INSTALLED: true, LICENSE_FAMILY: 'ent' })
  })

  it('scope, methods and method.get describe the caller', async () => {
    const emu = await start()
    const hook = emu.createWebhook({ scopes: ['crm'] })
    expect((await request(`${hook.url}scope`)).json.result).toEqual(['crm'])
    expect((await request(`${hook.url}scope?full=true`)).json.result).toContain('user')
    const mine = (await request(`${hook.url}methods`)).json.result
    expect(mine).toContain('test.crm')
    expect(mine).toContain('batch')
    expect(mine).not.toContain('event.bind')
    expect((await request(`${hook.url}methods?scope=crm`)).json.result).toContain('test.crm')
    expect((await request(`${hook.url}methods?full=1`)).json.result).toContain('event.bind')
    expect((await request(`${hook.url}method.get?name=TEST.CRM`)).json.result).toEqual({
      isExisting: true,
      isAvailable: true,
    })
    expect((await request(`${hook.url}method.get?name=event.bind`)).json.result).toEqual({
      isExisting: true,
      isAvailable: false,
    })
    expect((await request(`${hook.url}method.get?name=nope`)).json.result.isExisting).toBe(false)
  })

  it('binds, lists and unbinds event handlers per app', async () => {
    const emu = await start()
    const { token } = oauthApp(emu)
    const other = oauthApp(emu)
    const call = (method: string, query: string, auth = token.accessToken) =>
      request(`${emu.url}/rest/${method}?auth=${auth}&${query}`)
    const handler = encodeURIComponent('https://app.example.test/handler/')
    expect((await call('event.bind', `event=onCrmDealAdd&handler=${handler}`)).json.result).toBe(true)
    expect((await call('event.bind', `event=ONCRMDEALADD&handler=${handler}`)).json.error).toBe('ERROR_CORE')
    const bad = await call('event.bind', `event=nothing&handler=${handler}`)
    expect(bad.status).toBe(400)
    expect(bad.json).toEqual({ error: 'ERROR_EVENT_NOT_FOUND', error_description: 'Event not found' })
    expect((await call('event.bind', 'event=ONCRMDEALADD')).json.error).toBe('ERROR_ARGUMENT')
    const listed = await call('event.get', '')
    expect(listed.json.result).toEqual([
      { event: 'ONCRMDEALADD', handler: 'https://app.example.test/handler/', auth_type: '0', offline: 0 },
    ])
    expect(listed.text).toContain('"handler":"https:\\/\\/app.example.test\\/handler\\/"')
    expect((await call('event.get', '', other.token.accessToken)).json.result).toEqual([])
    expect((await call('event.unbind', `event=ONCRMDEALADD&handler=${handler}`)).json.result).toEqual({ count: 1 })
    expect((await call('events', '')).json.result).toContain('ONAPPINSTALL')
  })
})
