/**
 * An app page inside the Bitrix24 portal: `initFrame()` asks the parent window for the launch data (portal,
 * token, member ID, placement and its options, language) and returns a `BitrixFrame` with the BX24.js functions
 * and `credentials` for a `Client`, whose calls go to the portal with the frame's token and renew it through
 * the parent when it expires.
 */
import { BitrixValidationError } from '../errors/index.js'
import { BitrixFrameCredentials, type FrameAuthInfo } from './credentials.js'
import {
  listOf,
  readSelectedCrm,
  type SelectCrmOptions,
  type SelectedAccess,
  type SelectedCrm,
  type SelectedUser,
} from './dialogs.js'
import { BitrixFrameError } from './errors.js'
import { type FrameInitData, type FrameOptionValues, readAuth, readInitData } from './init-data.js'
import { type FrameLaunch, readLaunch } from './launch.js'
import { type FrameHost, ParentMessenger } from './messenger.js'

/** Options of `initFrame`. */
export interface InitFrameOptions {
  /** Seconds to wait for the parent's launch data before failing with `NO_ANSWER`. Default 10. */
  timeout?: number
}

/** Commands the portal may leave unanswered (resize, title, …) resolve after this long. */
const UNANSWERED_MS = 1_000
const REFRESH_TIMEOUT_MS = 10_000

/** The placement the app was opened in (BX24.placement.*). */
export class FramePlacement {
  readonly #messenger: ParentMessenger
  /** Placement code, e.g. `CRM_DEAL_DETAIL_TAB`; `DEFAULT` for the app's own page. */
  readonly name: string
  /** `PLACEMENT_OPTIONS`: what the placement passes, e.g. `{ ID: '12' }` for a deal tab. */
  readonly options: Readonly<Record<string, unknown>>

  /** @internal made by `initFrame()` */
  constructor(messenger: ParentMessenger, name: string, options: Record<string, unknown>) {
    this.#messenger = messenger
    this.name = name
    this.options = Object.freeze({ ...options })
  }

  /** BX24.placement.info(). */
  info(): { placement: string; options: Readonly<Record<string, unknown>> } {
    return { placement: this.name, options: this.options }
  }

  /** BX24.placement.getInterface(): the commands and events this placement offers. */
  async getInterface(): Promise<{ command: string[]; event: string[] }> {
    const answer = (await this.#messenger.send('getInterface', undefined, { timeoutMs: REFRESH_TIMEOUT_MS })) as {
      command?: unknown
      event?: unknown
    } | null
    return { command: listOf<string>(answer?.command), event: listOf<string>(answer?.event) }
  }

  /** BX24.placement.call(command, params): a placement command; resolves with the placement's answer. */
  call(command: string, params?: Record<string, unknown> | string): Promise<unknown> {
    if (typeof command !== 'string' || command === '') throw invalid('command', 'a placement command name')
    return this.#messenger.send(command, params, { timeoutMs: UNANSWERED_MS, optional: true })
  }

  /** BX24.placement.bindEvent(event, handler): `handler` runs each time the placement fires it; returns an unbind. */
  bind(event: string, handler: (payload: unknown) => void): () => void {
    if (typeof event !== 'string' || event === '') throw invalid('event', 'a placement event name')
    return this.#messenger.subscribe('placementBindEvent', { event }, handler)
  }
}

/** An initialised app page: its launch data, credentials for a `Client`, and the BX24.js functions. */
export class BitrixFrame {
  readonly #messenger: ParentMessenger
  readonly #appOptions: FrameOptionValues
  readonly #userOptions: FrameOptionValues
  #installMode: boolean
  /** Signs REST calls: `new Client(frame.credentials)`. */
  readonly credentials: BitrixFrameCredentials
  readonly placement: FramePlacement
  /** The app's session ID in the portal page (`APP_SID`). */
  readonly appSid: string
  /** Interface language, e.g. `en`. */
  readonly lang: string
  readonly isAdmin: boolean
  /** The first open after installation. */
  readonly isFirstRun: boolean

