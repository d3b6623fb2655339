/**
 * Base64 of a byte stream, piece by piece: the 0–2 bytes that do not fill a 3-byte group wait for the next chunk,
 * so the pieces joined are exactly the Base64 of the whole. No runtime dependency: `Buffer` where it exists (Node,
 * Bun, Deno), `btoa` elsewhere.
 */

/** Bytes per encoded piece: a multiple of 3, small enough for `String.fromCharCode(...)` everywhere. */
const PIECE = 3 * 8192

interface NodeBufferLike {
  from(buffer: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64'): string }
}

const nodeBuffer = (globalThis as { Buffer?: NodeBufferLike }).Buffer

/** Base64 of `bytes` (any length). */
export function encodeBase64(bytes: Uint8Array): string {
  if (nodeBuffer) return nodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  let out = ''
  for (let at = 0; at < bytes.length; at += PIECE) {
    out += btoa(String.fromCharCode(...bytes.subarray(at, at + PIECE)))
  }
  return out
}

/** The Base64 text of a byte stream, in pieces of at most about 4/3 of a chunk. */
export async function* base64Pieces(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let carry = new Uint8Array(0)
  for await (const chunk of chunks) {
    const joined = carry.length === 0 ? chunk : concat(carry, chunk)
    const whole = joined.length - (joined.length % 3)
    if (whole > 0) yield encodeBase64(joined.subarray(0, whole))
    carry = joined.slice(whole)
  }
  if (carry.length > 0) yield encodeBase64(carry)
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/** Length of the Base64 text of `size` bytes. */
export function base64Length(size: number): number {
  return Math.ceil(size / 3) * 4
}
