import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it } from 'vitest'
import { isSecretKey, MASK, redact, redactContext, SecretRegistry, secretRegistry } from '../../src/log/index.js'

const TOKEN = 's1morf609228iwyjjpvfv6wsvuja4p8u'
const REFRESH = '4f9k4jpmg13usmybzuqknt2v9fh0q6rl'

afterEach(() => secretRegistry.clear())

/** `global.gc` without starting Node with `--expose-gc`. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

describe('redact: textual forms', () => {
  it.each([
    [
      'webhook key in a REST URL',
      'https://example.bitrix24.com/rest/1/k3yk3yk3y/crm.deal.get.json?ID=1',
      'https://example.bitrix24.com/rest/1/***/crm.deal.get.json?ID=1',
    ],
    [
      'webhook key without trailing path',
      'base=https://example.bitrix24.com/rest/42/k3yk3yk3y',
      'base=https://example.bitrix24.com/rest/42/***',
    ],
    [
      'REST v3 webhook',
      'https://example.bitrix24.com/rest/api/1/k3yk3yk3y/tasks.task.get',
      'https://example.bitrix24.com/rest/api/1/***/tasks.task.get',
    ],
    [
      'PHP-escaped webhook URL',
      '{"handler":"https:\\/\\/x.bitrix24.com\\/rest\\/1\\/k3yk3yk3y\\/"}',
      '{"handler":"https:\\/\\/x.bitrix24.com\\/rest\\/1\\/***\\/"}',
    ],
    ['auth= query', `https://x/rest/crm.deal.get?auth=${TOKEN}&id=2`, 'https://x/rest/crm.deal.get?auth=***&id=2'],
    ['access_token= query', `/rest/profile?access_token=${TOKEN}#top`, '/rest/profile?access_token=***#top'],
    [
      'OAuth refresh form',
      `grant_type=refresh_token&client_id=app.1&client_secret=Zx9Zx9&refresh_token=${REFRESH}`,
      'grant_type=refresh_token&client_id=app.1&client_secret=***&refresh_token=***',
    ],
    [
      'application_token= form',
      'event=ONCRMDEALADD&application_token=ec1b2074a9d3',
      'event=ONCRMDEALADD&application_token=***',
    ],
    [
      'authorization code',
      '/handler?code=avmocpghblyi01m3&state=x&domain=p.bitrix24.com',
      '/handler?code=***&state=x&domain=p.bitrix24.com',
    ],
    [
      'placement form fields',
      'AUTH_ID=4991e8&AUTH_EXPIRES=3600&REFRESH_ID=391010&APPLICATION_TOKEN=ec1b20&member_id=a2',
      'AUTH_ID=***&AUTH_EXPIRES=3600&REFRESH_ID=***&APPLICATION_TOKEN=***&member_id=a2',
    ],
    [
      'event auth[...] brackets',
      'auth[access_token]=abc1&auth[application_token]=def2&auth[domain]=x',
      'auth[access_token]=***&auth[application_token]=***&auth[domain]=x',
    ],
    [
      'event auth%5B...%5D encoded',
      'auth%5Baccess_token%5D=abc1&auth%5Bdomain%5D=x',
      'auth%5Baccess_token%5D=***&auth%5Bdomain%5D=x',
    ],
    [
      'JSON keys',
      `{"access_token":"${TOKEN}","refresh_token":"${REFRESH}","expires_in":3600}`,
      '{"access_token":"***","refresh_token":"***","expires_in":3600}',
    ],
    [
      'JSON keys with spaces',
      `{ "auth": "${TOKEN}", "client_secret" : "abc" }`,
      '{ "auth": "***", "client_secret" : "***" }',
    ],
    ['JSON inside a JSON string', `{\\"auth\\":\\"${TOKEN}\\"}`, '{\\"auth\\":\\"***\\"}'],
    [
      'upper-case JSON keys',
      '{"AUTH_ID":"4991e8","REFRESH_ID":"3910","APPLICATION_TOKEN":"ec1b"}',
      '{"AUTH_ID":"***","REFRESH_ID":"***","APPLICATION_TOKEN":"***"}',
    ],
    [
      'camelCase SDK fields',
      "{ authToken: '1/k3y', refreshToken: 'r', clientSecret: 'c', accessToken: 'a' }",
      "{ authToken: '***', refreshToken: '***', clientSecret: '***', accessToken: '***' }",
    ],
    ['Authorization header', `Authorization: Bearer ${TOKEN}`, 'Authorization: Bearer ***'],
    ['authorization JSON field', '{"authorization":"Basic dXNlcjpwYXNz"}', '{"authorization":"Basic ***"}'],
    ['bare Bearer token', `sending Bearer ${TOKEN} now`, 'sending Bearer *** now'],
  ])('%s', (_name, input, expected) => {
    expect(redact(input)).toBe(expected)
  })

  it('leaves look-alikes alone', () => {
    const text = [
      'the bearer of bad news',
      'code=ERROR_NOT_FOUND',
      '"code":"BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION"',
      'xauth=1 oauth=2 my_auth=3',
      'OAuth: refreshing',
      'grant_type=refresh_token',
      '"auth":{"domain":"x"}',
      'auth=&next=1',
      'https://example.bitrix24.com/rest/crm.deal.get',
    ].join(' | ')
    expect(redact(text)).toBe(text)
  })

  it('masks nested auth objects key by key', () => {
    expect(redact(`"auth":{"access_token":"${TOKEN}","domain":"x"}`)).toBe('"auth":{"access_token":"***","domain":"x"}')
  })

  it('is idempotent', () => {
    const once = redact(`https://x/rest/1/k3yk3y/m?auth=${TOKEN} Bearer ${REFRESH}`)
    expect(redact(once)).toBe(once)
  })
})

