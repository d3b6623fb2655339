/** Portal-shaped calls for the handler tests: form bodies as the portal's `http_build_query` writes them. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { buildQuery } from '../../src/http/php-query.js'

export const MEMBER_ID = 'a223c6b3710f85df22e9377d6c4f7553'
export const APPLICATION_TOKEN = '51856fefc120afa4b628cc82d3935cce'

export interface PortalAuth {
  domain?: string
  member_id?: string
  application_token?: string
  access_token?: string
  refresh_token?: string
}

const defaultAuth = (auth: PortalAuth = {}) => ({
  access_token: 's6p6eclrvim6da22ft9ch94ekreb52lv',
  expires_in: '3600',
  scope: 'crm',
  domain: 'some-domain.bitrix24.com',
  server_endpoint: 'https://oauth.bitrix.info/rest/',
  status: 'L',
  client_endpoint: 'https://some-domain.bitrix24.com/rest/',
  member_id: MEMBER_ID,
  application_token: APPLICATION_TOKEN,
  ...auth,
})

/** An event body: `event=…&data[…]=…&auth[…]=…`. */
export function eventBody(event: string, data: Record<string, unknown>, auth: PortalAuth = {}): string {
  return buildQuery({ event, event_handler_id: '185', data, ts: '1735374081', auth: defaultAuth(auth) })
}

export function installBody(auth: PortalAuth = {}): string {
  return eventBody(
    'ONAPPINSTALL',
    { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' },
    { refresh_token: '4s386p3q0tr8dy89xvmt96234v3dljg8', ...auth },
  )
}

export function robotBody(auth: PortalAuth = {}): string {
  return buildQuery({
    workflow_id: '6571f1d1e4a7c5.12345678',
    code: 'send_message',
    document_id: ['crm', 'CCrmDocumentDeal', 'DEAL_42'],
    document_type: ['crm', 'CCrmDocumentDeal', 'DEAL'],
    event_token: '55c1dc1c3f0d75.78875596|A51601_82584_96831_81132|hsyUws1j4XiwqPqN45eH66CcQtEvpUIP',
    properties: { text: 'Hello', user: ['user_1', 'user_2'] },
    use_subscription: 'Y',
    timeout_duration: '60',
    ts: '1735374081',
    auth: defaultAuth(auth),
  })
}

export function pageBody(fields: Record<string, unknown> = {}): string {
  return buildQuery({
    AUTH_ID: 'page-access-token-value',
    AUTH_EXPIRES: '3600',
    REFRESH_ID: 'page-refresh-token-value',
    SERVER_ENDPOINT: 'https://oauth.bitrix.info/rest/',
    member_id: MEMBER_ID,
    status: 'L',
    PLACEMENT: 'CRM_DEAL_DETAIL_TAB',
    PLACEMENT_OPTIONS: '{"ID":"8061"}',
    APPLICATION_TOKEN,
    ...fields,
  })
}

/** A `node:http` server on 127.0.0.1 for a listener; closes with `close()`. */
export async function listen(
  listener: Parameters<typeof createServer>[1],
): Promise<{ url: string; close: () => Promise<void>; server: Server }> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** POSTs a form body as the portal does. */
export function post(
  url: string,
  body: string | Uint8Array<ArrayBuffer>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  })
}
