/**
 * The two-step Drive upload: `disk.folder.uploadfile` (or `disk.storage.uploadfile`) without `fileContent`
 * answers an `uploadUrl` and a form `field`; the file then goes to that URL as `multipart/form-data`, streamed
 * from the source, and the portal answers the new file as the one-step call would.
 */
import { BitrixFileTooLarge } from '../errors/file-size.js'
import { BitrixResponseParseError, BitrixValidationError } from '../errors/index.js'
import { isRecord } from '../http/envelope.js'
import type { DiskFile } from '../methods/generated/entities.js'
import { bodyStream } from './body-stream.js'
import { type FileReadOptions, maxBytesOf } from './file-data.js'
import { checkSource, chunksOf, type FileSource, knownSize } from './source.js'
import { envelopeOf, type FileClient, type TransferOptions, transfer } from './transfer.js'

/** Where an upload goes: a folder by ID, or the root of a storage by ID. */
export type DiskUploadTarget = { folderId: number } | { storageId: number }

/** Options of `uploadDiskFile`. */
export interface DiskUploadOptions extends FileReadOptions, TransferOptions {
  /** Give the file a unique name when one with the same name exists (`file (1).docx`). */
  generateUniqueName?: boolean
  /** Call options of the first step, e.g. `{ timeout: 30 }`. */
  callOptions?: { timeout?: number | [number, number]; maxRetries?: number }
}

/** What the first step answers. */
interface UploadSlot {
  uploadUrl: string
  field: string
}

/** A client with the generic call (`Client.call`). */
export interface DiskUploadClient extends FileClient {
  /** `client.call(method, params, options)`. */
  call: (
    method: string,
    params?: Record<string, unknown>,
    options?: Record<string, unknown>,
  ) => PromiseLike<{ result: unknown }>
}

function targetId(target: DiskUploadTarget): { folder: boolean; id: number } {
  const record = target as Partial<Record<'folderId' | 'storageId', unknown>>
  const folder = record.folderId !== undefined
  const id = folder ? record.folderId : record.storageId
  if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) {
    throw new BitrixValidationError({
      method: 'disk.folder.uploadfile',
      parameter: folder ? 'folderId' : 'storageId',
      expected: 'a positive integer ID',
      received: id,
      message: 'the upload target must be { folderId } or { storageId }, a positive integer ID',
    })
  }
  return { folder, id }
}

/**
 * The folder to upload into: the folder itself, or the storage's root folder (`disk.storage.get`). The docs give
 * the `uploadUrl` form for `disk.folder.uploadfile` only (`disk.storage.uploadfile` requires `fileContent`), so a
 * storage upload goes to its root folder.
 */
async function folderOf(
  client: DiskUploadClient,
  target: DiskUploadTarget,
  options: DiskUploadOptions,
): Promise<number> {
  const { folder, id } = targetId(target)
  if (folder) return id
  const storage = await client.call('disk.storage.get', { id }, { signal: options.signal, ...options.callOptions })
  const root = Number(isRecord(storage.result) ? storage.result.ROOT_OBJECT_ID : Number.NaN)
  if (!Number.isInteger(root) || root <= 0) {
    throw new BitrixResponseParseError({
      status: 200,
      body: '',
      method: 'disk.storage.get',
      reason: 'the storage has no ROOT_OBJECT_ID',
    })
  }
  return root
}

/** The `Content-Disposition` file name, escaped as browsers do (`"` and line breaks percent-encoded). */
function quotedName(name: string): string {
  return name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/**
 * Uploads a file to a Drive folder (or a storage's root folder) in two steps, the content streamed as `multipart/form-data`
 * to the `uploadUrl` the portal gives: memory stays at a chunk whatever the file's size, and a file of any size the
 * portal accepts goes through (a one-step `fileContent` is Base64 inside the request, 4/3 of the file). A `Blob` or
 * bytes source is sent as is; a stream is read once, as it is sent. Resolves to the new file (`DOWNLOAD_URL` …).
 * @example
 * const file = await uploadDiskFile(client, { folderId: 8930 }, 'report.pdf', createReadStream('report.pdf'))
 */
export async function uploadDiskFile(
  client: DiskUploadClient,
  target: DiskUploadTarget,
  name: string,
  source: FileSource,
  options: DiskUploadOptions = {},
): Promise<DiskFile> {
  const method = 'disk.folder.uploadfile'
  targetId(target)
  if (typeof name !== 'string' || name.trim() === '') {
    throw new BitrixValidationError({
      method,
      parameter: 'name',
      expected: 'a file name such as "report.pdf"',
      received: name,
    })
  }
  checkSource(source, 'source')
  const maxBytes = maxBytesOf(options)
  const size = knownSize(source)
  // Nothing is asked of the portal for a file known to be too large.
  if (size !== undefined && size > maxBytes) {
    throw new BitrixFileTooLarge({ direction: 'upload', limit: maxBytes, received: size })
  }
  const params: Record<string, unknown> = { id: await folderOf(client, target, options), data: { NAME: name } }
  if (options.generateUniqueName !== undefined) params.generateUniqueName = options.generateUniqueName
  const first = await client.call(method, params, { signal: options.signal, ...options.callOptions })
  const slot = uploadSlotOf(first.result, method)
  const boundary = `----b24tssdk${Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('')}`
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${quotedName(slot.field)}"; filename="${quotedName(name)}"\r\nContent-Type: application/octet-stream\r\n\r\n`
  const tail = `\r\n--${boundary}--\r\n`
  const blob = typeof Blob !== 'undefined' && (source instanceof Blob || size !== undefined)
  const body = (): BodyInit =>
    blob
      ? new Blob([head, source as Blob | Uint8Array<ArrayBuffer> | ArrayBuffer, tail])
      : bodyStream(
          (async function* () {
            yield head
            yield* chunksOf(source, maxBytes)
            yield tail
          })(),
        )
  const response = await transfer(
    client,
    {
      url: slot.uploadUrl,
      method: 'upload',
      httpMethod: 'POST',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body,
      replayable: blob,
    },
    options,
  )
  const envelope = await envelopeOf(client, response, 'upload')
  if (!isRecord(envelope.result)) {
    throw new BitrixResponseParseError({
      status: response.status,
      body: '',
      method: 'upload',
      reason: 'the upload answered no file object',
    })
  }
  return envelope.result as DiskFile
}

function uploadSlotOf(result: unknown, method: string): UploadSlot {
  const record = isRecord(result) ? result : {}
  const uploadUrl = record.uploadUrl ?? record.UploadUrl
  const field = record.field
  if (typeof uploadUrl !== 'string' || typeof field !== 'string' || field === '') {
    throw new BitrixResponseParseError({
      status: 200,
      body: '',
      method,
      reason: `${method} without fileContent answered no uploadUrl and field`,
    })
  }
  return { uploadUrl, field }
}
