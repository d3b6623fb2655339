/** Read-only integration tests against a real portal; they skip, saying why, when no portal is configured. */
import { describe, expect, it } from 'vitest'
import { Client, type Credentials } from '../../src/index.js'
import { loadLivePortal } from './env.js'

const portal = loadLivePortal()
const skipReason = portal.skipReason
if (skipReason) console.warn(`live tests skipped: ${skipReason} (looked in the ${portal.source} and .env.local / .env)`)
else console.log(`live tests against ${portal.settings?.domain}, settings from ${portal.source}`)

describe.skipIf(skipReason !== undefined)('a real portal', () => {
  const client = () => new Client(portal.credentials as Credentials)

  it('profile and server.time', async () => {
    const profile = await client().profile()
    expect(profile.result.ID).toBeTruthy()
    expect(typeof (await client().server.time()).result).toBe('string')
  })

  it('crm.deal.list: a page, asList with a limit, asListFast with a limit', async () => {
    const page = await client().crm.deal.list({ select: ['ID', 'TITLE'] })
    expect(Array.isArray(page.result)).toBe(true)
    const some = await client()
      .crm.deal.list({ select: ['ID'] })
      .asList({ limit: 120 })
    expect(some.length).toBeLessThanOrEqual(120)
    const streamed: number[] = []
    for await (const deal of client()
      .crm.deal.list({ select: ['ID'] })
      .asListFast({ limit: 120 }))
      streamed.push(Number(deal.ID))
    expect(new Set(streamed).size).toBe(streamed.length)
  })

  it('a batch with a reference', async () => {
    const c = client()
    const { ref } = await import('../../src/index.js')
    const me = c.user.current()
    const batch = await c.callBatch({ me, same: c.user.get({ ID: ref(me).ID }) })
    expect(batch.result.result.me?.ID).toBeTruthy()
  })
})
