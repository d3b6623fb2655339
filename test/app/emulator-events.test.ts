/**
 * The emulator as a portal that sends events: real form-encoded POSTs to loopback handlers when entities change,
 * ONAPPINSTALL / ONAPPUNINSTALL, failures and timeouts counted, and the offline queue (`event.offline.*`) as the
 * portal's own code runs it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/index.js'
import { type EventReceiver, startReceiver } from './event-receiver.js'

const running: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()))
})

async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ plan: 'off', realDelays: false, seed: { deals: 5, tasks: 3 }, ...options })
  running.push(emu)
  return emu
}

async function receiver(...args: Parameters<typeof startReceiver>): Promise<EventReceiver> {
  const r = await startReceiver(...args)
  running.push(r)
  return r
}

interface Envelope {
  result?: unknown
  error?: string
  total?: number
  next?: number
}

/** A JSON POST to the portal: `base` is a webhook URL or `${emu.url}/rest/` with `auth` in the params. */
async function rest(base: string, method: string, params: Record<string, unknown> = {}): Promise<Envelope> {
  const res = await fetch(`${base}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  })
  return (await res.json()) as Envelope
}

function installedApp(emu: Emulator, userId = 1) {
  const app = emu.createApp()
  const token = emu.issueToken({ clientId: app.clientId, userId })
  const call = (method: string, params: Record<string, unknown> = {}) =>
    rest(`${emu.url}/rest/`, method, { ...params, auth: token.accessToken })
  return { app, token, call }
}

describe('emulator event delivery', () => {
  it('posts ONCRMDEALADD / UPDATE / DELETE to the bound handler, form-encoded as a portal sends it', async () => {
    const emu = await emulator()
    const hook = await receiver()
    const { app, call } = installedApp(emu)
    for (const event of ['ONCRMDEALADD', 'ONCRMDEALUPDATE', 'ONCRMDEALDELETE']) {
      expect((await call('event.bind', { event, handler: `${hook.url}/events` })).result).toBe(true)
    }
    const bindings = (await call('event.get')).result as Array<{ event: string }>
    const added = (await rest(emu.webhookUrl, 'crm.deal.add', { fields: { TITLE: 'Evented' } })).result as number
    await rest(emu.webhookUrl, 'crm.deal.update', { id: added, fields: { TITLE: 'Changed' } })
    await rest(emu.webhookUrl, 'crm.deal.delete', { id: added })
    await emu.events.idle()

    expect(hook.posts.map((p) => p.body.event)).toEqual(['ONCRMDEALADD', 'ONCRMDEALUPDATE', 'ONCRMDEALDELETE'])
    const first = hook.posts[0]
    expect(first.path).toBe('/events')
    expect(first.contentType).toBe('application/x-www-form-urlencoded')
    // The key order of a portal's http_build_query (protocol.md §7.3, RemoteEventsFabricTest).
    const keys = first.raw.split('&').map((pair) => decodeURIComponent(pair.split('=')[0]))
    expect(keys).toEqual([
      'event',
      'event_handler_id',
      'data[FIELDS][ID]',
      'ts',
      'auth[access_token]',
      'auth[expires]',
      'auth[expires_in]',
      'auth[scope]',
      'auth[domain]',
      'auth[server_endpoint]',
      'auth[status]',
      'auth[client_endpoint]',
      'auth[member_id]',
      'auth[user_id]',
      'auth[application_token]',
    ])
    const auth = first.body.auth as Record<string, string>
    expect(first.body.data).toEqual({ FIELDS: { ID: String(added) } })
    expect(auth.application_token).toBe(app.applicationToken)
    expect(auth.member_id).toBe(emu.memberId)
    expect(auth.domain).toBe(emu.domain)
    expect(auth.client_endpoint).toBe(`${emu.url}/rest/`)
    expect(auth.user_id).toBe('1')
    expect(Number(first.body.ts)).toBe(Math.floor(Number(first.body.ts)))
    expect(bindings).toHaveLength(3)
    // event_handler_id names the binding; the event's access token works for REST calls.
    expect(new Set(hook.posts.map((p) => p.body.event_handler_id)).size).toBe(3)
    const asApp = await rest(`${emu.url}/rest/`, 'app.info', { auth: auth.access_token })
    expect((asApp.result as { CODE: string }).CODE).toBe(app.clientId)
    expect(emu.stats.events).toMatchObject({ queued: 3, delivered: 3, failed: 0, timeout: 0 })
  })

  it('raises task, crm.item and generic-family events with the documented data', async () => {
    const emu = await emulator()
    const hook = await receiver()
    const { call } = installedApp(emu)
    for (const event of ['ONTASKADD', 'ONTASKUPDATE', 'ONCRMDYNAMICITEMADD', 'ONCRMTYPEADD', 'ONCRMCONTACTADD']) {
      expect((await call('event.bind', { event, handler: `${hook.url}/e` })).result).toBe(true)
    }
    const task = (await rest(emu.webhookUrl, 'tasks.task.add', { fields: { TITLE: 'T', RESPONSIBLE_ID: 1 } }))
      .result as { task: { id: string } }
    await rest(emu.webhookUrl, 'tasks.task.update', { taskId: task.task.id, fields: { TITLE: 'T2' } })
    const item = (await rest(emu.webhookUrl, 'crm.item.add', { entityTypeId: 128, fields: { title: 'S' } })).result as {
      item: { id: number }
    }
    const contact = (await rest(emu.webhookUrl, 'crm.item.add', { entityTypeId: 3, fields: { name: 'C' } })).result as {
      item: { id: number }
    }
    const type = await rest(emu.webhookUrl, 'crm.type.add', { fields: { title: 'Custom' } })
    await emu.events.idle()

    const byEvent = Object.fromEntries(hook.posts.map((p) => [p.body.event, p.body.data]))
    expect(byEvent.ONTASKADD).toEqual({
      FIELDS_BEFORE: 'undefined',
      FIELDS_AFTER: { ID: String(task.task.id) },
      IS_ACCESSIBLE_BEFORE: 'N',
      IS_ACCESSIBLE_AFTER: 'undefined',
    })
    expect(byEvent.ONTASKUPDATE).toMatchObject({ FIELDS_AFTER: { ID: String(task.task.id) } })
    expect(byEvent.ONCRMDYNAMICITEMADD).toEqual({ FIELDS: { ID: String(item.item.id), ENTITY_TYPE_ID: '128' } })
    expect(byEvent.ONCRMCONTACTADD).toEqual({ FIELDS: { ID: String(contact.item.id) } })
    expect(type.error).toBeUndefined()
    expect(byEvent.ONCRMTYPEADD).toHaveProperty('FIELDS.ID')
  })

  it('counts failed (non-2xx, refused), timed-out and skipped (non-loopback) deliveries, and never retries', async () => {
    const emu = await emulator({ events: { timeoutMs: 300 } })
    const failing = await receiver({ status: 500 })
    const hanging = await receiver('hang')
    const gone = await receiver()
    const goneUrl = gone.url
    await gone.close()
    const { call } = installedApp(emu)
    for (const handler of [`${failing.url}/`, `${hanging.url}/`, `${goneUrl}/`, 'https://app.example.test/h']) {
      expect((await call('event.bind', { event: 'ONCRMLEADADD', handler })).result).toBe(true)
    }
    await rest(emu.webhookUrl, 'crm.lead.add', { fields: { TITLE: 'L' } })
    await emu.events.idle()

    expect(failing.posts).toHaveLength(1)
    expect(hanging.posts).toHaveLength(1)
    expect(emu.stats.events).toMatchObject({ queued: 3, delivered: 0, failed: 2, timeout: 1, skipped: 1 })
    const outcomes = Object.fromEntries(emu.events.deliveries.map((d) => [d.handler, d]))
    expect(outcomes[`${failing.url}/`]).toMatchObject({ outcome: 'failed', status: 500, reason: 'HTTP 500' })
    expect(outcomes[`${goneUrl}/`]).toMatchObject({ outcome: 'failed', reason: 'ECONNREFUSED' })
    expect(outcomes[`${hanging.url}/`].outcome).toBe('timeout')
    expect(outcomes['https://app.example.test/h'].outcome).toBe('skipped')
  })

  it('drops what does not fit in the bounded queue, and idle() is bounded', async () => {
    const emu = await emulator({ events: { timeoutMs: 500, queueLimit: 2, concurrency: 1 } })
    const hanging = await receiver('hang')
    const { call } = installedApp(emu)
    await call('event.bind', { event: 'ONCRMDEALADD', handler: `${hanging.url}/` })
    await rest(emu.webhookUrl, 'batch', {
      cmd: Object.fromEntries([1, 2, 3, 4].map((n) => [`d${n}`, `crm.deal.add?fields[TITLE]=D${n}`])),
    })
    await expect(emu.events.idle(100)).rejects.toThrow(/still queued or in flight after 100 ms/)
    await emu.events.idle(10_000)
    const stats = emu.stats.events
    expect(stats.queued + stats.dropped).toBe(4)
    expect(stats.dropped).toBeGreaterThanOrEqual(1)
    expect(stats.timeout).toBe(stats.queued)
  })

  it('posts ONAPPINSTALL with tokens and the application token on install, ONAPPUNINSTALL without tokens', async () => {
    const emu = await emulator()
    const hook = await receiver()
    const app = emu.createApp({ installUrl: `${hook.url}/install` })
    const token = emu.installApp(app.clientId)
    await emu.events.idle()
    expect(hook.posts).toHaveLength(1)
    const install = hook.posts[0]
    expect(install.path).toBe('/install')
    expect(install.body.event).toBe('ONAPPINSTALL')
    expect(install.body.data).toEqual({ VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' })
    const auth = install.body.auth as Record<string, string>
    expect(auth.application_token).toBe(app.applicationToken)
    expect(auth.refresh_token).toMatch(/^[0-9a-f]{70}$/)
    expect(token.applicationToken).toBe(app.applicationToken)
    // The install's tokens work; the refresh token refreshes.
    const refreshed = await fetch(
      `${emu.url}/oauth/token/?grant_type=refresh_token&client_id=${app.clientId}&client_secret=${app.clientSecret}&refresh_token=${auth.refresh_token}`,
    )
    expect(refreshed.status).toBe(200)

    await rest(`${emu.url}/rest/`, 'event.bind', {
      auth: auth.access_token,
      event: 'ONAPPUNINSTALL',
      handler: `${hook.url}/uninstall`,
    })
    emu.uninstallApp(app.clientId)
    await emu.events.idle()
    const uninstall = hook.posts[1]
    expect(uninstall.body.event).toBe('ONAPPUNINSTALL')
    expect(uninstall.body.data).toEqual({ LANGUAGE_ID: 'en', CLEAN: '1' })
    expect(Object.keys(uninstall.body.auth as object)).toEqual([
      'domain',
      'server_endpoint',
      'client_endpoint',
      'member_id',
      'application_token',
    ])
    // Its bindings went with it.
    expect((await rest(`${emu.url}/rest/`, 'event.get', { auth: token.accessToken })).result).toEqual([])
  })

  it('installs an app on its first OAuth authorization (ONAPPINSTALL once)', async () => {
    const emu = await emulator()
    const hook = await receiver()
    const app = emu.createApp({ redirectUri: `${hook.url}/oauth`, installUrl: `${hook.url}/install` })
    for (let i = 0; i < 2; i += 1) {
      const res = await fetch(`${emu.url}/oauth/authorize/?client_id=${app.clientId}&state=s${i}`, {
        redirect: 'manual',
      })
      expect(res.status).toBe(302)
    }
    await emu.events.idle()
    expect(hook.posts.map((p) => p.body.event)).toEqual(['ONAPPINSTALL'])
  })
})

describe('emulator offline events', () => {
  async function offlineSetup(options: EmulatorOptions = {}) {
    const emu = await emulator(options)
    const admin = installedApp(emu)
    expect((await admin.call('event.bind', { event: 'ONCRMDEALADD', event_type: 'offline' })).result).toBe(true)
    expect((await admin.call('event.bind', { event: 'ONCRMDEALUPDATE', event_type: 'offline' })).result).toBe(true)
    const ids: number[] = []
    for (let i = 0; i < 5; i += 1) {
      ids.push((await rest(emu.webhookUrl, 'crm.deal.add', { fields: { TITLE: `O${i}` } })).result as number)
    }
    return { emu, admin, ids }
  }

  interface OfflineEvent {
    ID: string
    EVENT_NAME: string
    EVENT_DATA: { FIELDS: { ID: string } }
    EVENT_ADDITIONAL: { user_id: number }
    MESSAGE_ID: string
    TIMESTAMP_X: string
  }
  type Got = { process_id: string | null; events: OfflineEvent[] }

  it('reserves a batch under a process_id, hides it from other reads, gives it back to the same process_id', async () => {
    const { admin, ids } = await offlineSetup()
    const first = (await admin.call('event.offline.get', { clear: 0, limit: 3 })).result as Got
    expect(first.process_id).toMatch(/^[0-9a-f]{32}$/)
    expect(first.events.map((e) => Number(e.EVENT_DATA.FIELDS.ID))).toEqual(ids.slice(0, 3))
    expect(first.events[0]).toMatchObject({ EVENT_NAME: 'ONCRMDEALADD', EVENT_ADDITIONAL: { user_id: 1 } })
    expect(first.events[0].MESSAGE_ID).toMatch(/^[0-9a-f]{32}$/)
    expect(first.events[0].TIMESTAMP_X).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/)

    // Another reader gets the rest only; the reserved batch is hidden from it.
    const second = (await admin.call('event.offline.get', { clear: 0 })).result as Got
    expect(second.events.map((e) => Number(e.EVENT_DATA.FIELDS.ID))).toEqual(ids.slice(3))
    expect(second.process_id).not.toBe(first.process_id)
    // The same process_id reads its batch again (a restarted worker), and reserves nothing new.
    const again = (await admin.call('event.offline.get', { clear: 0, process_id: first.process_id })).result as Got
    expect(again).toEqual(first)

    // Clear part by message_id, the rest by id; mark one of the second batch as an error.
    await admin.call('event.offline.clear', { process_id: first.process_id, message_id: [first.events[0].MESSAGE_ID] })
    await admin.call('event.offline.clear', { process_id: first.process_id, id: [first.events[1].ID] })
    const left = (await admin.call('event.offline.list')).result as Array<{
      ID: string
      PROCESS_ID: string
      ERROR: string
    }>
    expect(left.map((r) => r.ID)).toEqual([first.events[2].ID, ...second.events.map((e) => e.ID)])
    expect(left[0].PROCESS_ID).toBe(first.process_id)
    await admin.call('event.offline.error', {
      process_id: second.process_id,
      message_id: [second.events[0].MESSAGE_ID],
    })
    await admin.call('event.offline.clear', { process_id: second.process_id })
    const errors = (await admin.call('event.offline.get', { error: 1 })).result as Got
    expect(errors.process_id).toBeNull()
    expect(errors.events.map((e) => e.ID)).toEqual([second.events[0].ID])
    const listed = (await admin.call('event.offline.list')).result as Array<{ ID: string }>
    expect(listed.map((r) => r.ID)).toEqual([first.events[2].ID])
  })

  it('keeps one row per object and event, skips the source connector, and refuses bad calls', async () => {
    const { emu, admin, ids } = await offlineSetup()
    for (let i = 0; i < 3; i += 1)
      await rest(emu.webhookUrl, 'crm.deal.update', { id: ids[0], fields: { TITLE: `u${i}` } })
    // A change made through the connector is not queued back to it.
    await admin.call('event.bind', { event: 'ONCRMDEALUPDATE', event_type: 'offline', auth_connector: 'sync' })
    await rest(emu.webhookUrl, 'crm.deal.update', { id: ids[1], fields: { TITLE: 'x' }, auth_connector: 'sync' })
    const all = (await admin.call('event.offline.get', { limit: 50 })).result as Got
    expect(all.process_id).toBeNull()
    expect(all.events.filter((e) => e.EVENT_NAME === 'ONCRMDEALUPDATE').map((e) => e.EVENT_DATA.FIELDS.ID)).toEqual([
      String(ids[0]),
      String(ids[1]),
    ])
    const viaConnector = (await admin.call('event.offline.list', { auth_connector: 'sync' })).result as unknown[]
    expect(viaConnector).toEqual([])
    // clear=1 (default) deleted what it returned.
    expect(((await admin.call('event.offline.get')).result as Got).events).toEqual([])

    expect((await admin.call('event.offline.get', { limit: 0 })).error).toBe('ERROR_ARGUMENT')
    expect((await admin.call('event.offline.clear', {})).error).toBe('ERROR_ARGUMENT')
    expect((await admin.call('event.offline.clear', { process_id: 'p', message_id: ['short'] })).error).toBe(
      'ERROR_ARGUMENT',
    )
    expect((await admin.call('event.offline.get', { filter: { '>PROCESS_ID': 1 } })).error).toBe('ERROR_ARGUMENT')
    // message_id is optional in the docs: without it, error changes nothing.
    expect((await admin.call('event.offline.error', { process_id: 'p' })).result).toBe(true)
    expect((await admin.call('event.offline.error', { process_id: 'p', message_id: 'x' })).error).toBe('ERROR_ARGUMENT')
    const user = installedApp(emu, 2)
    expect((await user.call('event.offline.get')).error).toBe('ACCESS_DENIED')
    expect((await rest(emu.webhookUrl, 'event.offline.get')).error).toBe('WRONG_AUTH_TYPE')
  })

  it('draws process IDs from randomSeed, like every other secret', async () => {
    const ids: unknown[] = []
    for (let i = 0; i < 2; i += 1) {
      const { admin } = await offlineSetup({ randomSeed: 7 })
      ids.push(((await admin.call('event.offline.get', { clear: 0 })).result as Got).process_id)
    }
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/)
    expect(ids[1]).toBe(ids[0])
  })

  it('deletes reserved rows 30 days after their last change', async () => {
    const { emu, admin } = await offlineSetup()
    const taken = (await admin.call('event.offline.get', { clear: 0, limit: 2 })).result as Got
    emu.advanceTime(2_952_001)
    const token = emu.issueToken({ clientId: admin.app.clientId })
    const call = (method: string, params: Record<string, unknown>) =>
      rest(`${emu.url}/rest/`, method, { ...params, auth: token.accessToken })
    const again = (await call('event.offline.get', { clear: 0, process_id: taken.process_id })).result as Got
    expect(again.events).toEqual([])
    expect(((await call('event.offline.list', {})).result as unknown[]).length).toBe(3)
  })
})
