/**
 * An OAuth token whose fields live in an `InstallationStore`, shared by every process of an app: loaded from the
 * store when created and again whenever it would be refreshed, saved after each refresh, and refreshed by one
 * process at a time under a `RefreshLock`. The others wait for the lock and then take the token the holder saved;
 * when the OAuth server refused the refresh, they get the holder's error without asking again.
 */
import type { AbstractBitrixApp } from '../auth/app.js'
import { AbstractBitrixToken } from '../auth/token.js'
import {
  BitrixOAuthError,
  BitrixOAuthReauthorizationRequired,
  BitrixValidationError,
  oauthErrorFromResponse,
} from '../errors/index.js'
import { secretRegistry } from '../log/index.js'
import type { Installation, InstallationStore, StoredRefreshFailure } from './installation.js'
import { MemoryRefreshLock, type RefreshLock } from './lock.js'

/** What `StoredBitrixToken.load` takes: the installation's key, its store, the app, and optionally a shared lock. */
export interface StoredBitrixTokenInit {
  /** The portal's `member_id`, the key of its installation in `store`. */
  memberId: string
  store: InstallationStore
  bitrixApp: AbstractBitrixApp
  /** One refresh at a time across processes (`RedisRefreshLock`); default: within this process only. */
  lock?: RefreshLock
}

/** Every token of one process without a lock of its own shares this one. */
const processLock = new MemoryRefreshLock()

/**
 * A token backed by an `InstallationStore`; create it with `StoredBitrixToken.load`.
 *
 * @example
 * const token = await StoredBitrixToken.load({ memberId, store, lock, bitrixApp })
 * const client = new Client(token)
 */
export class StoredBitrixToken extends AbstractBitrixToken {
  /** The portal's `member_id`. */
  readonly memberId: string
  readonly bitrixApp: AbstractBitrixApp
  domain = ''
  authToken = ''
  refreshToken: string | undefined
  expires: number | undefined
  readonly #store: InstallationStore
  readonly #lock: RefreshLock

  private constructor(init: StoredBitrixTokenInit) {
    super()
    this.memberId = init.memberId
    this.bitrixApp = init.bitrixApp
    this.#store = init.store
    this.#lock = init.lock ?? processLock
  }

  /** The token of the installation `memberId`; a `BitrixValidationError` when the store has none. */
  static async load(init: StoredBitrixTokenInit): Promise<StoredBitrixToken> {
    if (typeof init?.memberId !== 'string' || init.memberId === '') {
      throw new BitrixValidationError({
        message: 'memberId must be the portal member_id (a non-empty string)',
        parameter: 'memberId',
        expected: 'string',
        received: typeof init?.memberId,
      })
    }
    if (typeof init.store?.get !== 'function' || typeof init.store.save !== 'function') {
      throw new BitrixValidationError({ message: 'store must be an InstallationStore', parameter: 'store' })
    }
    const token = new StoredBitrixToken(init)
    token.#apply(await token.#read())
    return token
  }

  /** Takes what the store holds now (another process may have refreshed). */
  async reload(): Promise<void> {
    this.#apply(await this.#read())
  }

  protected override runRefresh(refresh: () => Promise<void>): Promise<void> {
    const usedRefreshToken = this.refreshToken
    return this.#lock.withLock(`refresh:${this.memberId}`, async ({ waited }) => {
      const stored = await this.#read()
      this.#apply(stored)
      // Another process refreshed (or the app was reinstalled) while this one waited.
      if (stored.refreshToken !== usedRefreshToken && !this.isExpired) return
      const failure = stored.refreshFailure
      if (failure !== undefined && failure.refreshToken === stored.refreshToken) {
        // The holder this one waited for was refused for this very token: the same answer, without asking again.
        // `invalid_grant` is about the token itself, so it stands for later callers too; other refusals (a wrong
        // client secret, say) may be this process's own and are asked again by a caller that did not wait.
        if (waited || failure.error === 'invalid_grant') throw rebuild(failure)
      }
      const cutOff = stored.refreshing !== undefined && stored.refreshing === stored.refreshToken
      // This attempt replaces the last one's refusal; its mark stays until it is answered.
      const { refreshFailure: _, ...attempt } = stored
      if (stored.refreshToken !== undefined) await this.#store.save({ ...attempt, refreshing: stored.refreshToken })
      try {
        await refresh()
      } catch (error) {
        throw await this.#failed(stored, error, cutOff)
      }
      await this.#store.save(this.#saved(stored))
    })
  }

  /** Records an OAuth refusal for the processes waiting on it; the error to throw. */
  async #failed(stored: Installation, error: unknown, cutOff: boolean): Promise<unknown> {
    // Not an answer from the OAuth server (a timeout, a reset): it may have rotated the pair all the same, so the
    // `refreshing` mark stays and the next holder's `invalid_grant` says the rotation was probably lost.
    if (!(error instanceof BitrixOAuthError) || stored.refreshToken === undefined) return error
    const { refreshing: _, refreshFailure: __, ...rest } = stored
    const rotationLost = cutOff || (error instanceof BitrixOAuthReauthorizationRequired && error.rotationLost)
    const refreshFailure: StoredRefreshFailure = {
      refreshToken: stored.refreshToken,
      error: error.error,
      errorDescription: error.errorDescription,
      status: error.status,
      rotationLost,
    }
    await this.#store.save({ ...rest, refreshFailure })
    return rotationLost && error instanceof BitrixOAuthReauthorizationRequired && !error.rotationLost
      ? rebuild(refreshFailure)
      : error
  }

  /** The record after a refresh: the new tokens, nothing pending. */
  #saved(stored: Installation): Installation {
    const { refreshing: _, refreshFailure: __, ...rest } = stored
    const saved: Installation = { ...rest, domain: this.domain, accessToken: this.authToken }
    if (this.refreshToken !== undefined) saved.refreshToken = this.refreshToken
    if (this.expires !== undefined) saved.expires = this.expires
    return saved
  }

  async #read(): Promise<Installation> {
    const stored = await this.#store.get(this.memberId)
    if (stored === undefined) {
      throw new BitrixValidationError({
        message: `no installation is stored for member_id ${this.memberId} (the app was uninstalled, or never installed there)`,
        parameter: 'memberId',
      })
    }
    return stored
  }

  #apply(stored: Installation): void {
    this.domain = stored.domain
    this.authToken = stored.accessToken
    this.refreshToken = stored.refreshToken
    this.expires = stored.expires
    secretRegistry.hold(this, 'authToken', stored.accessToken)
    secretRegistry.hold(this, 'refreshToken', stored.refreshToken)
  }
}

/** The typed error a stored refusal stands for, as the holder got it. */
function rebuild(failure: StoredRefreshFailure): BitrixOAuthError {
  const { error, errorDescription, status, rotationLost } = failure
  if (error === 'invalid_grant')
    return new BitrixOAuthReauthorizationRequired({ error, errorDescription, status, rotationLost })
  return oauthErrorFromResponse(status, { error, error_description: errorDescription })
}
