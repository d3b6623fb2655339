/**
 * File transfers outside the REST methods: `uploadUrl` posts (`/rest/upload.json?token=…`, multipart), downloads of
 * `DOWNLOAD_URL` / `urlMachine` (`/rest/download.json?token=…`, `/rest/crm.controller.item.getFile.json?token=…`)
 * and of a CRM file field's `downloadUrl` (`/bitrix/components/bitrix/crm.<entity>.show/show_file.php`).
 *
 * A link's signed `token` names what it is for; the request must also authenticate, as a REST call does: through
 * the webhook's path (`/rest/<user>/<key>/download.json?token=…`) or an OAuth `auth` access token. `show_file.php`
 * takes only `auth` (the classic CRM links need an application's token, as the docs say). Files are streamed from
 * disk in both directions.
 */
import { createReadStream } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { RestError } from '../kernel.js'
import type { FileVault, StoredFile } from '../methods/disk-vault.js'
import { type Caller, type CredentialStore, findAccessToken } from './auth.js'
import type { EmulatorClock } from './clock.js'
import { errorEnvelope, successEnvelope, timeBlock } from './envelope.js'
import { boundaryOf, receiveMultipartFile } from './multipart.js'
import { sendBody } from './respond.js'

/** REST path names that are transfers, not methods. */
const TRANSFER_METHODS = new Set(['download', 'upload', 'crm.controller.item.getfile'])

/** Whether a `/rest/…` method name is a file transfer. */
export function isTransferMethod(method: string): boolean {
  return TRANSFER_METHODS.has(method.toLowerCase())
}

/** Whether a path is a CRM file field's `show_file.php` link. */
export function isShowFilePath(segments: readonly string[]): boolean {
  return (
    segments.length === 5 &&
    segments[0] === 'bitrix' &&
    segments[1] === 'components' &&
    segments[2] === 'bitrix' &&
    /^crm\.[a-z]+\.show$/.test(segments[3]) &&
    segments[4] === 'show_file.php'
  )
}

export interface TransferDeps {
  vault: FileVault
  credentials: CredentialStore
  clock: EmulatorClock
}

const NO_AUTH = new RestError('NO_AUTH_FOUND', 'Wrong authorization data', 401)
const BAD_TOKEN = new RestError('ERROR_ARGUMENT', 'Invalid token', 400)
const NOT_FOUND = new RestError('ERROR_NOT_FOUND', 'File not found', 404)

function fail(res: ServerResponse, error: RestError): void {
  sendBody(res, error.status, errorEnvelope(error))
}

function queryOf(query: string): URLSearchParams {
  return new URLSearchParams(query)
}

export class Transfers {
  constructor(private readonly deps: TransferDeps) {}

  #authenticate(req: IncomingMessage, query: URLSearchParams, webhook?: { userId: string; secret: string }): Caller {
    if (webhook) return this.deps.credentials.authenticateWebhook(webhook.userId, webhook.secret)
    const token = findAccessToken(Object.fromEntries(query), req.headers.authorization)
    if (token === undefined) throw NO_AUTH
    return this.deps.credentials.authenticateToken(token)
  }

  /** `/rest/[<user>/<key>/]<download|upload|crm.controller.item.getFile>.json?token=…`. */
  async handleRest(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    query: string,
    webhook?: { userId: string; secret: string },
  ): Promise<void> {
    const params = queryOf(query)
    const upload = method.toLowerCase() === 'upload'
    try {
      const caller = this.#authenticate(req, params, webhook)
      const signed = this.deps.vault.verify(params.get('token') ?? undefined)
      const [purpose, ...rest] = signed?.payload.split('|') ?? []
      if (!signed || purpose !== (upload ? 'upload' : 'download')) throw BAD_TOKEN
      if (upload) {
        if (req.method !== 'POST')
          throw new RestError('ERROR_ARGUMENT', 'The file must be posted as multipart/form-data', 400)
        const [folderId, userId, unique] = rest.map(Number)
        if (userId !== caller.userId) throw new RestError('ACCESS_DENIED', 'Access denied', 403)
        await this.#receive(req, res, { folderId, userId, unique: unique === 1 })
        return
      }
      req.resume()
      this.#send(res, this.deps.vault.get(Number(rest[0])))
    } catch (error) {
      req.resume()
      fail(
        res,
        error instanceof RestError ? error : new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500),
      )
    }
  }

  /** `show_file.php?auth=<token>&ownerId=…&fieldName=…&fileId=…` of a CRM file field. */
  handleShowFile(req: IncomingMessage, res: ServerResponse, entityPath: string, query: string): void {
    req.resume()
    const params = queryOf(query)
    try {
      this.#authenticate(req, params)
      const file = this.deps.vault.get(Number(params.get('fileId')))
      const entity = /^crm\.([a-z]+)\.show$/.exec(entityPath)?.[1]
      if (!file || file.owner !== `crm.${entity}|${params.get('fieldName')}`) throw NOT_FOUND
      this.#send(res, file)
    } catch (error) {
      fail(
        res,
        error instanceof RestError ? error : new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500),
      )
    }
  }

  #send(res: ServerResponse, file: StoredFile | undefined): void {
    if (!file) throw NOT_FOUND
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(file.size),
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    })
    pipeline(createReadStream(file.path), res).catch(() => res.destroy())
  }

  async #receive(
    req: IncomingMessage,
    res: ServerResponse,
    slot: { folderId: number; userId: number; unique: boolean },
  ): Promise<void> {
    const { vault, clock } = this.deps
    const boundary = boundaryOf(req.headers['content-type'])
    if (!boundary) throw new RestError('ERROR_ARGUMENT', 'The file must be posted as multipart/form-data', 400)
    const start = clock.now()
    const reservation = vault.reserve()
    const outcome = await receiveMultipartFile(req, boundary, 'file', reservation.path, reservation.limit)
    if (!outcome.ok) {
      vault.abandon(reservation)
      if (outcome.reason === 'aborted') return
      if (outcome.reason === 'too-large') {
        throw new RestError('FILE_TOO_LARGE', `The file does not fit in the emulator's file storage`, 413)
      }
      throw new RestError('ERROR_ARGUMENT', 'No file in the form field "file"', 400)
    }
    const stored = vault.commit(reservation, outcome.name || 'file', 'disk')
    const complete = vault.completeUpload
    if (!complete) throw NOT_FOUND
    const row = complete(slot, stored)
    sendBody(res, 200, successEnvelope(row, timeBlock(start, clock.now(), 0, undefined, clock.tzMinutes)))
  }
}
