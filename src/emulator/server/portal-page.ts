/**
 * The portal page that hosts an app in an iframe: `GET /marketplace/view/{clientId}/?handler=URL`, as the portal's
 * `/marketplace/view/APP_CODE/` opens an app. It launches the handler as the portal does (an iframe named
 * `DOMAIN|PROTOCOL|APP_SID`, a form POST of the launch data to `handler?DOMAIN=…&PROTOCOL=…&LANG=…&APP_SID=…`) and
 * answers the frame protocol the app speaks over `postMessage`: init data, auth refresh, resize, title, scroll,
 * slider and path opening, the selection dialogs (scripted answers), placement commands, events and options.
 *
 * Query: `handler` (the app URL, required), `placement` (default `DEFAULT`), `params[KEY]=VALUE` (→
 * `PLACEMENT_OPTIONS`), `answers` (JSON: what the dialogs and placement commands answer, by command name:
 * `selectUser`, `selectUsers`, `selectAccess`, `selectCRM`, `getInterface`, `openPath`, any placement command),
 * `user` (default 1), `lang` (default `en`), `install=Y` (installer run), `firstRun=Y`.
 *
 * `POST` to the same address with `{ "refresh_token": … }` is the page's own refresh (the portal renews through the
 * user's session; here the app's refresh token is rotated). In the page, `window.emulatorPortal` exposes the log of
 * commands received (`log`), `fire(event, payload)` for placement events, and the app's options.
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { AppRecord } from './auth.js'
import { readBody } from './body.js'
import type { OAuthEnv } from './oauth.js'
import { sendBody, writeRaw } from './respond.js'

/** What a dialog answers when the page was given no scripted answer. */
const DEFAULT_USER = {
  id: '1',
  name: 'Portal Administrator',
  photo: '',
  position: '',
  url: '/company/personal/user/1/',
}
const DEFAULT_ANSWERS: Record<string, unknown> = {
  selectUser: DEFAULT_USER,
  selectUsers: [DEFAULT_USER],
  selectAccess: [],
  selectCRM: {},
  getInterface: { command: [], event: [] },
  openPath: { result: 'close' },
}

const MAX_REFRESH_BODY = 64 * 1024

interface PageConfig {
  clientId: string
  handler: string
  appSid: string
  protocol: 0 | 1
  lang: string
  user: number
  isAdmin: boolean
  placement: string
  placementOptions: Record<string, string>
  install: boolean
  firstRun: boolean
  answers: Record<string, unknown>
  auth: { AUTH_ID: string; REFRESH_ID: string; AUTH_EXPIRES: number }
  memberId: string
  status: string
  applicationToken: string
}

class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

const flag = (value: string | null) => value !== null && /^(y|yes|1|true)$/i.test(value)

function pageConfig(app: AppRecord, query: URLSearchParams, env: OAuthEnv, secure: boolean): PageConfig {
  const handler = query.get('handler') ?? ''
  let handlerUrl: URL
  try {
    handlerUrl = new URL(handler)
  } catch {
    throw new PageError(
      400,
      'handler must be the absolute http(s) URL of the app page, e.g. ?handler=http://127.0.0.1:3000/',
    )
  }
  if (!/^https?:$/.test(handlerUrl.protocol)) throw new PageError(400, 'handler must be an http(s) URL')
  let answers: Record<string, unknown> = {}
  const scripted = query.get('answers')
  if (scripted) {
    try {
      answers = JSON.parse(scripted) as Record<string, unknown>
    } catch {
      throw new PageError(400, 'answers must be JSON: {"selectUser": {...}, "selectCRM": {...}, ...}')
    }
    if (typeof answers !== 'object' || answers === null || Array.isArray(answers)) {
      throw new PageError(400, 'answers must be a JSON object keyed by command name')
    }
  }
  const user = Number(query.get('user') ?? 1)
  if (!Number.isInteger(user) || user < 1) throw new PageError(400, 'user must be a positive user ID')
  const placementOptions: Record<string, string> = {}
  for (const [key, value] of query) {
    const match = /^params\[([^\]]+)\]$/.exec(key)
    if (match) placementOptions[match[1]] = value
  }
  const tokens = env.credentials.issueTokens(app, user)
  return {
    clientId: app.clientId,
    handler: handlerUrl.href,
    appSid: randomBytes(16).toString('hex'),
    protocol: secure ? 1 : 0,
    lang: query.get('lang') ?? 'en',
    user,
    isAdmin: query.has('admin') ? flag(query.get('admin')) : user === 1,
    placement: query.get('placement') ?? 'DEFAULT',
    placementOptions,
    install: flag(query.get('install')),
    firstRun: flag(query.get('firstRun')),
    answers: { ...DEFAULT_ANSWERS, ...answers },
    auth: { AUTH_ID: tokens.accessToken, REFRESH_ID: tokens.refreshToken, AUTH_EXPIRES: tokens.expiresIn },
    memberId: env.memberId,
    status: app.status,
    applicationToken: app.applicationToken,
  }
}