describe('redact: registered secrets', () => {
  it('masks exact values anywhere, fully', () => {
    secretRegistry.add(TOKEN)
    expect(redact(`got ${TOKEN}; again:${TOKEN}.`)).toBe('got ***; again:***.')
    expect(redact(`redirect=%3Fauth%3D${TOKEN}%26x`)).toBe('redirect=%3Fauth%3D***%26x')
  })

  it('uses explicit secrets instead of the global registry when given', () => {
    secretRegistry.add(TOKEN)
    expect(redact(`a ${TOKEN} b w3bh00k`, ['w3bh00k'])).toBe(`a ${TOKEN} b ***`)
    expect(redact('a w3bh00k', new Set(['w3bh00k']))).toBe('a ***')
  })

  it('notices changes to a plain list between calls', () => {
    const list = ['first-secret']
    expect(redact('first-secret second-secret', list)).toBe('*** second-secret')
    list.push('second-secret')
    expect(redact('first-secret second-secret', list)).toBe('*** ***')
  })

  it('prefers the longest secret when one is a prefix of another', () => {
    expect(redact('abcdef abcd abcdefgh', ['abcd', 'abcdefgh'])).toBe('***ef *** ***')
  })

  it('treats regex metacharacters literally', () => {
    expect(redact('p(a)s$s.w*rd+ and pXaXs', ['p(a)s$s.w*rd+'])).toBe('*** and pXaXs')
  })

  it('ignores secrets shorter than 4 characters', () => {
    expect(redact('a abc b', ['abc', 'a'])).toBe('a abc b')
  })

  it('finds secrets among 100,000 of them, anywhere in the text, without confusing shared prefixes', () => {
    const registry = new SecretRegistry({ maxSize: 200_000 })
    const secrets = Array.from({ length: 100_000 }, (_, i) => `${i.toString(16).padStart(8, '0')}${'f'.repeat(24)}`)
    for (const secret of secrets) registry.add(secret)
    const line = `DEBUG call params={"select":["ID"]} ${secrets[4321]}\\n${secrets[99_999]}x 0000ffff${'f'.repeat(23)}`
    expect(redact(line, registry)).toBe(`DEBUG call params={"select":["ID"]} ***\\n***x 0000ffff${'f'.repeat(23)}`)
  })

  it('masks secrets that overlap, follow each other or sit at either end of the text', () => {
    expect(redact('abcdabcd', ['abcd'])).toBe('******')
    expect(redact('wxyzabcd', ['abcd', 'wxyz'])).toBe('******')
    expect(redact('zabcdez', ['abcde', 'bcdez'])).toBe('z***z')
    expect(redact('abcd', ['abcd'])).toBe('***')
    expect(redact('абвгд and 😀😀😀', ['абвг', '😀😀'])).toBe('***д and ***😀')
  })
})

