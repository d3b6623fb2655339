/**
 * The clients under test, each set up the way its documentation says, with its own limiter set to the emulator's
 * scaled limits (standard plan: a burst of 50, then 2 requests per second, times `timeScale`).
 */
import https from 'node:https'
import type { Bitrix } from '@2bad/bitrix'
import type { B24Hook } from '@bitrix24/b24jssdk'
import type { Client } from '../src/index.js'

// Each client is imported only by the process that measures it, so no run carries another's code in its memory.

/** What every child process is told by the orchestrator. */
export interface BenchEnv {
  webhookUrl: string
  timeScale: number
  /** The emulator's self-signed certificate (PEM); also trusted process-wide through NODE_EXTRA_CA_CERTS. */
  ca: string
}

export const STANDARD = { burst: 50, drainPerSecond: 2 }

/** This SDK: the default transport (keep-alive node:https) and the client-side `RateLimiter`. */
export async function ours(env: BenchEnv): Promise<Client> {
  const { BitrixWebhook, Client } = await import('../src/index.js')
  const { RateLimiter } = await import('../src/limits/index.js')
  return new Client(BitrixWebhook.fromUrl(env.webhookUrl), {
    tls: { ca: env.ca },
    limiter: new RateLimiter({ plan: 'standard', timeScale: env.timeScale }),
  })
}

/** The official JS SDK: its own leaky bucket and operating-time windows, scaled like the emulator. */
export async function jsSdk(env: BenchEnv): Promise<B24Hook> {
  const { B24Hook, ParamsFactory } = await import('@bitrix24/b24jssdk')
  const defaults = ParamsFactory.getDefault()
  const hook = B24Hook.fromWebhookUrl(env.webhookUrl, {
    restrictionParams: {
      ...defaults,
      rateLimit: {
        burstLimit: STANDARD.burst,
        drainRate: STANDARD.drainPerSecond * env.timeScale,
        adaptiveEnabled: true,
      },
      // `operating` is reported in portal seconds (unscaled); only the window passes faster.
      operatingLimit: { ...defaults.operatingLimit!, windowMs: defaults.operatingLimit!.windowMs / env.timeScale },
    },
  })
  hook.offClientSideWarning()
  return hook
}

/** @2bad/bitrix: a fixed queue of 2 requests per real second, which it offers no way to change. */
export type TwoBadClient = ReturnType<typeof Bitrix>

export async function twoBad(env: BenchEnv): Promise<TwoBadClient> {
  const { Bitrix } = await import('@2bad/bitrix')
  return Bitrix(env.webhookUrl.replace(/\/$/, ''))
}

/**
 * The floor: node:https with a keep-alive agent posting JSON and parsing the answer, paced by the smallest
 * possible leaky bucket so it stays under the same limits as everyone else.
 */
export function bare(env: BenchEnv): (method: string, params: unknown) => Promise<unknown> {
  const agent = new https.Agent({ keepAlive: true, ca: env.ca })
  const base = new URL(env.webhookUrl)
  const burst = STANDARD.burst - 2
  const drainPerMs = (STANDARD.drainPerSecond * env.timeScale) / 1000
  let level = 0
  let at = Date.now()
  return async (method, params) => {
    const now = Date.now()
    level = Math.max(0, level - (now - at) * drainPerMs)
    at = now
    if (level + 1 > burst) await new Promise((resolve) => setTimeout(resolve, (level + 1 - burst) / drainPerMs))
    level += 1
    const body = JSON.stringify(params)
    const text = await new Promise<string>((resolve, reject) => {
      const request = https.request(
        new URL(`${method}.json`, base),
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          let data = ''
          response.setEncoding('utf8')
          response.on('data', (chunk: string) => {
            data += chunk
          })
          response.on('end', () => resolve(data))
          response.on('error', reject)
        },
      )
      request.on('error', reject)
      request.end(body)
    })
    const json = JSON.parse(text) as { result?: unknown; error?: string }
    if (json.error) throw new Error(`${method}: ${json.error}`)
    return json.result
  }
}
