/**
 * The REST 3.0 `Idempotency-Key`: what a valid key is. The portal stores a keyed write's answer for 24 hours and
 * answers a repeat of the same call from that store (`Idempotent-Replayed: true`).
 */
import { BitrixValidationError } from '../errors/index.js'

/** 1–255 printable ASCII characters (`api-reference/rest-v3.md`), without edge spaces a header would lose. */
const KEY = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/

/** Throws `BitrixValidationError` (nothing sent) for a key the portal would refuse. */
export function checkIdempotencyKey(key: unknown): asserts key is string {
  if (typeof key === 'string' && KEY.test(key)) return
  throw new BitrixValidationError({
    message: 'idempotencyKey must be 1 to 255 printable ASCII characters, such as a UUID',
    parameter: 'idempotencyKey',
    expected: 'string of 1-255 printable ASCII characters',
    received: typeof key === 'string' ? `a string of ${key.length} characters` : key,
  })
}
