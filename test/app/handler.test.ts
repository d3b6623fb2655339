/**
 * The framework-neutral handler behind the `node:http` adapter, over real HTTP on loopback: install, verified
 * events, robots and pages reach the app's handlers; forged and malformed calls are typed rejections and nothing
 * is stored (acceptance of issue 11: forged events are rejected with typed errors).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import type { BitrixIncomingRejected } from '../../src/errors/index.js'
import {
  type AppInstallation,
  BitrixApp,
  createAppHandler,
  type IncomingEvent,
  type KnownInstallation,
  type PlacementRequest,
  type RobotRequest,
  toNodeListener,
} from '../../src/index.js'
import {
  APPLICATION_TOKEN,
  eventBody,
  installBody,
  listen,
  MEMBER_ID,
  pageBody,
  post,
  robotBody,
} from './portal-calls.js'

/** What the app saw: its store and every call its handlers got. */
function appUnderTest(options: { confirmWith?: BitrixApp; maxBodyBytes?: number; failOn?: string } = {}) {
  const installations = new Map<string, AppInstallation>()
  const seen = {
    events: [] as IncomingEvent[],
    deals: [] as string[],
    robots: [] as RobotRequest[],
    pages: [] as PlacementRequest[],
    uninstalled: [] as string[],
    rejected: [] as BitrixIncomingRejected[],
  }
  const handler = createAppHandler({
    findInstallation: (memberId): KnownInstallation | undefined => installations.get(memberId),
    onInstall: async (installation) => {
      installations.set(installation.memberId, installation)
    },
    onUninstall: (event) => {
      installations.delete(event.auth.memberId)
      seen.uninstalled.push(event.auth.memberId)
    },
    events: {
      ONCRMDEALADD: (event) => {
        seen.deals.push(event.data.FIELDS?.ID ?? '')
        if (options.failOn === 'ONCRMDEALADD') throw new Error(`failed with ${event.auth.accessToken}`)
      },
    },
    onEvent: (event) => {
      seen.events.push(event)
    },
    onRobot: (call) => {
      seen.robots.push(call)
    },
    onPage: (page) => {
      seen.pages.push(page)
      return new Response(`<h1>${page.placement}</h1>`, { headers: { 'content-type': 'text/html' } })
    },
    onRejected: (error) => {
      seen.rejected.push(error)
    },
    confirmInstall: options.confirmWith === undefined ? undefined : { bitrixApp: options.confirmWith },
    maxBodyBytes: options.maxBodyBytes,
  })
  return { installations, seen, handler }
}

let server: Awaited<ReturnType<typeof listen>> | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function serve(app: ReturnType<typeof appUnderTest>): Promise<string> {
  server = await listen(toNodeListener(app.handler))
  return server.url
}

