/**
 * What a file can be given as, read chunk by chunk: bytes, a `Blob` (or `File`), a web `ReadableStream`, or any
 * async iterable of bytes (a Node `Readable` such as `fs.createReadStream(path)` is one). Nothing here holds more
 * than one chunk of a stream.
 */
import { BitrixFileTooLarge } from '../errors/file-size.js'
import { BitrixValidationError, describeValue } from '../errors/index.js'

/**
 * A file's content: `Uint8Array` (a Node `Buffer` is one), `ArrayBuffer`, `Blob` / `File`, a web
 * `ReadableStream<Uint8Array>`, or an async iterable of byte chunks such as a Node `Readable`
 * (`fs.createReadStream(path)`). Streams are read once, as they are sent.
 */
export type FileSource = Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

/** The size of a source when it is known without reading it: bytes and blobs; streams are unknown. */
export function knownSize(source: FileSource): number | undefined {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return source.byteLength
  if (isBlob(source)) return source.size
  return undefined
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof ReadableStream !== 'undefined' && value instanceof ReadableStream
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function'
  )
}

/** Throws a `BitrixValidationError` naming `parameter` unless `source` is a `FileSource`. */
export function checkSource(source: unknown, parameter: string): asserts source is FileSource {
  const ok =
    source instanceof Uint8Array ||
    source instanceof ArrayBuffer ||
    isBlob(source) ||
    isReadableStream(source) ||
    isAsyncIterable(source)
  if (!ok) {
    throw new BitrixValidationError({
      parameter,
      expected: 'Uint8Array, Buffer, ArrayBuffer, Blob, ReadableStream or a Node Readable',
      received: source,
      message: `${parameter} must be the file's bytes (Uint8Array, Buffer, ArrayBuffer), a Blob, a ReadableStream or a Node Readable; received ${describeValue(source)}`,
    })
  }
}

const encoder = new TextEncoder()

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk)
  if (typeof chunk === 'string') return encoder.encode(chunk) // a Node Readable with an encoding set
  throw new BitrixValidationError({
    parameter: 'source',
    expected: 'byte chunks',
    received: chunk,
    message: `a file stream yielded ${describeValue(chunk)}, not bytes`,
  })
}

const BLOB_SLICE = 1 << 20

async function* readStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  let done = false
  try {
    while (!done) {
      const next = await reader.read()
      done = next.done
      if (!next.done) yield toBytes(next.value)
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined)
    reader.releaseLock()
  }
}

/**
 * The source's bytes chunk by chunk; fails with `BitrixFileTooLarge` (direction `upload`) as soon as more than
 * `maxBytes` have come, and before reading anything when the size is known to be larger.
 */
export async function* chunksOf(source: FileSource, maxBytes = Number.POSITIVE_INFINITY): AsyncGenerator<Uint8Array> {
  const size = knownSize(source)
  if (size !== undefined && size > maxBytes) {
    throw new BitrixFileTooLarge({ direction: 'upload', limit: maxBytes, received: size })
  }
  let seen = 0
  const counted = (chunk: Uint8Array): Uint8Array => {
    seen += chunk.byteLength
    if (seen > maxBytes) throw new BitrixFileTooLarge({ direction: 'upload', limit: maxBytes, received: seen })
    return chunk
  }
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    yield counted(toBytes(source))
  } else if (isBlob(source)) {
    for (let at = 0; at < source.size; at += BLOB_SLICE) {
      yield counted(new Uint8Array(await source.slice(at, at + BLOB_SLICE).arrayBuffer()))
    }
  } else if (isReadableStream(source)) {
    for await (const chunk of readStream(source)) yield counted(chunk)
  } else {
    for await (const chunk of source) yield counted(toBytes(chunk))
  }
}
