import https from 'node:https'
import { B24Hook } from '@bitrix24/b24jssdk'
import { describe, expect, it } from 'vitest'
import { EMULATOR_TLS_CERT } from '../../src/emulator/index.js'
import { postJson, request, start } from './emulator-helpers.js'
import { jsSdkOAuth } from './jssdk-helpers.js'

describe('emulator with the portal methods', () => {
  it('serves entity methods and chains them in a batch by reference', async () => {
    const emu = await start({ seed: { deals: 120 } })
    const list = await request(`${emu.webhookUrl}crm.deal.list?select[]=ID&select[]=TITLE&order[ID]=ASC`)
    expect(list.status).toBe(200)
    expect(list.json.result).toHaveLength(50)
    expect(list.json.total).toBe(120)
    expect(list.json.next).toBe(50)
    const batch = await postJson(`${emu.webhookUrl}batch`, {
      cmd: {
        first: 'crm.deal.list?select[]=ID&order[ID]=ASC',
        one: 'crm.deal.get?id=$result[first][0][ID]',
      },
    })
    expect(batch.json.result.result.one.ID).toBe(list.json.result[0].ID)
    expect(batch.json.result.result_total.first).toBe(120)
  })
})

describe('the official JS SDK (@bitrix24/b24jssdk) against the emulator', () => {
  it('calls, batches and lists through a webhook, and refreshes an expired OAuth token', async () => {
    https.globalAgent.options.ca = EMULATOR_TLS_CERT
    const emu = await start({ https: true, seed: { deals: 120 } })

    const hook = B24Hook.fromWebhookUrl(emu.webhookUrl)
    const call = await hook.actions.v2.call.make({ method: 'crm.deal.list', params: { select: ['ID'] } })
    expect(call.isSuccess).toBe(true)
    const batch = await hook.actions.v2.batch.make({
      calls: { a: { method: 'test.echo', params: { x: 1 } }, b: { method: 'test.list' } },
    })
    expect(batch.isSuccess).toBe(true)
    const all = await hook.actions.v2.callList.make({
      method: 'crm.deal.list',
      params: { select: ['ID'] },
      idKey: 'ID',
    })
    expect(all.getData()).toHaveLength(120)

    const app = emu.createApp()
    const oauth = jsSdkOAuth(emu, app)
    emu.expireTokens()
    const profile = await oauth.actions.v2.call.make({ method: 'test.whoami' })
    expect(profile.isSuccess).toBe(true)
    expect(emu.getStats().oauthRefreshes).toBe(1)
  })
})