describe('the app handler over node:http', () => {
  it('install, then verified events, robot calls and pages reach the typed handlers', async () => {
    const app = appUnderTest()
    const url = await serve(app)
    expect((await post(url, installBody())).status).toBe(200)
    const stored = app.installations.get(MEMBER_ID)
    expect(stored?.applicationToken).toBe(APPLICATION_TOKEN)
    expect(stored?.refreshToken).toBe('4s386p3q0tr8dy89xvmt96234v3dljg8')
    expect(stored?.languageId).toBe('en')

    const deal = await post(url, eventBody('ONCRMDEALADD', { FIELDS: { ID: '6641' } }))
    expect(deal.status).toBe(200)
    expect(await deal.text()).toBe('OK')
    expect(app.seen.deals).toEqual(['6641'])
    expect(app.seen.events.map((event) => event.event)).toEqual(['ONCRMDEALADD'])

    // An event no page documents still arrives, generic.
    expect((await post(url, eventBody('ONSOMETHINGNEW', { X: { Y: '1' } }))).status).toBe(200)
    expect(app.seen.events[1].data).toEqual({ X: { Y: '1' } })

    expect((await post(url, robotBody())).status).toBe(200)
    expect(app.seen.robots[0]).toMatchObject({
      code: 'send_message',
      documentId: ['crm', 'CCrmDocumentDeal', 'DEAL_42'],
      properties: { text: 'Hello', user: ['user_1', 'user_2'] },
      useSubscription: true,
      timeoutDuration: 60,
    })

    const page = await post(`${url}/?DOMAIN=some-domain.bitrix24.com&PROTOCOL=1&LANG=en&APP_SID=abc`, pageBody())
    expect(page.status).toBe(200)
    expect(await page.text()).toBe('<h1>CRM_DEAL_DETAIL_TAB</h1>')
    expect(app.seen.pages[0]).toMatchObject({
      domain: 'some-domain.bitrix24.com',
      lang: 'en',
      placementOptions: { ID: '8061' },
    })

    expect((await post(url, eventBody('ONAPPUNINSTALL', { CLEAN: '0' }))).status).toBe(200)
    expect(app.seen.uninstalled).toEqual([MEMBER_ID])
    expect(app.installations.size).toBe(0)
    expect(app.seen.rejected).toEqual([])
  })

  it('forged and malformed calls are typed rejections; no handler runs and nothing is stored', async () => {
    const app = appUnderTest({ maxBodyBytes: 64 * 1024 })
    const url = await serve(app)
    await post(url, installBody())
    const before = JSON.stringify([...app.installations])
    const cases: [string, string | Uint8Array<ArrayBuffer>, number, string][] = [
      [
        'wrong token',
        eventBody('ONCRMDEALADD', { FIELDS: { ID: '1' } }, { application_token: 'f'.repeat(32) }),
        401,
        'forged',
      ],
      [
        'token of another length',
        eventBody('ONCRMDEALADD', { FIELDS: { ID: '1' } }, { application_token: 'x' }),
        401,
        'forged',
      ],
      ['no token', eventBody('ONCRMDEALADD', { FIELDS: { ID: '1' } }, { application_token: '' }), 401, 'forged'],
      [
        'unknown portal',
        eventBody('ONCRMDEALADD', { FIELDS: { ID: '1' } }, { member_id: 'f'.repeat(32) }),
        401,
        'unknown-installation',
      ],
      ['uninstall forged', eventBody('ONAPPUNINSTALL', {}, { application_token: 'e'.repeat(32) }), 401, 'forged'],
      ['re-install with another token', installBody({ application_token: 'd'.repeat(32) }), 401, 'forged'],
      ['no member_id', eventBody('ONCRMDEALADD', {}, { member_id: '' }), 400, 'missing-field'],
      ['no domain', eventBody('ONCRMDEALADD', {}, { domain: '' }), 400, 'missing-field'],
      ['install without tokens', installBody({ member_id: 'c'.repeat(32), refresh_token: '' }), 400, 'missing-field'],
      ['neither event nor page', 'hello=world', 400, 'missing-field'],
      ['unbalanced bracket', `${eventBody('ONCRMDEALADD', {})}&data[FIELDS[ID]=1`, 400, 'malformed'],
      ['closing bracket in the name', `${eventBody('ONCRMDEALADD', {})}&data]x=1`, 400, 'malformed'],
      ['__proto__ key', `${eventBody('ONCRMDEALADD', {})}&data[__proto__][admin]=1`, 400, 'malformed'],
      [
        'encoded constructor.prototype',
        `${eventBody('ONCRMDEALADD', {})}&data%5Bconstructor%5D%5Bprototype%5D%5Bx%5D=1`,
        400,
        'malformed',
      ],
      [
        'JSON __proto__',
        `{"event":"ONCRMDEALADD","__proto__":{"x":1},"auth":{"domain":"a.bitrix24.com","member_id":"${MEMBER_ID}","application_token":"${APPLICATION_TOKEN}"}}`,
        400,
        'malformed',
      ],
      ['bad JSON', '{"event": ', 400, 'malformed'],
      ['bad PLACEMENT_OPTIONS', pageBody({ PLACEMENT_OPTIONS: '{nope' }), 400, 'malformed'],
      ['PLACEMENT_OPTIONS with __proto__', pageBody({ PLACEMENT_OPTIONS: '{"__proto__":{"x":1}}' }), 400, 'malformed'],
      ['page of a known portal, forged token', pageBody({ APPLICATION_TOKEN: 'b'.repeat(32) }), 401, 'forged'],
      ['robot forged', robotBody({ application_token: 'a'.repeat(32) }), 401, 'forged'],
      ['oversized', new Uint8Array(65 * 1024).fill(0x61), 413, 'too-large'],
    ]
    for (const [name, body, status, reason] of cases) {
      const response = await post(`${url}/?DOMAIN=some-domain.bitrix24.com`, body)
      const answer = (await response.json()) as { error: string; error_description: string }
      expect([name, response.status, answer.error]).toEqual([name, status, reason])
      expect(answer.error_description).not.toContain(APPLICATION_TOKEN)
    }
    expect(app.seen.rejected.map((error) => error.reason)).toEqual(cases.map((item) => item[3]))
    expect(app.seen.events).toEqual([])
    expect(app.seen.deals).toEqual([])
    expect(app.seen.robots).toEqual([])
    expect(app.seen.pages).toEqual([])
    expect(app.seen.uninstalled).toEqual([])
    expect(JSON.stringify([...app.installations])).toBe(before)
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
  })

  it('a body streamed past the limit without a length is cut off unread; GET is 405', async () => {
    const app = appUnderTest({ maxBodyBytes: 1024 })
    const url = await serve(app)
    let sent = 0
    const chunk = new TextEncoder().encode('a'.repeat(512))
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1
        if (sent > 10_000)
          controller.close() // bounded: 5 MB at most
        else controller.enqueue(chunk)
      },
    })
    const response = await fetch(url, {
      method: 'POST',
      body: endless,
      duplex: 'half',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    } as RequestInit).catch((error: unknown) => error)
    if (response instanceof Response) expect(response.status).toBe(413)
    expect(app.seen.rejected.map((error) => error.reason)).toEqual(['too-large'])
    expect(sent).toBeLessThan(10_000)
    const get = await fetch(url)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
  })

  it("an app handler's failure is a 500 without secrets; the portal call was verified first", async () => {
    const app = appUnderTest({ failOn: 'ONCRMDEALADD' })
    const url = await serve(app)
    await post(url, installBody())
    const response = await post(url, eventBody('ONCRMDEALADD', { FIELDS: { ID: '7' } }))
    expect(response.status).toBe(500)
    const text = await response.text()
    expect(text).toContain('handler_failed')
    expect(text).not.toContain('s6p6eclrvim6da22ft9ch94ekreb52lv')
  })
})

