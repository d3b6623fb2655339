import { afterAll, beforeAll } from 'vitest'
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/index.js'
import { BitrixApp, BitrixToken, BitrixWebhook, Client, type ClientOptions } from '../../src/index.js'

const plans = new WeakMap<Emulator, EmulatorOptions['plan']>()

/** Starts one emulator for the test file and closes it afterwards. */
export function usePortal(options: EmulatorOptions = {}): { emu: () => Emulator } {
  let emulator: Emulator | undefined
  beforeAll(async () => {
    emulator = await startEmulator({ randomSeed: 1, ...options })
    plans.set(emulator, options.plan ?? 'standard')
  })
  afterAll(async () => {
    await emulator?.close()
  })
  return {
    emu: () => {
      if (!emulator) throw new Error('emulator not started')
      return emulator
    },
  }
}

/** Client limits matching the emulator's: none when its limits are off, else its plan. */
export function limitsOf(emu: Emulator): ClientOptions {
  const plan = plans.get(emu) ?? 'standard'
  return plan === 'off' ? { limiter: false } : { plan }
}

export function webhookClient(emu: Emulator, options: ClientOptions = {}): Client {
  return new Client(BitrixWebhook.fromUrl(emu.webhookUrl), { ...limitsOf(emu), ...options })
}

/** An installed OAuth app and a token for it, pointed at the emulator's OAuth server. */
export function oauthToken(emu: Emulator, scopes: string[] | 'all' = 'all'): { token: BitrixToken; app: BitrixApp } {
  const credentials = emu.createApp({ scopes })
  const issued = emu.issueToken({ clientId: credentials.clientId })
  const app = new BitrixApp({
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    oauthServer: emu.url,
  })
  const token = new BitrixToken({
    domain: emu.url,
    authToken: issued.accessToken,
    refreshToken: issued.refreshToken,
    expires: issued.expires,
    bitrixApp: app,
  })
  return { token, app }
}

/** HTTP requests the emulator received while `action` ran. */
export async function countRequests<T>(
  emu: Emulator,
  action: () => Promise<T>,
): Promise<{ value: T; requests: number }> {
  const before = emu.getStats().httpRequests
  const value = await action()
  return { value, requests: emu.getStats().httpRequests - before }
}
