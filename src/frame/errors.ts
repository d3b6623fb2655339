/** Errors of the frame client (`b24tssdk/frame`). */
import { BitrixError, type BitrixErrorJSON } from '../errors/index.js'

/**
 * Why the frame client could not do what was asked:
 * - `NOT_IN_FRAME`: the page is not an app page inside a Bitrix24 portal (no parent window, or no `DOMAIN` /
 *   `APP_SID` from the portal in `window.name` or the query string);
 * - `NO_ANSWER`: the parent window did not answer a command in time;
 * - `BAD_ANSWER`: the parent answered with something that is not the documented payload;
 * - `CLOSED`: the frame client was closed while the command was waiting;
 * - `INSTALL_FINISHED`: `installFinish()` outside the installation run.
 */
export type BitrixFrameErrorCode = 'NOT_IN_FRAME' | 'NO_ANSWER' | 'BAD_ANSWER' | 'CLOSED' | 'INSTALL_FINISHED'

export class BitrixFrameError extends BitrixError {
  override readonly name: string = 'BitrixFrameError'
  readonly code: BitrixFrameErrorCode
  /** The frame command that failed, e.g. `getInitData`; undefined when none was sent. */
  readonly command: string | undefined

  constructor(code: BitrixFrameErrorCode, message: string, command?: string) {
    super(message)
    this.code = code
    this.command = command
  }

  override toJSON(): BitrixErrorJSON {
    return { ...super.toJSON(), code: this.code, command: this.command }
  }
}