describe('install confirmed with app.info against the emulator', () => {
  let emu: Emulator
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, plan: 'off', randomSeed: 5 })
  })
  afterAll(async () => {
    await emu.close()
  })

  it('a genuine install token is confirmed, a forged one or another app is refused, a re-install is asked at the stored portal', async () => {
    const credentials = emu.createApp()
    const bitrixApp = new BitrixApp({ ...credentials, oauthServer: emu.url })
    const issued = emu.issueToken({ clientId: credentials.clientId })
    const app = appUnderTest({ confirmWith: bitrixApp })
    const url = await serve(app)
    const portal = { domain: emu.domain, member_id: emu.memberId }

    const forged = await post(
      url,
      installBody({ ...portal, access_token: 'not-a-token', application_token: credentials.applicationToken }),
    )
    expect(forged.status).toBe(401)
    const other = emu.createApp()
    const otherToken = emu.issueToken({ clientId: other.clientId })
    expect((await post(url, installBody({ ...portal, access_token: otherToken.accessToken }))).status).toBe(401)
    expect(app.installations.size).toBe(0)

    const genuine = await post(
      url,
      installBody({ ...portal, access_token: issued.accessToken, application_token: credentials.applicationToken }),
    )
    expect(genuine.status).toBe(200)
    expect(app.installations.get(emu.memberId)?.domain).toBe(emu.domain)

    // A re-install claiming the portal from elsewhere with a token the portal does not know: refused, store kept.
    const hijack = await post(
      url,
      installBody({
        member_id: emu.memberId,
        domain: 'evil.example',
        access_token: 'x',
        application_token: 'f'.repeat(32),
      }),
    )
    expect(hijack.status).toBe(401)
    expect(app.installations.get(emu.memberId)?.applicationToken).toBe(credentials.applicationToken)
  })
})
