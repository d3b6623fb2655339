import { describe, expect, it } from 'vitest'
import { BitrixIncomingRejected } from '../../src/errors/index.js'
import { buildQuery } from '../../src/http/php-query.js'
import { parseEvent, parsePlacementRequest, verifyApplicationToken } from '../../src/index.js'

/** The event payload of the official docs (api-reference/events/index.md), as JSON. */
const DOC_EVENT = {
  event: 'ONCRMDEALADD',
  event_handler_id: '185',
  data: { FIELDS: { ID: '7405' } },
  ts: '1766047124',
  auth: {
    access_token: 's6p6eclrvim6da22ft9ch94ekreb52lv',
    expires_in: '3600',
    scope: 'crm',
    domain: 'some-domain.bitrix24.com',
    server_endpoint: 'https://oauth.bitrix.info/rest/',
    status: 'L',
    client_endpoint: 'https://some-domain.bitrix24.com/rest/',
    member_id: 'd897063e1ce7c5eb9f04b9751eef5915',
    application_token: '51856fefc120afa4b628cc82d3935cce',
  },
}

describe('incoming events', () => {
  it('reads the form body the portal posts (PHP brackets) and the JSON form alike', () => {
    const fromForm = parseEvent<{ FIELDS: { ID: string } }>(buildQuery(DOC_EVENT))
    const fromJson = parseEvent<{ FIELDS: { ID: string } }>(JSON.stringify(DOC_EVENT))
    for (const event of [fromForm, fromJson]) {
      expect(event.event).toBe('ONCRMDEALADD')
      expect(event.eventHandlerId).toBe(185)
      expect(event.data.FIELDS.ID).toBe('7405')
      expect(event.ts).toBe(1766047124)
      expect(event.auth.domain).toBe('some-domain.bitrix24.com')
      expect(event.auth.scope).toEqual(['crm'])
      expect(event.auth.expiresIn).toBe(3600)
    }
  })

  it('verifies the application token and never prints tokens', () => {
    const event = parseEvent(new URLSearchParams(buildQuery(DOC_EVENT)))
    expect(verifyApplicationToken(event, '51856fefc120afa4b628cc82d3935cce')).toBe(true)
    expect(verifyApplicationToken(event, '51856fefc120afa4b628cc82d3935ccX')).toBe(false)
    expect(verifyApplicationToken(event, '')).toBe(false)
    expect(JSON.stringify(event)).not.toContain(DOC_EVENT.auth.access_token)
    expect(JSON.stringify(event)).not.toContain(DOC_EVENT.auth.application_token)
  })

  it('rejects prototype keys and what is not an event with a typed error', () => {
    expect(() => parseEvent(`${buildQuery(DOC_EVENT)}&__proto__[x]=1`)).toThrow(BitrixIncomingRejected)
    expect(() => parseEvent(`${buildQuery(DOC_EVENT)}&data[constructor][prototype][y]=2`)).toThrow(/prototype key/)
    expect(({} as Record<string, unknown>).x).toBeUndefined()
    expect(() => parseEvent('hello=world')).toThrow(BitrixIncomingRejected)
    expect(() => parseEvent('{not json')).toThrow(/neither a form nor valid JSON/)
  })
})

describe('application page and placement requests', () => {
  it('reads the documented fields, PLACEMENT_OPTIONS as JSON', () => {
    const request = parsePlacementRequest(
      'DOMAIN=portal.bitrix24.com&PROTOCOL=1&LANG=en&APP_SID=dd8cec11e347088fe87c44870a9f1dba',
      buildQuery({
        AUTH_ID: 'access-token-value',
        AUTH_EXPIRES: '3600',
        REFRESH_ID: 'refresh-token-value',
        SERVER_ENDPOINT: 'https://oauth.bitrix.info/rest/',
        member_id: 'a223c6b3710f85df22e9377d6c4f7553',
        status: 'F',
        PLACEMENT: 'CRM_DEAL_DETAIL_TAB',
        PLACEMENT_OPTIONS: '{"ID":"8061","URI":"\\/crm\\/deal\\/details\\/8061\\/"}',
        APPLICATION_SCOPE: 'crm,entity,im,task',
      }),
    )
    expect(request.domain).toBe('portal.bitrix24.com')
    expect(request.protocol).toBe('https')
    expect(request.placement).toBe('CRM_DEAL_DETAIL_TAB')
    expect(request.placementOptions).toEqual({ ID: '8061', URI: '/crm/deal/details/8061/' })
    expect(request.scope).toEqual(['crm', 'entity', 'im', 'task'])
    expect(request.expiresIn).toBe(3600)
  })
})
