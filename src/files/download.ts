/**
 * Downloads of the links the portal returns (`DOWNLOAD_URL` of `disk.file.get`, `urlMachine` of `crm.item.get`,
 * `downloadUrl` of a `crm.deal.get` file field), as a stream with a size limit.
 */
import { BitrixFileTooLarge } from '../errors/file-size.js'
import { type FileReadOptions, maxBytesOf } from './file-data.js'
import { type FileClient, type TransferOptions, transfer } from './transfer.js'

/** Options of `downloadFile`. */
export interface DownloadOptions extends FileReadOptions, TransferOptions {}

/** A download in progress: the body as a web stream, and what the response says about the file. */
export interface FileDownload {
  /**
   * The file's bytes, read as they are consumed (`for await`, `pipeTo`, or on Node
   * `Readable.fromWeb(download.body)`). Errors with `BitrixFileTooLarge` when more than `maxBytes` arrive.
   */
  body: ReadableStream<Uint8Array>
  /** `Content-Length`, when the portal sent one. */
  size: number | undefined
  /** The file name from `Content-Disposition`, when the portal sent one. */
  name: string | undefined
  /** `Content-Type`, when the portal sent one. */
  contentType: string | undefined
}

function fileNameOf(disposition: string | null): string | undefined {
  if (!disposition) return undefined
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition)
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim())
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/.exec(disposition)
  if (!plain) return undefined
  return plain[1] === undefined ? plain[2].trim() : plain[1].replace(/\\(.)/g, '$1')
}

/** `body` passed through, failing with `BitrixFileTooLarge` once more than `maxBytes` have come. */
function capped(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let seen = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read()
      if (done) {
        controller.close()
        return
      }
      seen += value.byteLength
      if (seen > maxBytes) {
        await reader.cancel().catch(() => undefined)
        controller.error(new BitrixFileTooLarge({ direction: 'download', limit: maxBytes, received: seen }))
        return
      }
      controller.enqueue(value)
    },
    cancel(reason) {
      return reader.cancel(reason)
    },
  })
}

/**
 * Opens a download of a file link the portal returned. Credentials go only to the portal's own origin (see
 * `signFileUrl`): with OAuth the current access token replaces the link's `auth`, with a webhook a `/rest/…` link
 * is sent through the webhook's path; a link to another host is fetched without any. An OAuth link refused as
 * expired is retried once with a renewed token. The body is not read until consumed.
 * @example
 * const file = await client.disk.file.get({ id: 42 })
 * const download = await downloadFile(client, String(file.result.DOWNLOAD_URL), { maxBytes: 50 * 1024 * 1024 })
 * await pipeline(Readable.fromWeb(download.body), createWriteStream('copy.bin'))   // Node
 */
export async function downloadFile(
  client: FileClient,
  url: string,
  options: DownloadOptions = {},
): Promise<FileDownload> {
  const maxBytes = maxBytesOf(options)
  const response = await transfer(client, { url, method: 'download', httpMethod: 'GET', replayable: true }, options)
  client.limiter.record(['download'], {})
  const length = response.headers.get('content-length')
  const size = length === null || !/^\d+$/.test(length) ? undefined : Number(length)
  if (size !== undefined && size > maxBytes) {
    await response.body?.cancel().catch(() => undefined)
    throw new BitrixFileTooLarge({ direction: 'download', limit: maxBytes, received: size })
  }
  const body = response.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() })
  return {
    body: capped(body, maxBytes),
    size,
    name: fileNameOf(response.headers.get('content-disposition')),
    contentType: response.headers.get('content-type') ?? undefined,
  }
}
