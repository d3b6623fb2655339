import { BitrixError } from './base.js'

/** What a `BitrixFileTooLarge` is built from. */
export interface BitrixFileTooLargeOptions {
  /** `upload` (a file sent to the portal) or `download` (a file read from it). */
  direction: 'upload' | 'download'
  /** The limit in bytes (`maxBytes` of the call). */
  limit: number
  /** Bytes seen when the limit was passed: the declared size, or what had been read so far. */
  received: number
}

/**
 * A file is larger than the call's `maxBytes`: an upload is stopped before the rest is sent (before anything is
 * sent when the size is known up front), a download before the rest is read.
 */
export class BitrixFileTooLarge extends BitrixError {
  override readonly name: string = 'BitrixFileTooLarge'
  /** `upload` or `download`. */
  readonly direction: 'upload' | 'download'
  /** The limit in bytes. */
  readonly limit: number
  /** Bytes seen when the limit was passed. */
  readonly received: number

  constructor(options: BitrixFileTooLargeOptions) {
    super(
      `the file to ${options.direction} is larger than maxBytes (${options.limit} bytes; ${options.received} bytes ` +
        `${options.direction === 'download' ? 'announced or read' : 'given or read'}): raise maxBytes or send a smaller file`,
    )
    this.direction = options.direction
    this.limit = options.limit
    this.received = options.received
  }

  override toJSON() {
    return { ...super.toJSON(), direction: this.direction, limit: this.limit, received: this.received }
  }
}