  /** @internal use `initFrame()` */
  constructor(messenger: ParentMessenger, launch: FrameLaunch, data: FrameInitData) {
    this.#messenger = messenger
    this.appSid = launch.appSid
    this.lang = launch.lang ?? data.lang ?? 'en'
    this.isAdmin = data.isAdmin
    this.isFirstRun = data.firstRun
    this.#installMode = data.install
    this.#appOptions = { ...data.appOptions }
    this.#userOptions = { ...data.userOptions }
    this.placement = new FramePlacement(messenger, data.placement, data.placementOptions)
    this.credentials = new BitrixFrameCredentials({
      domain: launch.domain,
      scheme: launch.scheme,
      memberId: data.memberId,
      auth: data.auth,
      askParent: async () =>
        readAuth(await messenger.send('refreshAuth', undefined, { timeoutMs: REFRESH_TIMEOUT_MS }), 'refreshAuth'),
    })
  }

  /** Portal `host[:port]` (BX24.getDomain()). */
  get domain(): string {
    return this.credentials.domain
  }

  /** The portal's `member_id`. */
  get memberId(): string {
    return this.credentials.memberId
  }

  /** Opened as the installer (BX24.isInstall / the `INSTALL` flag) and `installFinish()` not called yet. */
  get isInstallMode(): boolean {
    return this.#installMode
  }

  /** BX24.getAuth(): the current token, or `false` once it has expired. */
  getAuth(): FrameAuthInfo | false {
    return this.credentials.getAuth()
  }

  /** BX24.refreshAuth(): a fresh token from the parent. */
  async refreshAuth(): Promise<FrameAuthInfo> {
    await this.credentials.refresh()
    const auth = this.credentials.getAuth()
    if (!auth) throw new BitrixFrameError('BAD_ANSWER', 'refreshAuth: the parent sent a token that has expired')
    return auth
  }

  /** BX24.resizeWindow(width, height): the app's frame size in pixels. */
  async resizeWindow(width: number, height: number): Promise<void> {
    if (!(Number.isFinite(width) && width > 0)) throw invalid('width', 'a positive number of pixels', width)
    if (!(Number.isFinite(height) && height > 0)) throw invalid('height', 'a positive number of pixels', height)
    await this.#notify('resizeWindow', { width, height })
  }

  /** BX24.fitWindow(): the frame as tall as the page's content, full width. */
  async fitWindow(): Promise<void> {
    await this.#notify('resizeWindow', { width: '100%', height: this.getScrollSize().scrollHeight })
  }

  /** BX24.getScrollSize(): the page's content size. */
  getScrollSize(): { scrollWidth: number; scrollHeight: number } {
    const root = globalThis.document?.documentElement
    return { scrollWidth: root?.scrollWidth ?? 0, scrollHeight: root?.scrollHeight ?? 0 }
  }

  /** BX24.setTitle(title): the portal page's title. */
  async setTitle(title: string): Promise<void> {
    await this.#notify('setTitle', { title: String(title) })
  }

  /** BX24.reloadWindow(). */
  async reloadWindow(): Promise<void> {
    await this.#notify('reloadWindow')
  }

  /** BX24.scrollParentWindow(scroll): scrolls the portal page to `scroll` pixels. */
  async scrollParentWindow(scroll: number): Promise<void> {
    if (!Number.isInteger(scroll)) throw invalid('scroll', 'an integer number of pixels', scroll)
    await this.#notify('setScroll', { scroll: Math.max(0, scroll) })
  }

  /** BX24.openPath(path): opens a portal page (`/crm/deal/details/12/`) in a slider; resolves when it closes. */
  openPath(path: string): Promise<unknown> {
    if (typeof path !== 'string' || !path.startsWith('/')) throw invalid('path', 'a portal path starting with /', path)
    return this.#messenger.send('openPath', { path })
  }

  /** BX24.openApplication(params): opens the app itself in a slider, `params` reach it as `PLACEMENT_OPTIONS`. */
  openApplication(params: Record<string, unknown> = {}): Promise<unknown> {
    return this.#messenger.send('openApplication', params)
  }

  /** BX24.closeApplication(): closes the slider the app is open in. */
  async closeApplication(): Promise<void> {
    await this.#notify('closeApplication')
  }

