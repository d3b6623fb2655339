/** Shared pieces of the emulator e2e tests: a table of probe methods and a small raw-HTTP client. */
import { afterEach } from 'vitest'
import {
  type Emulator,
  type EmulatorOptions,
  type MethodDefinition,
  type MethodTable,
  RestError,
  startEmulator,
} from '../../src/emulator/index.js'

/** Probe methods plugged in through the `methods` option, so the tests depend on the HTTP layer only. */
export function probeMethods(): MethodTable {
  const items = Array.from({ length: 120 }, (_, i) => ({ ID: String(i + 1), TITLE: `Item ${i + 1}` }))
  const table: MethodTable = new Map()
  const add = (name: string, definition: MethodDefinition) => table.set(name, definition)
  add('test.echo', { scope: 'basic', handler: (params) => ({ result: params }) })
  add('test.whoami', {
    scope: 'basic',
    handler: (_params, ctx) => ({ result: { userId: ctx.userId, authType: ctx.authType } }),
  })
  add('test.crm', { scope: 'crm', handler: () => ({ result: 'crm-ok' }) })
  add('test.cost', {
    scope: 'basic',
    handler: (params, ctx) => {
      ctx.cost(Number(params.seconds ?? 0))
      return { result: true }
    },
  })
  add('test.throw', {
    scope: 'basic',
    handler: () => {
      throw new TypeError('handler bug')
    },
  })
  add('test.fail', {
    scope: 'basic',
    handler: () => {
      throw new RestError('', 'Not found', 400)
    },
  })
  add('test.list', {
    scope: 'basic',
    handler: (params) => {
      const start = Math.max(0, Number(params.start ?? 0) || 0)
      const next = start + 50 < items.length ? start + 50 : undefined
      return { result: items.slice(start, start + 50), total: items.length, next }
    },
  })
  add('test.oauthonly', { scope: 'basic', authTypes: ['oauth'], handler: () => ({ result: 'app-only' }) })
  add('test.empty', { scope: 'basic', handler: () => ({ result: [] }) })
  return table
}

const running: Emulator[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()))
})

/** An emulator with the probe methods and no real delays, closed after the test. */
export async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ realDelays: false, methods: probeMethods(), ...options })
  running.push(emu)
  return emu
}

export interface RawResponse {
  status: number
  headers: Headers
  text: string
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected freely
  json: any
}

/** fetch without following redirects; `json` is the parsed body or undefined. */
export async function request(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const response = await fetch(url, { redirect: 'manual', ...init })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return request(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
}

export function postForm(url: string, body: string): Promise<RawResponse> {
  return request(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  })
}

/** An OAuth app with a fresh token, for calls to `/rest/{method}?auth=…`. */
export function oauthApp(emu: Emulator, scopes: string[] | 'all' = 'all') {
  const app = emu.createApp({ scopes, redirectUri: 'https://app.example.test/callback' })
  const token = emu.issueToken({ clientId: app.clientId })
  return { app, token }
}