describe('SecretRegistry', () => {
  it('adds, checks, lists and deletes', () => {
    const registry = new SecretRegistry()
    expect(registry.add('abcd')).toBe(true)
    expect(registry.add('abc')).toBe(false)
    expect(registry.add(undefined)).toBe(false)
    expect(registry.add('abcd')).toBe(true)
    expect(registry.has('abcd')).toBe(true)
    expect(registry.has('abc')).toBe(false)
    expect([...registry.values()]).toEqual(['abcd'])
    expect([...registry]).toEqual(['abcd'])
    expect(registry.size).toBe(1)
    expect(redact('x abcd', registry)).toBe('x ***')
    expect(registry.delete('abcd')).toBe(true)
    expect(redact('x abcd', registry)).toBe('x abcd')
  })

  it('forgets the oldest loose secret beyond maxSize; adding one again makes it the newest', () => {
    const registry = new SecretRegistry({ maxSize: 2 })
    registry.add('first1')
    expect(redact('first1', registry)).toBe('***')
    registry.add('second')
    registry.add('first1')
    registry.add('third3')
    expect([...registry]).toEqual(['first1', 'third3'])
    expect(redact('first1 second third3', registry)).toBe('*** second ***')
    registry.clear()
    expect(redact('first1 second third3', registry)).toBe('first1 second third3')
  })

  it('never forgets a secret its owner still holds, however many newer ones arrive', () => {
    const registry = new SecretRegistry({ maxSize: 100 })
    const webhook = {}
    const app = {}
    registry.hold(webhook, 'key', 'webhook-key-1')
    registry.hold(app, 'clientSecret', 'client-secret-1')
    for (let i = 0; i < 10_000; i++) registry.add(`rotated-token-${i}`)
    expect(registry.has('webhook-key-1')).toBe(true)
    expect(redact('key webhook-key-1 secret client-secret-1', registry)).toBe('key *** secret ***')
    expect(registry.size).toBe(102)
    expect(registry.heldSize).toBe(2)
  })

  it('lets a replaced value go loose: masked until maxSize newer ones, then forgotten', () => {
    const registry = new SecretRegistry({ maxSize: 3 })
    const token = {}
    registry.hold(token, 'accessToken', 'access-1')
    registry.hold(token, 'accessToken', 'access-2')
    expect(redact('access-1 access-2', registry)).toBe('*** ***')
    for (let i = 0; i < 3; i++) registry.add(`other-${i}`)
    expect(redact('access-1 access-2', registry)).toBe('access-1 ***')
    registry.hold(token, 'accessToken', undefined)
    expect(registry.heldSize).toBe(0)
    expect(registry.has('access-2')).toBe(true)
  })

  it('keeps a value held by two owners until both let go', () => {
    const registry = new SecretRegistry({ maxSize: 1 })
    const first = {}
    const second = {}
    registry.hold(first, 'clientSecret', 'shared-secret')
    registry.hold(second, 'clientSecret', 'shared-secret')
    registry.release(first)
    registry.add('newer-1')
    registry.add('newer-2')
    expect(registry.has('shared-secret')).toBe(true)
    registry.release(second)
    registry.add('newer-3')
    expect(registry.has('shared-secret')).toBe(false)
  })

  it('lets go of what a garbage-collected owner held', async () => {
    const registry = new SecretRegistry({ maxSize: 1 })
    ;(() => {
      registry.hold({}, 'accessToken', 'dead-owner-token')
    })()
    expect(registry.heldSize).toBe(1)
    const gc = exposeGc()
    for (let round = 0; round < 50 && registry.heldSize > 0; round++) {
      gc()
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect(registry.heldSize).toBe(0)
    registry.add('newer-1')
    expect(registry.has('dead-owner-token')).toBe(false)
  })

  it('has one global instance shared through globalThis', () => {
    const key = Symbol.for('b24tssdk.secretRegistry')
    expect((globalThis as Record<symbol, unknown>)[key]).toBe(secretRegistry)
  })
})

describe('redactContext', () => {
  it('masks secret keys whatever their value, and redacts strings', () => {
    secretRegistry.add(TOKEN)
    const input = {
      method: 'crm.deal.get',
      auth: { access_token: TOKEN },
      refreshToken: REFRESH,
      'auth[application_token]': 'ec1b2074',
      Authorization: `Bearer ${TOKEN}`,
      url: `https://x/rest/1/k3yk3y/crm.deal.get?auth=${TOKEN}`,
      note: `token ${TOKEN}`,
      expires_in: 3600,
      empty: null,
    }
    expect(redactContext(input)).toEqual({
      method: 'crm.deal.get',
      auth: MASK,
      refreshToken: MASK,
      'auth[application_token]': MASK,
      Authorization: MASK,
      url: 'https://x/rest/1/***/crm.deal.get?auth=***',
      note: 'token ***',
      expires_in: 3600,
      empty: null,
    })
    expect(input.auth.access_token).toBe(TOKEN)
  })

  it('makes errors, dates, maps, sets, binaries, cycles and depth safe', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic.self = cyclic
    let deep: Record<string, unknown> = { leaf: true }
    for (let i = 0; i < 12; i++) deep = { deep }
    const output = redactContext({
      error: Object.assign(new Error('failed with access_token=abc123'), { code: 'E1' }),
      date: new Date('2024-01-02T03:04:05Z'),
      map: new Map([
        ['client_secret', 'x'],
        ['k', 'v'],
      ]),
      set: new Set([1, 2]),
      bytes: new Uint8Array(3),
      cyclic,
      deep,
      big: 12n,
      list: Array.from({ length: 105 }, (_, i) => i),
      url: new URL(`https://x.test/rest/3/s3cr3t/`),
    })
    expect(output.error).toEqual({ name: 'Error', message: 'failed with access_token=***', code: 'E1' })
    expect(output.date).toBe('2024-01-02T03:04:05.000Z')
    expect(output.map).toEqual({ client_secret: MASK, k: 'v' })
    expect(output.set).toEqual([1, 2])
    expect(output.bytes).toBe('[Uint8Array 3 bytes]')
    expect(output.cyclic).toEqual({ name: 'loop', self: '[Circular]' })
    expect(JSON.stringify(output.deep)).toContain('[Object]')
    expect(output.big).toBe(12n)
    expect((output.list as unknown[]).length).toBe(101)
    expect((output.list as unknown[])[100]).toBe('… 5 more')
    expect(output.url).toBe('https://x.test/rest/3/***/')
  })

  it('repeats a shared (non-cyclic) object', () => {
    const shared = { a: 1 }
    expect(redactContext({ x: shared, y: shared })).toEqual({ x: { a: 1 }, y: { a: 1 } })
  })
})

describe('isSecretKey', () => {
  it.each([
    'auth',
    'AUTH_ID',
    'access_token',
    'accessToken',
    'refresh_token',
    'REFRESH_ID',
    'client_secret',
    'clientSecret',
    'application_token',
    'APPLICATION_TOKEN',
    'authToken',
    'authorization',
    'auth[access_token]',
  ])('%s is secret', (key) => expect(isSecretKey(key)).toBe(true))

  it.each(['code', 'author', 'client_id', 'member_id', 'expires_in', 'domain', 'token_type', 'oauth'])(
    '%s is not',
    (key) => expect(isSecretKey(key)).toBe(false),
  )
})
