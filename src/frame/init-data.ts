/**
 * The parent's answer to `getInitData` (and the auth part of `refreshAuth`), checked and turned into named fields.
 * Field names as the portal sends them: `AUTH_ID`, `AUTH_EXPIRES` (seconds), `REFRESH_ID`, `MEMBER_ID`, `LANG`,
 * `PLACEMENT`, `PLACEMENT_OPTIONS`, `IS_ADMIN`, `INSTALL`, `FIRST_RUN`, `APP_OPTIONS`, `USER_OPTIONS`.
 */
import type { FrameAuth } from './credentials.js'
import { BitrixFrameError } from './errors.js'

export type FrameOptionValues = Record<string, unknown>

export interface FrameInitData {
  auth: FrameAuth
  memberId: string
  lang: string | undefined
  placement: string
  placementOptions: Record<string, unknown>
  isAdmin: boolean
  install: boolean
  firstRun: boolean
  appOptions: FrameOptionValues
  userOptions: FrameOptionValues
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
}

/** PHP sends `true`/`false`, `'Y'`/`'N'`, `1`/`0` or their strings for flags. */
function flag(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'Y' || value === 'y'
}

/** An options object; PHP sends an empty one as `[]`, a JSON string in some placements. */
function options(value: unknown): Record<string, unknown> {
  if (typeof value === 'string' && value !== '') {
    try {
      return options(JSON.parse(value))
    } catch {
      return {}
    }
  }
  return Array.isArray(value) ? { ...value } : (record(value) ?? {})
}

/** `AUTH_ID`, `REFRESH_ID`, `AUTH_EXPIRES` of an answer, with the expiry on this page's clock. */
export function readAuth(answer: unknown, command: string): FrameAuth {
  const data = record(answer)
  const accessToken = data?.AUTH_ID
  const expiresIn = Number(data?.AUTH_EXPIRES)
  if (typeof accessToken !== 'string' || accessToken === '' || !(expiresIn > 0)) {
    throw new BitrixFrameError('BAD_ANSWER', `${command}: the parent's answer has no AUTH_ID and AUTH_EXPIRES`, command)
  }
  const refreshToken = typeof data?.REFRESH_ID === 'string' ? data.REFRESH_ID : ''
  return { accessToken, refreshToken, expiresAt: Date.now() + expiresIn * 1000 }
}

export function readInitData(answer: unknown): FrameInitData {
  const auth = readAuth(answer, 'getInitData')
  const data = record(answer) ?? {}
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined)
  return {
    auth,
    memberId: text(data.MEMBER_ID) ?? text(data.member_id) ?? '',
    lang: text(data.LANG),
    placement: text(data.PLACEMENT) ?? 'DEFAULT',
    placementOptions: options(data.PLACEMENT_OPTIONS),
    isAdmin: flag(data.IS_ADMIN),
    install: flag(data.INSTALL),
    firstRun: flag(data.FIRST_RUN),
    appOptions: options(data.APP_OPTIONS),
    userOptions: options(data.USER_OPTIONS),
  }
}
