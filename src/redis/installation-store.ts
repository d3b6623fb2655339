/** An `InstallationStore` in Redis: one JSON value per portal, `<prefix>:installation:<member_id>`. */
import { checkInstallation, type Installation, type InstallationStore } from '../stores/installation.js'
import {
  DEL_SCRIPT,
  GET_SCRIPT,
  keyPart,
  type RedisScriptClient,
  replyString,
  requireScriptClient,
  SET_SCRIPT,
} from './client.js'

/** What `RedisInstallationStore` takes: a Redis client and a key prefix. */
export interface RedisInstallationStoreOptions {
  /** An ioredis client, or any object with its `eval` / `evalsha`. */
  client: RedisScriptClient
  /** Prefix of every key; default `'b24tssdk'`. */
  prefix?: string
}

/** Installations in Redis, for every process of the app on every host. */
export class RedisInstallationStore implements InstallationStore {
  readonly #client: RedisScriptClient
  readonly #prefix: string

  constructor(options: RedisInstallationStoreOptions) {
    this.#client = requireScriptClient(options?.client, 'RedisInstallationStore')
    this.#prefix = keyPart(options.prefix ?? 'b24tssdk')
  }

  async get(memberId: string): Promise<Installation | undefined> {
    const text = replyString(await GET_SCRIPT.run(this.#client, [this.#key(memberId)], []))
    return text === undefined ? undefined : checkInstallation(JSON.parse(text) as Installation)
  }

  async save(installation: Installation): Promise<void> {
    const key = this.#key(checkInstallation(installation).memberId)
    await SET_SCRIPT.run(this.#client, [key], [JSON.stringify(installation), 0])
  }

  async delete(memberId: string): Promise<void> {
    await DEL_SCRIPT.run(this.#client, [this.#key(memberId)], [])
  }

  #key(memberId: string): string {
    return `${this.#prefix}:installation:${keyPart(memberId)}`
  }
}
