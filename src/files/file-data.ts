/**
 * The portal's Base64 file values: the "name — Base64" pair (`crm.item.*` file fields, `fileContent` of
 * `disk.*.uploadfile`), the `{ fileData: pair }` object of `crm.deal.*` / `crm.lead.*` user fields, and a streamed
 * pair whose Base64 is written into the request body as it is read (`sendWithFiles`).
 */
import { BitrixValidationError, describeValue } from '../errors/index.js'
import { base64Pieces } from './base64.js'
import { checkSource, chunksOf, type FileSource } from './source.js'

/** A file as the portal takes it in a field: `[name, base64]`. */
export type FilePair = [name: string, base64: string]

/** The value of a `crm.deal.*` / `crm.lead.*` / `crm.contact.*` / `crm.company.*` file user field. */
export interface FileDataValue {
  /** `[name, base64]`. */
  fileData: FilePair
}

/** Options of the file helpers that read a whole source. */
export interface FileReadOptions {
  /**
   * Largest file accepted, in bytes; a larger one fails with `BitrixFileTooLarge` before it is read or sent
   * (when its size is known) or as soon as the limit is passed. Default: 2 GiB, the cloud portal's request limit.
   */
  maxBytes?: number
}

/** 2 GiB: the request size a cloud portal accepts (files/how-to-upload-files.md, "Limitations"). */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024

/** Checks `maxBytes` and returns it, or the default. */
export function maxBytesOf(options: FileReadOptions | undefined): number {
  const value = options?.maxBytes ?? DEFAULT_MAX_FILE_BYTES
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new BitrixValidationError({
      parameter: 'maxBytes',
      expected: 'a number of bytes ≥ 0',
      received: value,
    })
  }
  return value
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new BitrixValidationError({
      parameter: 'name',
      expected: 'a file name such as "report.pdf"',
      received: name,
      message: `name must be the file's name with its extension, such as "report.pdf"; received ${describeValue(name)}`,
    })
  }
}

/**
 * `[name, base64]` of a whole source, built in memory: the Base64 text is 4/3 of the file (a 20 MB file is a
 * ~27 MB string). For large files use `streamedFile` with `sendWithFiles`, or `uploadDiskFile`.
 * @example
 * await client.crm.item.add({ entityTypeId: 2, fields: { ufCrm_1_Doc: await filePair('a.pdf', bytes) } })
 */
export async function filePair(name: string, source: FileSource, options?: FileReadOptions): Promise<FilePair> {
  checkName(name)
  checkSource(source, 'source')
  let base64 = ''
  for await (const piece of base64Pieces(chunksOf(source, maxBytesOf(options)))) base64 += piece
  return [name, base64]
}

/**
 * `{ fileData: [name, base64] }`, the value of a file user field of `crm.deal.*` (and lead, contact, company),
 * built in memory like `filePair`.
 * @example
 * await client.crm.deal.update({ id: 7, fields: { UF_CRM_CONTRACT: await fileData('contract.pdf', bytes) } })
 */
export async function fileData(name: string, source: FileSource, options?: FileReadOptions): Promise<FileDataValue> {
  return { fileData: await filePair(name, source, options) }
}

/**
 * A file to be written into a request body as `[name, base64]` while it is read, by `sendWithFiles`: memory stays
 * at a chunk or two whatever the file's size. Use it wherever the method takes a pair (`fields.ufCrm…`,
 * `fileContent`) or inside `{ fileData: … }` for `crm.deal.*`. A stream source is read once.
 */
export class StreamedFile {
  /** The file name sent with the content. */
  readonly name: string
  /** The content. */
  readonly source: FileSource
  /** The largest size accepted, bytes. */
  readonly maxBytes: number

  constructor(name: string, source: FileSource, options?: FileReadOptions) {
    checkName(name)
    checkSource(source, 'source')
    this.name = name
    this.source = source
    this.maxBytes = maxBytesOf(options)
  }

  /** The Base64 text of the content, piece by piece. */
  base64(): AsyncGenerator<string> {
    return base64Pieces(chunksOf(this.source, this.maxBytes))
  }

  /** A printable form: the name only. */
  toJSON(): { type: 'StreamedFile'; name: string } {
    return { type: 'StreamedFile', name: this.name }
  }
}

/**
 * `new StreamedFile(name, source, options)`: a file sent as `[name, base64]` by `sendWithFiles`, streamed.
 * @example
 * await sendWithFiles(client, 'crm.deal.update', {
 *   id: 7,
 *   fields: { UF_CRM_CONTRACT: { fileData: streamedFile('contract.pdf', createReadStream('contract.pdf')) } },
 * })
 */
export function streamedFile(name: string, source: FileSource, options?: FileReadOptions): StreamedFile {
  return new StreamedFile(name, source, options)
}