/** JSON that is safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

/** The parent side of the frame protocol, run in the page. */
const PARENT_SCRIPT = `
const config = JSON.parse(document.getElementById('portal-config').textContent)
// Named before it is attached: the name is the browsing context's, which the launch form targets.
const frame = document.createElement('iframe')
frame.id = 'app-frame'
frame.title = 'application'
frame.name = [location.host, config.protocol, config.appSid].join('|')
document.querySelector('main').appendChild(frame)
const appOrigin = new URL(config.handler).origin
const portal = (window.emulatorPortal = {
  log: [],
  appOptions: {},
  userOptions: {},
  bindings: {},
  install: config.install,
  closed: false,
  fire(event, payload) {
    for (const callback of portal.bindings[event] || []) post(callback, payload)
  },
})
let auth = config.auth

function launch() {
  const target = new URL(config.handler)
  target.searchParams.set('DOMAIN', location.host)
  target.searchParams.set('PROTOCOL', String(config.protocol))
  target.searchParams.set('LANG', config.lang)
  target.searchParams.set('APP_SID', config.appSid)
  const fields = {
    AUTH_ID: auth.AUTH_ID, AUTH_EXPIRES: auth.AUTH_EXPIRES, REFRESH_ID: auth.REFRESH_ID,
    SERVER_ENDPOINT: location.origin + '/rest/', APPLICATION_TOKEN: config.applicationToken,
    member_id: config.memberId, status: config.status, PLACEMENT: config.placement,
    PLACEMENT_OPTIONS: JSON.stringify(config.placementOptions),
  }
  const form = document.createElement('form')
  form.method = 'POST'
  form.action = target.href
  form.target = frame.name
  form.style.display = 'none'
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement('input')
    input.type = 'hidden'
    input.name = name
    input.value = String(value)
    form.appendChild(input)
  }
  document.body.appendChild(form)
  form.submit()
  form.remove()
}

function post(callback, answer) {
  const text = answer === undefined ? callback : callback + ':' + JSON.stringify(answer)
  frame.contentWindow.postMessage(text, appOrigin)
}

/** 'cmd:params:callback:appSid' (params may hold ':'; absent when empty), or { method, params, callback, appSid }. */
function parse(data) {
  if (data && typeof data === 'object') return data
  if (typeof data !== 'string') return undefined
  const parts = data.split(':')
  if (parts.length < 3) return undefined
  const appSid = parts.pop()
  const callback = parts.pop()
  const method = parts.shift()
  const raw = parts.join(':')
  let params = raw
  if (raw !== '') {
    try { params = JSON.parse(raw) } catch { params = raw }
  }
  return { method, params, callback, appSid }
}

function initData() {
  return {
    DOMAIN: location.host, PROTOCOL: config.protocol, PATH: location.pathname, LANG: config.lang,
    AUTH_ID: auth.AUTH_ID, AUTH_EXPIRES: auth.AUTH_EXPIRES, REFRESH_ID: auth.REFRESH_ID,
    MEMBER_ID: config.memberId, IS_ADMIN: config.isAdmin, PLACEMENT: config.placement,
    PLACEMENT_OPTIONS: config.placementOptions, INSTALL: portal.install, FIRST_RUN: config.firstRun,
    APP_OPTIONS: portal.appOptions, USER_OPTIONS: portal.userOptions,
  }
}

async function refresh() {
  const response = await fetch(location.pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: auth.REFRESH_ID }),
  })
  if (!response.ok) throw new Error('refresh failed: HTTP ' + response.status)
  auth = await response.json()
  return { AUTH_ID: auth.AUTH_ID, AUTH_EXPIRES: auth.AUTH_EXPIRES, REFRESH_ID: auth.REFRESH_ID, MEMBER_ID: config.memberId }
}

const size = (value) => (typeof value === 'number' ? value + 'px' : String(value))

async function answer(method, params) {
  const scripted = config.answers
  switch (method) {
    case 'getInitData': return initData()
    case 'refreshAuth': return refresh()
    case 'resizeWindow':
      frame.style.width = size(params.width)
      frame.style.height = size(params.height)
      return undefined
    case 'setTitle':
      document.title = String(params.title)
      document.getElementById('portal-title').textContent = String(params.title)
      return undefined
    case 'setScroll': window.scrollTo(0, Number(params.scroll) || 0); return undefined
    case 'reloadWindow': launch(); return undefined
    case 'closeApplication': portal.closed = true; return undefined
    case 'selectUser': return params && params.mult ? scripted.selectUsers : scripted.selectUser
    case 'setAppOption': portal.appOptions[params.name] = params.value; return undefined
    case 'setUserOption': portal.userOptions[params.name] = params.value; return undefined
    case 'setInstallFinish': portal.install = false; return undefined
    case 'placementBindEvent': return undefined
    default: return scripted[method]
  }
}

window.addEventListener('message', async (event) => {
  if (event.source !== frame.contentWindow || event.origin !== appOrigin) return
  const message = parse(event.data)
  if (!message || message.appSid !== config.appSid) return
  portal.log.push({ command: message.method, params: message.params })
  if (message.method === 'placementBindEvent') {
    const name = message.params && message.params.event
    ;(portal.bindings[name] = portal.bindings[name] || []).push(message.callback)
    return
  }
  try {
    const result = await answer(message.method, message.params)
    if (message.callback) post(message.callback, result)
  } catch (error) {
    portal.log.push({ command: message.method, error: String(error) })
  }
})

launch()
`

