import { inspect } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixValidationError } from '../../src/errors/index.js'
import { BitrixWebhook, Client, Config, configure } from '../../src/index.js'
import { ConsoleLogger, secretRegistry, toLogger } from '../../src/log/index.js'

const TOKEN = 's1morf609228iwyjjpvfv6wsvuja4p8u'

type Level = 'debug' | 'info' | 'warn' | 'error'

/** A `console`-shaped object that keeps what it is given. */
function recordingConsole(): Record<Level, (...args: unknown[]) => void> & { calls: Array<[Level, unknown[]]> } {
  const calls: Array<[Level, unknown[]]> = []
  const method =
    (level: Level) =>
    (...args: unknown[]) => {
      calls.push([level, args])
    }
  return { calls, debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error') }
}

/** Shaped like a pino logger: `(mergingObject, message)`, `isLevelEnabled`, `bindings`. */
function pinoShaped(threshold: number) {
  const console = recordingConsole()
  const values: Record<string, number> = { debug: 20, info: 30, warn: 40, error: 50 }
  return Object.assign(console, {
    level: 'info',
    isLevelEnabled: (level: string) => values[level] >= threshold,
    bindings: () => ({}),
    child: () => console,
  })
}

/** Shaped like a winston logger: `(message, meta)`, `isLevelEnabled`, `log`. */
function winstonShaped(enabled: readonly Level[]) {
  const console = recordingConsole()
  return Object.assign(console, {
    level: 'info',
    isLevelEnabled: (level: string) => enabled.includes(level as Level),
    log: () => undefined,
  })
}

afterEach(() => {
  secretRegistry.clear()
  new Config().reset()
})

describe('ConsoleLogger', () => {
  it('passes (message, context) to console-shaped loggers, redacted', () => {
    secretRegistry.add(TOKEN)
    const target = recordingConsole()
    const logger = new ConsoleLogger(target)
    logger.info(`token ${TOKEN}`, { auth: 'anything', url: `https://x.bitrix24.com/rest/1/${TOKEN}/`, n: 1 })
    logger.warn('plain')
    expect(target.calls).toEqual([
      ['info', ['token ***', { auth: '***', url: 'https://x.bitrix24.com/rest/1/***/', n: 1 }]],
      ['warn', ['plain']],
    ])
  })

  it('passes (context, message) to pino and follows its level', () => {
    const target = pinoShaped(30)
    const logger = toLogger(target)
    expect(logger.isEnabled('debug')).toBe(false)
    expect(logger.isEnabled('info')).toBe(true)
    logger.debug('dropped', { a: 1 })
    logger.error('failed', { refresh_token: TOKEN })
    logger.info('no context')
    expect(target.calls).toEqual([
      ['error', [{ refresh_token: '***' }, 'failed']],
      ['info', [{}, 'no context']],
    ])
  })

  it('follows winston isLevelEnabled, and is never enabled at silent', () => {
    const logger = toLogger(winstonShaped(['warn', 'error']))
    expect(['debug', 'info', 'warn', 'error', 'silent'].map((level) => logger.isEnabled(level as Level))).toEqual([
      false,
      false,
      true,
      true,
      false,
    ])
    expect(toLogger(console).isEnabled('silent')).toBe(false)
  })

  it('wraps an object once, keeps a Logger as it is, and survives a throwing target', () => {
    const target = recordingConsole()
    expect(toLogger(target)).toBe(toLogger(target))
    const logger = new ConsoleLogger(target)
    expect(toLogger(logger)).toBe(logger)
    target.error = () => {
      throw new Error('disk full')
    }
    expect(() => logger.error('x')).not.toThrow()
    expect(() => new ConsoleLogger({ info() {} } as never)).toThrow(TypeError)
  })
})

describe('a console-shaped logger as the client logger', () => {
  let emu: Emulator
  beforeAll(async () => {
    emu = await startEmulator({ plan: 'off', seed: { deals: 3 }, randomSeed: 1 })
  })
  afterAll(() => emu.close())

  it('works through real calls, per client and through configure, with nothing secret in what it gets', async () => {
    const webhook = BitrixWebhook.fromUrl(emu.webhookUrl)
    const key = emu.webhookUrl.split('/').at(-2) as string
    const perClient = recordingConsole()
    const client = new Client(webhook, { limiter: false, logger: perClient })
    const deal = await client.crm.deal.get({ id: 1 })
    expect(deal.result.ID).toBe('1')
    await expect(client.crm.deal.get({ id: 999_999 })).rejects.toThrow()
    const global = pinoShaped(20)
    configure({ logger: global })
    await new Client(webhook, { limiter: false }).crm.deal.get({ id: 2 })
    for (const target of [perClient, global]) {
      expect(target.calls.some(([level]) => level === 'debug')).toBe(true)
      expect(inspect(target.calls, { depth: 10 })).not.toContain(key)
      expect(JSON.stringify(target.calls)).not.toContain(key)
    }
  })

  it('refuses a logger without the four level methods, naming the setting', () => {
    const webhook = BitrixWebhook.fromUrl(emu.webhookUrl)
    const make = () => new Client(webhook, { logger: { info() {} } as never })
    expect(make).toThrow(BitrixValidationError)
    expect(make).toThrow(/logger/)
  })
})
