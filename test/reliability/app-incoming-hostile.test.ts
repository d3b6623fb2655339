/**
 * Hostile portal calls over real HTTP: 1,500 seeded mutations of the docs' own event bodies (as PHP encodes them)
 * posted to the app handler behind the node:http adapter. Every answer is a success for a call that still carries
 * the stored application token, or a typed refusal (400/401/413) — never a 500, never a handler run with a forged
 * token, never a polluted prototype, never a token in an answer.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seeded } from '../../scripts/seeded-random.js'
import type { BitrixIncomingRejected } from '../../src/errors/index.js'
import { createAppHandler, type IncomingEvent, toNodeListener } from '../../src/index.js'
import { listen } from '../app/portal-calls.js'

const TOKEN = '51856fefc120afa4b628cc82d3935cce'
const ACCESS = 's6p6eclrvim6da22ft9ch94ekreb52lv'
const encodings = (
  JSON.parse(readFileSync(new URL('../fixtures/php/event-encodings.json', import.meta.url), 'utf8')) as {
    events: { code: string; encoded: string }[]
  }
).events
const seeds = encodings.filter((row) => row.encoded.includes(TOKEN) && row.code !== 'ONAPPINSTALL')

const FRAGMENTS = ['[', ']', '%5B', '%5D', '&', '=', '__proto__', 'constructor', '%00', '[]', '][', '%', '+', '{', 'é']

function mutate(body: string, random: () => number): string {
  const at = () => Math.floor(random() * (body.length + 1))
  switch (Math.floor(random() * 6)) {
    case 0: {
      const where = at()
      const fragment = FRAGMENTS[Math.floor(random() * FRAGMENTS.length)]
      return body.slice(0, where) + fragment + body.slice(where)
    }
    case 1:
      return body.slice(0, at())
    case 2: {
      const index = body.indexOf(TOKEN) + Math.floor(random() * TOKEN.length)
      return `${body.slice(0, index)}${random() < 0.5 ? '0' : 'z'}${body.slice(index + 1)}`
    }
    case 3:
      return `${body}&data[${FRAGMENTS[Math.floor(random() * FRAGMENTS.length)]}]=1`
    case 4: {
      const where = at()
      return body.slice(0, where) + body.slice(where + 1 + Math.floor(random() * 20))
    }
    default:
      return `${body}&auth[application_token]=${random() < 0.5 ? TOKEN : 'forged'}`
  }
}

describe('hostile portal calls', () => {
  const handled: IncomingEvent[] = []
  const rejected: BitrixIncomingRejected[] = []
  const failures: unknown[] = []
  let server: Awaited<ReturnType<typeof listen>>

  beforeAll(async () => {
    const handler = createAppHandler({
      findInstallation: (memberId) =>
        memberId === 'a223c6b3710f85df22e9377d6c4f7553' ? { applicationToken: TOKEN, domain: 'x' } : undefined,
      onEvent: (event) => {
        handled.push(event)
      },
      onRejected: (error) => {
        rejected.push(error)
      },
      onError: (error) => {
        failures.push(error)
      },
      maxBodyBytes: 16 * 1024,
    })
    server = await listen(toNodeListener(handler))
  })
  afterAll(async () => {
    await server.close()
  })

  it('1,500 mutations: success only with the stored token, otherwise a typed refusal; never a 500', async () => {
    expect(seeds.length).toBeGreaterThan(50)
    const random = seeded(11)
    const statuses = new Map<number, number>()
    for (let index = 0; index < 1500; index++) {
      const base = seeds[index % seeds.length].encoded
      let body = mutate(base, random)
      if (random() < 0.3) body = mutate(body, random)
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
      const text = await response.text()
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      expect([200, 400, 401, 413]).toContain(response.status)
      expect(text).not.toContain(TOKEN)
      expect(text).not.toContain(ACCESS)
    }
    expect(failures).toEqual([])
    expect(handled.every((event) => event.auth.applicationToken === TOKEN)).toBe(true)
    expect(handled.length + rejected.length).toBe(1500)
    expect(statuses.get(200) ?? 0).toBe(handled.length)
    // Each kind of refusal occurred, so the run covered them.
    expect(new Set(rejected.map((error) => error.reason))).toEqual(
      new Set(['malformed', 'missing-field', 'forged', 'unknown-installation']),
    )
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('x')
    console.log('statuses', Object.fromEntries(statuses))
  }, 120_000)
})