function renderPage(config: PageConfig): string {
  return `<!doctype html>
<html lang="${escapeHtml(config.lang)}">
<head>
<meta charset="utf-8">
<title>Bitrix24 emulator</title>
<style>
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: #eef2f4; color: #333; }
header { background: #2fc6f6; color: #fff; padding: 10px 16px; display: flex; gap: 16px; align-items: baseline; }
header h1 { font-size: 18px; margin: 0; }
header span { opacity: 0.85; }
main { padding: 16px; }
#app-frame { border: 1px solid #c9d1d6; background: #fff; width: 100%; height: 400px; display: block; }
</style>
</head>
<body>
<header><h1 id="portal-title">${escapeHtml(config.clientId)}</h1><span>Bitrix24 emulator · ${escapeHtml(config.placement)}</span></header>
<main></main>
<script type="application/json" id="portal-config">${scriptJson(config)}</script>
<script>${PARENT_SCRIPT}</script>
</body>
</html>
`
}

/** Answers `/marketplace/view/{clientId}/`: the page (GET) or its token refresh (POST). */
export async function handlePortalPage(
  req: IncomingMessage,
  res: ServerResponse,
  clientId: string,
  query: string,
  env: OAuthEnv,
): Promise<void> {
  const app = env.credentials.getApp(clientId)
  if (req.method === 'POST') {
    const { body, tooLarge, aborted } = await readBody(req, MAX_REFRESH_BODY)
    if (aborted) return
    if (!app || tooLarge) {
      sendBody(res, 400, { error: 'invalid_request', error_description: 'Unknown application or request too large' })
      return
    }
    let refreshToken: unknown
    try {
      refreshToken = (JSON.parse(body.toString('utf8')) as { refresh_token?: unknown }).refresh_token
    } catch {
      refreshToken = undefined
    }
    const tokens = env.credentials.redeemRefreshToken(app, refreshToken)
    if (!tokens) {
      sendBody(res, 401, { error: 'invalid_grant', error_description: 'Invalid refresh token' })
      return
    }
    sendBody(res, 200, { AUTH_ID: tokens.accessToken, REFRESH_ID: tokens.refreshToken, AUTH_EXPIRES: tokens.expiresIn })
    return
  }
  req.resume()
  try {
    if (!app) throw new PageError(404, `No application with client id ${clientId}; create it with emu.createApp first`)
    const secure = (req.socket as TLSSocket).encrypted === true
    const html = renderPage(pageConfig(app, new URLSearchParams(query), env, secure))
    writeRaw(res, 200, html, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
  } catch (error) {
    if (!(error instanceof PageError)) throw error
    writeRaw(res, error.status, `${error.message}\n`, { 'Content-Type': 'text/plain; charset=utf-8' })
  }
}