  /** BX24.selectUser(): one user picked in the portal's dialog, or `undefined` when it was closed. */
  async selectUser(): Promise<SelectedUser | undefined> {
    const answer = await this.#messenger.send('selectUser', { mult: false })
    return typeof answer === 'object' && answer !== null && !Array.isArray(answer)
      ? (answer as SelectedUser)
      : undefined
  }

  /** BX24.selectUsers(): the users picked (empty when the dialog was closed). */
  async selectUsers(): Promise<SelectedUser[]> {
    return listOf<SelectedUser>(await this.#messenger.send('selectUser', { mult: true }))
  }

  /** BX24.selectAccess(blocked): access codes picked; `blocked` ones are not offered. */
  async selectAccess(blocked: readonly string[] = []): Promise<SelectedAccess[]> {
    return listOf<SelectedAccess>(await this.#messenger.send('selectAccess', { value: [...blocked] }))
  }

  /** BX24.selectCRM(options): CRM records picked, by type. */
  async selectCRM(options: SelectCrmOptions = {}): Promise<SelectedCrm> {
    const { entityType, multiple, value } = options
    return readSelectedCrm(await this.#messenger.send('selectCRM', { entityType, multiple, value }))
  }

  /** BX24.appOption.get(name): an app-wide option as the portal sent it at launch or as set since. */
  appOption(name: string): unknown {
    return this.#appOptions[name]
  }

  /** BX24.appOption.set(name, value): stored by the portal for every user (administrators only). */
  async setAppOption(name: string, value: unknown): Promise<void> {
    this.#appOptions[name] = value
    await this.#notify('setAppOption', { name, value })
  }

  /** BX24.userOption.get(name). */
  userOption(name: string): unknown {
    return this.#userOptions[name]
  }

  /** BX24.userOption.set(name, value): stored by the portal for the current user. */
  async setUserOption(name: string, value: unknown): Promise<void> {
    this.#userOptions[name] = value
    await this.#notify('setUserOption', { name, value })
  }

  /** BX24.installFinish(): the installer is done; the portal reloads the app as installed. */
  async installFinish(): Promise<void> {
    if (!this.#installMode) {
      throw new BitrixFrameError('INSTALL_FINISHED', 'installFinish: the app is not in its installation run')
    }
    this.#installMode = false
    await this.#notify('setInstallFinish')
  }

  /** Stops listening to the parent; waiting commands fail with `CLOSED`. */
  close(): void {
    this.#messenger.close()
  }

  #notify(command: string, params?: Record<string, unknown>): Promise<unknown> {
    return this.#messenger.send(command, params, { timeoutMs: UNANSWERED_MS, optional: true })
  }
}

function invalid(parameter: string, expected: string, received?: unknown): BitrixValidationError {
  return new BitrixValidationError({
    message: `${parameter} must be ${expected}`,
    parameter,
    expected,
    received: received === undefined ? undefined : typeof received,
  })
}

/**
 * Initialises the app page from the parent window (BX24.init). Fails at once with `BitrixFrameError`
 * (`NOT_IN_FRAME`) outside a portal frame, and with `NO_ANSWER` when the parent does not answer in `timeout`.
 */
export async function initFrame(options: InitFrameOptions = {}): Promise<BitrixFrame> {
  const timeout = options.timeout ?? 10
  if (!(Number.isFinite(timeout) && timeout > 0)) throw invalid('timeout', 'a positive number of seconds', timeout)
  const page = (globalThis as { window?: Window }).window
  const inFrame = page !== undefined && page.parent !== undefined && page.parent !== page
  const launch = readLaunch(inFrame ? page.name : '', inFrame ? page.location.search : '', inFrame)
  const messenger = new ParentMessenger(page as unknown as FrameHost, launch.parentOrigin, launch.appSid)
  try {
    const data = readInitData(await messenger.send('getInitData', undefined, { timeoutMs: timeout * 1000 }))
    const frame = new BitrixFrame(messenger, launch, data)
    if (data.firstRun) messenger.send('setInstall', { install: true }, { timeoutMs: UNANSWERED_MS, optional: true })
    return frame
  } catch (error) {
    messenger.close()
    throw error
  }
}
