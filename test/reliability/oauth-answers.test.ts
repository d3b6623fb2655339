/**
 * What the OAuth server answers to a refresh is checked like a portal's envelope: a BOM reads the same on both
 * transports, and a body that is not a grant (no tokens, not an object) is a typed parse error that leaves the
 * credentials as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BitrixResponseParseError } from '../../src/errors/index.js'
import { createNodeTransport } from '../../src/http/node-transport.js'
import { createFetchTransport } from '../../src/http/transport.js'
import { BitrixApp, BitrixToken } from '../../src/index.js'
import { type HostileServer, startHostileServer } from './envelope-server.js'

let server: HostileServer
beforeAll(async () => {
  server = await startHostileServer()
})
afterAll(() => server.close())

const grant = JSON.stringify({ access_token: 'new-access', refresh_token: 'new-refresh', expires_in: 3600 })
const transports = { node: createNodeTransport(), fetch: createFetchTransport() }

function token(): BitrixToken {
  return new BitrixToken({
    domain: 'example.bitrix24.com',
    authToken: 'old-access',
    refreshToken: 'old-refresh',
    bitrixApp: new BitrixApp({ clientId: 'app', clientSecret: 'secret', oauthServer: server.url }),
  })
}

describe.each(Object.entries(transports))('a refresh over the %s transport', (_, transport) => {
  it('reads a grant that starts with a UTF-8 BOM', async () => {
    server.reset([{ body: `\uFEFF${grant}` }])
    const credentials = token()
    await credentials.refresh({ transport })
    expect(credentials.authToken).toBe('new-access')
    expect(credentials.refreshToken).toBe('new-refresh')
  })

  it.each([
    ['JSON null', 'null'],
    ['an array', '[]'],
    ['no access_token', JSON.stringify({ refresh_token: 'r', expires_in: 3600 })],
    ['an empty refresh_token', JSON.stringify({ access_token: 'a', refresh_token: '', expires_in: 3600 })],
    ['a numeric access_token', JSON.stringify({ access_token: 7, refresh_token: 'r' })],
  ])('refuses %s as a typed parse error and keeps the old tokens', async (_name, body) => {
    server.reset([{ body }])
    const credentials = token()
    await expect(credentials.refresh({ transport })).rejects.toBeInstanceOf(BitrixResponseParseError)
    expect(credentials.authToken).toBe('old-access')
    expect(credentials.refreshToken).toBe('old-refresh')
  })
})
