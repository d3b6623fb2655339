/**
 * The part of a Redis client this module uses: `EVALSHA` and `EVAL`, written as ioredis spells them, so an
 * ioredis `Redis` or `Cluster` is passed as it is and this package never imports a Redis client. Other clients
 * (node-redis) fit through a three-line adapter; see docs/deployment.md.
 */
import { createHash } from 'node:crypto'

export type RedisArgument = string | number

export interface RedisScriptClient {
  /** `EVAL script numKeys key… arg…`. */
  eval(script: string, numKeys: number, ...args: RedisArgument[]): Promise<unknown>
  /** `EVALSHA sha1 numKeys key… arg…`. */
  evalsha(sha1: string, numKeys: number, ...args: RedisArgument[]): Promise<unknown>
}

/** The client, checked: a `TypeError` naming `who` when it cannot run scripts. */
export function requireScriptClient(client: RedisScriptClient | undefined, who: string): RedisScriptClient {
  if (typeof client?.evalsha !== 'function' || typeof client.eval !== 'function') {
    throw new TypeError(`${who} needs a Redis client with eval and evalsha (an ioredis Redis or Cluster)`)
  }
  return client
}

/** A Lua script run by its SHA1, loaded on the first `NOSCRIPT` (after a restart or `SCRIPT FLUSH` too). */
export class RedisScript {
  readonly #source: string
  readonly #sha1: string

  constructor(source: string) {
    this.#source = source
    this.#sha1 = createHash('sha1').update(source).digest('hex')
  }

  async run(client: RedisScriptClient, keys: readonly string[], args: readonly RedisArgument[]): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha1, keys.length, ...keys, ...args)
    } catch (error) {
      if (!String((error as { message?: unknown } | null)?.message ?? '').includes('NOSCRIPT')) throw error
      return client.eval(this.#source, keys.length, ...keys, ...args)
    }
  }
}

/** `GET key`, as a script (the client interface is scripts only). */
export const GET_SCRIPT = new RedisScript("return redis.call('GET', KEYS[1])")

/** `SET key value PX ttl` (ttl ≤ 0: no expiry). */
export const SET_SCRIPT = new RedisScript(`
if tonumber(ARGV[2]) > 0 then
  return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return redis.call('SET', KEYS[1], ARGV[1])
`)

/** `DEL key`. */
export const DEL_SCRIPT = new RedisScript("return redis.call('DEL', KEYS[1])")

/** A Redis key part from caller text: `:` and braces (cluster hash tags) escaped, so no two names collide. */
export function keyPart(value: string): string {
  return value.replace(/[%:{}]/g, (char) => `%${char.charCodeAt(0).toString(16)}`)
}

/** A reply that must be a string (or nil). */
export function replyString(reply: unknown): string | undefined {
  if (reply === null || reply === undefined) return undefined
  if (typeof reply === 'string') return reply
  if (reply instanceof Uint8Array) return new TextDecoder().decode(reply)
  return String(reply)
}
