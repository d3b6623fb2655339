import { describe, expect, it } from 'vitest'
import { isLoopbackHost, isLoopbackHostname, parsePortalAddress } from '../../src/auth/address.js'
import {
  BITRIX24_CLOUD_ZONES,
  isAcceptedPortalMove,
  isCloudPortalHostname,
  registrableDomain,
} from '../../src/auth/portal-move.js'
import { BitrixValidationError } from '../../src/errors/index.js'
import { BitrixApp, BitrixAppLocal, BitrixToken, BitrixWebhook } from '../../src/index.js'

const app = new BitrixApp({ clientId: 'app.1', clientSecret: 'app-secret-1' })

describe('portal addresses are decided on the host the URL parser yields', () => {
  it.each([
    ['http://evil.example\\.localhost'],
    ['evil.example\\.localhost'],
    ['http://evil.example\\@127.0.0.1'],
    ['http://127.0.0.1@evil.example'],
    ['https://user:pw@example.bitrix24.com'],
    ['https://example.bitrix24.com/rest/'],
    ['https://example.bitrix24.com?x=1'],
    ['ftp://example.bitrix24.com'],
    ['http://['],
  ])('refuses %s', (input) => {
    expect(() => parsePortalAddress(input)).toThrow(BitrixValidationError)
  })

  it('names the host the parser read when a backslash turns the rest into a path', () => {
    expect(() => parsePortalAddress('http://evil.example\\.localhost')).toThrow(/host "evil\.example"/)
  })

  it('reads the forms users write', () => {
    expect(parsePortalAddress('example.bitrix24.com')).toEqual({ scheme: 'https', host: 'example.bitrix24.com' })
    expect(parsePortalAddress('HTTPS://Example.Bitrix24.com/')).toEqual({
      scheme: 'https',
      host: 'example.bitrix24.com',
    })
    expect(parsePortalAddress('https://example.bitrix24.com:443')).toEqual({
      scheme: 'https',
      host: 'example.bitrix24.com',
    })
    expect(parsePortalAddress('crm.example.com:8443')).toEqual({ scheme: 'https', host: 'crm.example.com:8443' })
    expect(parsePortalAddress('127.0.0.1:8080')).toEqual({ scheme: 'http', host: '127.0.0.1:8080' })
    expect(parsePortalAddress('localhost:80')).toEqual({ scheme: 'http', host: 'localhost' })
    expect(parsePortalAddress('http://[::1]:9000')).toEqual({ scheme: 'http', host: '[::1]:9000' })
    // The parser's own normalisation of IPv4 shorthand decides, not the raw text.
    expect(parsePortalAddress('http://127.1:81')).toEqual({ scheme: 'http', host: '127.0.0.1:81' })
  })

  it('treats x.localhost as an ordinary name: https, never plain http', () => {
    expect(isLoopbackHostname('evil.localhost')).toBe(false)
    expect(isLoopbackHost('evil.localhost:80')).toBe(false)
    expect(() => parsePortalAddress('http://portal.localhost:8080')).toThrow(/plain http/)
    expect(parsePortalAddress('portal.localhost:8080')).toEqual({ scheme: 'https', host: 'portal.localhost:8080' })
  })

  it('loopback is localhost, 127.0.0.0/8 and [::1] only', () => {
    // `0x7f.1` is what the parser (and the socket) read as 127.0.0.1.
    for (const host of ['localhost', '127.0.0.1', '127.8.9.10:80', '[::1]:8080', '0x7f.1'])
      expect(isLoopbackHost(host), host).toBe(true)
    for (const host of ['localhost.example', '128.0.0.1', '[::2]', 'evil.example\\.localhost', 'a@127.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(false)
  })

  it('BitrixWebhook.fromUrl refuses a backslash host instead of sending the key to it over http', () => {
    expect(() => BitrixWebhook.fromUrl('http://evil.example\\.localhost/rest/1/KEY123/')).toThrow(BitrixValidationError)
    expect(() => BitrixWebhook.fromUrl('https://evil.example\\.localhost/rest/1/KEY123/')).toThrow(
      BitrixValidationError,
    )
    // Backslashes that the parser reads as slashes give the host it really talks to.
    const webhook = BitrixWebhook.fromUrl('https://portal.example.com\\rest\\1\\KEY123\\crm.deal.get')
    expect(webhook.domain).toBe('portal.example.com')
    expect(webhook.restUrl()).toBe('https://portal.example.com/rest/1/KEY123/')
    expect(BitrixWebhook.fromUrl('http://127.0.0.1:8080/rest/7/KEY123/').restUrl()).toBe(
      'http://127.0.0.1:8080/rest/7/KEY123/',
    )
  })

  it('an oauthServer or token domain with a backslash host is refused before a secret is sent', () => {
    expect(
      () => new BitrixApp({ clientId: 'a', clientSecret: 's', oauthServer: 'http://evil.example\\.localhost' }),
    ).toThrow(BitrixValidationError)
    expect(
      () => new BitrixAppLocal({ clientId: 'a', clientSecret: 's', domain: 'http://evil.example\\.localhost' }),
    ).toThrow(BitrixValidationError)
    expect(
      () => new BitrixToken({ domain: 'http://evil.example\\.localhost', authToken: 'token-1', bitrixApp: app }),
    ).toThrow(BitrixValidationError)
    expect(new BitrixApp({ clientId: 'a', clientSecret: 's', oauthServer: 'http://127.0.0.1:9/' }).oauthServer).toBe(
      'http://127.0.0.1:9',
    )
  })
})

describe('which portal moves are followed', () => {
  const move = (from: string, to: string) => isAcceptedPortalMove(new URL(from), new URL(to))

  it('knows the Bitrix24 cloud zones, one portal label before them', () => {
    expect(BITRIX24_CLOUD_ZONES).toContain('bitrix24.com.br')
    expect(isCloudPortalHostname('b24-x1.bitrix24.de')).toBe(true)
    expect(isCloudPortalHostname('acme.bitrix24.com.tr')).toBe(true)
    expect(isCloudPortalHostname('bitrix24.com')).toBe(false)
    expect(isCloudPortalHostname('bitrix24.com.attacker.example')).toBe(false)
    expect(isCloudPortalHostname('acme.bitrix24.example')).toBe(false)
  })

  it('guesses registrable domains conservatively', () => {
    expect(registrableDomain('crm.example.com')).toBe('example.com')
    expect(registrableDomain('crm.example.co.uk')).toBe('example.co.uk')
    expect(registrableDomain('co.uk')).toBeUndefined()
    expect(registrableDomain('portal')).toBeUndefined()
    expect(registrableDomain('10.0.0.5')).toBeUndefined()
  })

  it('accepts cloud portals, the same registrable domain, the same host, and loopback from loopback', () => {
    expect(move('https://old.bitrix24.com/rest/', 'https://new.bitrix24.de/rest/')).toBe(true)
    expect(move('https://crm.example.com/rest/', 'https://acme.bitrix24.com/rest/')).toBe(true)
    expect(move('https://crm.example.com/rest/', 'https://b24.example.com/rest/')).toBe(true)
    expect(move('https://10.0.0.5/rest/', 'https://10.0.0.5:8443/rest/')).toBe(true)
    expect(move('http://127.0.0.1:1/rest/', 'http://localhost:2/rest/')).toBe(true)
  })

  it('refuses anything else', () => {
    expect(move('https://old.bitrix24.com/rest/', 'https://attacker.example/collect')).toBe(false)
    expect(move('https://crm.example.co.uk/', 'https://other.co.uk/')).toBe(false)
    expect(move('https://crm.example.com/', 'http://crm.example.com/')).toBe(false)
    expect(move('https://old.bitrix24.com/', 'http://127.0.0.1:1/')).toBe(false)
    expect(move('https://10.0.0.5/', 'https://10.0.0.6/')).toBe(false)
  })
})
