/**
 * The emulator's portal page over plain HTTP (no browser): what it refuses, what it embeds, and its token refresh,
 * which rotates the refresh token as the OAuth server does. The page's script is exercised in chromium.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AppCredentials, type Emulator, startEmulator } from '../../src/emulator/index.js'

let emu: Emulator
let app: AppCredentials
beforeAll(async () => {
  emu = await startEmulator({ seed: { deals: 1 }, randomSeed: 3, realDelays: false })
  app = emu.createApp({ scopes: ['crm'] })
})
afterAll(() => emu.close())

const pageUrl = (clientId: string, query: Record<string, string>) =>
  `${emu.url}/marketplace/view/${encodeURIComponent(clientId)}/?${new URLSearchParams(query)}`

/** The JSON the page embeds for its script. */
async function embeddedConfig(response: Response): Promise<Record<string, unknown>> {
  const html = await response.text()
  const match = /<script type="application\/json" id="portal-config">([\s\S]*?)<\/script>/.exec(html)
  if (!match) throw new Error('no portal-config in the page')
  return JSON.parse(match[1]) as Record<string, unknown>
}

async function refresh(refreshToken: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(pageUrl(app.clientId, {}), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('the emulator portal page', () => {
  it('hosts the handler with a token for the app, the placement and its options, and escapes what it embeds', async () => {
    const response = await fetch(
      pageUrl(app.clientId, {
        handler: 'http://127.0.0.1:9/app.html',
        placement: 'CRM_DEAL_DETAIL_TAB',
        'params[ID]': '</script><b>',
      }),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const config = await embeddedConfig(response)
    expect(config).toMatchObject({
      clientId: app.clientId,
      handler: 'http://127.0.0.1:9/app.html',
      placement: 'CRM_DEAL_DETAIL_TAB',
      placementOptions: { ID: '</script><b>' },
      memberId: emu.memberId,
    })
    const auth = config.auth as { AUTH_ID: string }
    const call = await fetch(`${emu.url}/rest/crm.deal.list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: auth.AUTH_ID }),
    })
    expect(((await call.json()) as { result: unknown[] }).result).toHaveLength(1)
  })

  it('refuses an unknown app (404), a missing or non-http handler and unreadable answers (400)', async () => {
    const unknown = await fetch(pageUrl('local.nope', { handler: 'http://127.0.0.1:9/' }))
    expect(unknown.status).toBe(404)
    expect(await unknown.text()).toContain('createApp')
    const refused: Record<string, string>[] = [
      {},
      { handler: 'javascript:alert(1)' },
      { handler: 'http://127.0.0.1:9/', answers: '{' },
    ]
    for (const query of refused) {
      const response = await fetch(pageUrl(app.clientId, query))
      expect(response.status, JSON.stringify(query)).toBe(400)
      await response.text()
    }
  })

  it('renews the token through the page and rotates the refresh token', async () => {
    const config = await embeddedConfig(await fetch(pageUrl(app.clientId, { handler: 'http://127.0.0.1:9/' })))
    const first = config.auth as { AUTH_ID: string; REFRESH_ID: string }
    const renewed = await refresh(first.REFRESH_ID)
    expect(renewed.status).toBe(200)
    expect(renewed.body.AUTH_ID).not.toBe(first.AUTH_ID)
    expect(renewed.body.AUTH_EXPIRES).toBe(3600)
    expect((await refresh(first.REFRESH_ID)).status).toBe(401)
    expect((await refresh(renewed.body.REFRESH_ID)).status).toBe(200)
  })
})
