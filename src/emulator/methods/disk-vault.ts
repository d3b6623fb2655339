/**
 * The bytes of the emulator's files (Drive files, CRM file fields): one temporary directory per emulator, created
 * on the first file and removed on `close`, with a cap on the total size kept. Links to the files carry a token
 * signed with a key of this emulator, as the portal's `DOWNLOAD_URL` and `uploadUrl` do.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RestError } from '../kernel.js'

/** One stored file. */
export interface StoredFile {
  readonly id: number
  readonly name: string
  readonly size: number
  readonly path: string
  /** Who holds it: `disk`, or `crm.<entity>|<FIELD_NAME>` for a CRM file field. */
  owner: string
}

/** The default cap on the bytes all files of one emulator may take on disk: 1 GiB. */
export const DEFAULT_MAX_STORED_FILE_BYTES = 1024 * 1024 * 1024

/** What an upload link was issued for: a folder, as a user, and whether to make the name unique. */
export interface UploadSlot {
  folderId: number
  userId: number
  unique: boolean
}

/** Completes a streamed upload into a folder; answers the new Drive file row. Set by the Drive methods. */
export type UploadCompleter = (slot: UploadSlot, file: StoredFile) => unknown

export class FileVault {
  readonly #key = randomBytes(32)
  readonly #files = new Map<number, StoredFile>()
  readonly #maxBytes: number
  #dir: string | undefined
  #total = 0
  #reserved = 0
  #nextId = 1
  #disposed = false
  /** The emulator's current base URL (links are absolute, as the portal's are); set when the server is up. */
  origin: () => string = () => ''
  /** Completes uploads sent to an `uploadUrl` (the Drive methods set it). */
  completeUpload: UploadCompleter | undefined

  constructor(maxBytes = DEFAULT_MAX_STORED_FILE_BYTES) {
    this.#maxBytes = maxBytes
  }

  /** Bytes that may still be stored. */
  get free(): number {
    return Math.max(0, this.#maxBytes - this.#total - this.#reserved)
  }

  #directory(): string {
    if (this.#disposed) throw new RestError('INTERNAL_SERVER_ERROR', 'The emulator is closed', 500)
    this.#dir ??= mkdtempSync(join(tmpdir(), 'b24tssdk-emulator-files-'))
    return this.#dir
  }

  #tooLarge(size: number): RestError {
    return new RestError(
      'FILE_TOO_LARGE',
      `The file (${size} bytes) does not fit in the emulator's file storage (${this.free} of ${this.#maxBytes} bytes free)`,
      413,
    )
  }

  /** Stores bytes that came Base64-encoded in a call. Throws `FILE_TOO_LARGE` past the cap. */
  putBytes(name: string, bytes: Buffer, owner: string): StoredFile {
    if (bytes.length > this.free) throw this.#tooLarge(bytes.length)
    const id = this.#nextId++
    const path = join(this.#directory(), String(id))
    writeFileSync(path, bytes)
    return this.#register({ id, name, size: bytes.length, path, owner })
  }

  /** A path to stream an upload into, with the bytes it may take; `commit` or `abandon` it afterwards. */
  reserve(): { id: number; path: string; limit: number } {
    const id = this.#nextId++
    const limit = this.free
    this.#reserved += limit
    return { id, path: join(this.#directory(), String(id)), limit }
  }

  /** Registers a reserved path once its upload is complete. */
  commit(reservation: { id: number; path: string; limit: number }, name: string, owner: string): StoredFile {
    this.#reserved -= reservation.limit
    const size = statSync(reservation.path).size
    return this.#register({ id: reservation.id, name, size, path: reservation.path, owner })
  }

  /** Drops a reservation whose upload failed, and its partial file. */
  abandon(reservation: { id: number; path: string; limit: number }): void {
    this.#reserved -= reservation.limit
    rmSync(reservation.path, { force: true })
  }

  #register(file: StoredFile): StoredFile {
    this.#files.set(file.id, file)
    this.#total += file.size
    return file
  }

  get(id: number): StoredFile | undefined {
    return this.#files.get(id)
  }

  remove(id: number): void {
    const file = this.#files.get(id)
    if (!file) return
    this.#files.delete(id)
    this.#total -= file.size
    try {
      unlinkSync(file.path)
    } catch {
      // already gone
    }
  }

  /** `<scope>|<payload>.<signature>`, the form of the portal's `token` link parameter. */
  sign(scope: string, payload: string): string {
    const body = Buffer.from(payload).toString('base64url')
    return `${scope}|${body}.${this.#mac(`${scope}|${body}`)}`
  }

  /** The payload of a token this emulator signed, or undefined. */
  verify(token: string | undefined): { scope: string; payload: string } | undefined {
    const match = typeof token === 'string' ? /^([a-z]+)\|([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]+)$/.exec(token) : null
    if (!match) return undefined
    const expected = Buffer.from(this.#mac(`${match[1]}|${match[2]}`))
    const given = Buffer.from(match[3])
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined
    return { scope: match[1], payload: Buffer.from(match[2], 'base64url').toString() }
  }

  #mac(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('base64url')
  }

  /** Absolute link to download a stored file through `/rest/<method>.json?token=…`. */
  downloadUrl(file: StoredFile, scope: string, method = 'download'): string {
    return `${this.origin()}/rest/${method}.json?token=${encodeURIComponent(this.sign(scope, `download|${file.id}`))}`
  }

  /** Removes every file and the directory; later stores fail. */
  dispose(): void {
    this.#disposed = true
    this.#files.clear()
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true })
    this.#dir = undefined
  }
}
