/**
 * A REST call whose JSON body carries files written as they are read: every `StreamedFile` in the parameters
 * becomes `["name","<base64>"]` in the body, the Base64 produced chunk by chunk as the connection takes it.
 */
import { BitrixValidationError, describeValue } from '../errors/index.js'
import { isRecord } from '../http/envelope.js'
import { BitrixResponse, parseTime } from '../requests/response.js'
import { bodyStream } from './body-stream.js'
import { StreamedFile } from './file-data.js'
import { knownSize } from './source.js'
import { envelopeOf, type FileClient, type TransferOptions, transfer } from './transfer.js'

/** Options of `sendWithFiles`. */
export interface SendWithFilesOptions extends TransferOptions {}

/** The JSON text of `params` split around the files: text, file, text, … */
function splitAroundFiles(params: Record<string, unknown>): { parts: string[]; files: StreamedFile[] } {
  const files: StreamedFile[] = []
  const nonce = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('')
  const marker = (index: number) => `\u0000b24file:${nonce}:${index}\u0000`
  // The holder's own value: JSON.stringify hands the replacer what `toJSON` made of it.
  const json = JSON.stringify(params, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key]
    if (!(original instanceof StreamedFile)) return value
    if (files.includes(original)) {
      throw new BitrixValidationError({
        parameter: original.name,
        message: `the streamed file "${original.name}" appears twice in the parameters; a stream is read once: make one StreamedFile per place`,
      })
    }
    files.push(original)
    return marker(files.length - 1)
  })
  const parts: string[] = []
  let rest = json
  for (let index = 0; index < files.length; index += 1) {
    const quoted = JSON.stringify(marker(index))
    const at = rest.indexOf(quoted)
    parts.push(rest.slice(0, at))
    rest = rest.slice(at + quoted.length)
  }
  parts.push(rest)
  return { parts, files }
}

async function* jsonPieces(parts: readonly string[], files: readonly StreamedFile[]): AsyncGenerator<string> {
  for (const [index, file] of files.entries()) {
    yield `${parts[index]}[${JSON.stringify(file.name)},"`
    yield* file.base64()
    yield '"]'
  }
  yield parts[files.length]
}

/**
 * Calls `method` with `params` sent as a JSON body in which each `StreamedFile` (from `streamedFile(name, source)`)
 * is written as `["name","<base64>"]` while its source is read: a 20 MB file costs a chunk of memory, not the
 * 27 MB of its Base64 text. For the `{ fileData: … }` form of `crm.deal.*` fields put the streamed file inside it.
 * The call waits in the client's limiter like any other; it is sent once (an OAuth token refused as expired is
 * renewed and the call resent only when every file is bytes or a Blob, which can be read again).
 * @example
 * const response = await sendWithFiles(client, 'crm.deal.update', {
 *   id: 7,
 *   fields: { UF_CRM_CONTRACT: { fileData: streamedFile('contract.pdf', createReadStream('contract.pdf')) } },
 * })
 */
export async function sendWithFiles<T = unknown>(
  client: FileClient,
  method: string,
  params: Record<string, unknown>,
  options: SendWithFilesOptions = {},
): Promise<BitrixResponse<T>> {
  if (typeof method !== 'string' || !/^[a-z0-9_.]+$/i.test(method)) {
    throw new BitrixValidationError({
      parameter: 'method',
      expected: 'a REST method name such as "crm.deal.update"',
      received: method,
    })
  }
  if (!isRecord(params)) {
    throw new BitrixValidationError({
      method,
      parameter: 'params',
      expected: 'an object of parameters',
      received: params,
      message: `${method}: params must be an object of the method's parameters; received ${describeValue(params)}`,
    })
  }
  const { parts, files } = splitAroundFiles(params)
  const replayable = files.every((file) => knownSize(file.source) !== undefined)
  const response = await transfer(
    client,
    {
      url: `${client.credentials.restUrl()}${method}.json`,
      method,
      httpMethod: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: () => bodyStream(jsonPieces(parts, files)),
      replayable,
    },
    options,
  )
  const envelope = await envelopeOf(client, response, method)
  return new BitrixResponse<T>(envelope.result as T, parseTime(envelope.time), envelope.total, envelope.next)
}
