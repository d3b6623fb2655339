/**
 * Randomness for secrets, tokens and fault probabilities: crypto-random by default, or a reproducible stream
 * (SHA-256 in counter mode) when the emulator is given a `randomSeed`.
 */
import { createHash, randomBytes } from 'node:crypto'

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'
const ALNUM_MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

export class RandomSource {
  private counter = 0

  constructor(private readonly seed?: number) {}

  bytes(length: number): Buffer {
    if (this.seed === undefined) return randomBytes(length)
    const chunks: Buffer[] = []
    let size = 0
    while (size < length) {
      const chunk = createHash('sha256')
        .update(`b24tssdk-emulator:${this.seed}:${this.counter++}`)
        .digest()
      chunks.push(chunk)
      size += chunk.length
    }
    return Buffer.concat(chunks).subarray(0, length)
  }

  hex(length: number): string {
    return this.bytes(Math.ceil(length / 2))
      .toString('hex')
      .slice(0, length)
  }

  fromAlphabet(length: number, alphabet: string = ALNUM): string {
    // 256 % 36 and 256 % 62 bias is irrelevant for test credentials.
    return [...this.bytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('')
  }

  alnumMixed(length: number): string {
    return this.fromAlphabet(length, ALNUM_MIXED)
  }

  /** A float in [0, 1). */
  float(): number {
    return this.bytes(6).readUIntBE(0, 6) / 2 ** 48
  }
}
