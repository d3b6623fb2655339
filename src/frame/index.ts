/**
 * `b24tssdk/frame`: an app page inside the Bitrix24 portal (apps, placements, widgets).
 *
 * ```ts
 * import { Client } from 'b24tssdk'
 * import { initFrame } from 'b24tssdk/frame'
 * const frame = await initFrame()
 * const client = new Client(frame.credentials)
 * ```
 */
export { BitrixFrameCredentials, type FrameAuth, type FrameAuthInfo } from './credentials.js'
export type {
  CrmEntityType,
  SelectCrmOptions,
  SelectedAccess,
  SelectedCrm,
  SelectedCrmEntity,
  SelectedUser,
} from './dialogs.js'
export { BitrixFrameError, type BitrixFrameErrorCode } from './errors.js'
export { BitrixFrame, FramePlacement, type InitFrameOptions, initFrame } from './frame.js'
