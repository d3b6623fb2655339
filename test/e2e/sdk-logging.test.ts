import { describe, expect, it } from 'vitest'
import { runDemo } from '../../examples/demo.js'
import { startEmulator } from '../../src/emulator/index.js'
import { BitrixWebhook, Client, Config } from '../../src/index.js'
import { StreamLogger, secretRegistry } from '../../src/log/index.js'

describe('logging', () => {
  it('a full demo run at debug level logs every call and none of the secrets', async () => {
    const lines: string[] = []
    const printed: string[] = []
    const logger = new StreamLogger({ level: 'debug', stream: { write: (chunk: string) => lines.push(chunk) } })
    await runDemo({ logger, print: (line) => printed.push(line) })
    new Config().reset()
    const log = lines.join('')
    expect(log).toMatch(/call .*method=crm\.deal\.get/)
    expect(log).toMatch(/oauth token renewed/)
    expect(log).toMatch(/portal moved/)
    expect(printed.join('\n')).toContain('oauthTokenRenewed')
    // Every webhook key, token and client secret the demo used was registered by the credentials.
    const secrets = [...secretRegistry.values()]
    expect(secrets.length).toBeGreaterThanOrEqual(5)
    for (const secret of secrets) {
      expect(log).not.toContain(secret)
      expect(printed.join('\n')).not.toContain(secret)
    }
  }, 60_000)

  it('errors and printed credentials carry no secret', async () => {
    const emu = await startEmulator({ plan: 'off' })
    try {
      const key = emu.webhookUrl.split('/').at(-2)!
      const webhook = BitrixWebhook.fromUrl(emu.webhookUrl)
      expect(JSON.stringify(webhook)).not.toContain(key)
      const { inspect } = await import('node:util')
      expect(inspect(webhook)).not.toContain(key)
      emu.faults.inject({ method: 'profile', kind: 'nonJson', times: 1 })
      const error = await new Client(webhook, { defaultMaxRetries: 0 }).profile().response.catch((e: unknown) => e)
      expect(String(error)).not.toContain(key)
      expect(JSON.stringify(error)).not.toContain(key)
    } finally {
      await emu.close()
    }
  })
})
