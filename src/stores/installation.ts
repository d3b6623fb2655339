/**
 * Installations of an application and their tokens, kept where every process of the app can read them: one
 * record per portal, keyed by `member_id`. Asynchronous, so a database or Redis can back it.
 */

/** The last refresh of a refresh token that the OAuth server refused, shared with the processes waiting on it. */
export interface StoredRefreshFailure {
  /** The refresh token that was refused: the record says nothing about any other. */
  refreshToken: string
  /** OAuth wire code (`invalid_grant`, `invalid_client`, …). */
  error: string
  errorDescription: string
  status: number
  /** `invalid_grant` after an earlier holder was cut off mid-refresh: its rotation was probably lost. */
  rotationLost: boolean
}

/** One app installed on one portal. */
export interface Installation {
  /** The portal's `member_id`: the key. */
  memberId: string
  /** Portal address (`example.bitrix24.com`, or `http://127.0.0.1:8080` for a local one). */
  domain: string
  scopes: string[]
  /** What the portal signs its events with (`application_token`). */
  applicationToken?: string
  accessToken: string
  refreshToken?: string
  /** Unix seconds when `accessToken` expires, if known. */
  expires?: number
  /** Set while a process refreshes `refreshToken`; left behind when it dies mid-refresh. */
  refreshing?: string
  refreshFailure?: StoredRefreshFailure
}

/**
 * Where an app keeps its installations (domain, tokens, application token) by `member_id`: asynchronous, so a
 * database or Redis can back it. Memory, SQLite and Redis implementations ship with the SDK.
 */
export interface InstallationStore {
  /** The record of `memberId`, or undefined when the app is not installed there. */
  get(memberId: string): Promise<Installation | undefined>
  /** Creates or replaces the record of `installation.memberId`. */
  save(installation: Installation): Promise<void>
  /** Forgets the portal (the app was uninstalled). */
  delete(memberId: string): Promise<void>
}

/** Installations in this process (tests, one-process apps). Records are copied in and out. */
export class MemoryInstallationStore implements InstallationStore {
  readonly #records = new Map<string, string>()

  async get(memberId: string): Promise<Installation | undefined> {
    const text = this.#records.get(memberId)
    return text === undefined ? undefined : (JSON.parse(text) as Installation)
  }

  async save(installation: Installation): Promise<void> {
    this.#records.set(checkInstallation(installation).memberId, JSON.stringify(installation))
  }

  async delete(memberId: string): Promise<void> {
    this.#records.delete(memberId)
  }
}

/** Throws a `TypeError` naming the field when a record could not be read back as an installation. */
export function checkInstallation(installation: Installation): Installation {
  const fields: Array<[keyof Installation, string]> = [
    ['memberId', 'string'],
    ['domain', 'string'],
    ['accessToken', 'string'],
  ]
  for (const [field, type] of fields) {
    if (typeof installation?.[field] !== type || installation[field] === '') {
      throw new TypeError(`an installation needs ${field} (a non-empty ${type})`)
    }
  }
  if (!Array.isArray(installation.scopes)) throw new TypeError('an installation needs scopes (an array of scope codes)')
  return installation
}
