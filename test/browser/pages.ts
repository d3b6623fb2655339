/**
 * The browser side of test/browser/chromium.test.ts: three small apps bundled for the browser with esbuild (no
 * externals, Node built-ins refused), and a loopback server that serves them on an origin of its own, as an app's
 * host would (GET and the portal's launch POST alike).
 *
 * - `plain`: a page, not in a frame, that lists deals over a webhook with the SDK;
 * - `frame`: an app page using `b24tssdk/frame`;
 * - `official`: the same app using the official JS SDK's frame client (`B24Frame` from @bitrix24/b24jssdk).
 *
 * Each app exposes its steps as `window.app.*` for the test to drive, and shows what it did on the page.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { build, type Plugin } from 'esbuild'

const ROOT = resolve(import.meta.dirname, '..', '..')
const SOURCE_TRANSPORT = resolve(ROOT, 'src/http/default-transport.ts')

/**
 * The sources as the package's `browser` condition resolves them: `#default-transport` is the fetch variant
 * (tsup.config.ts turns the Node variant's import into `#default-transport` in the build).
 */
const browserTransport: Plugin = {
  name: 'browser-default-transport',
  setup(builder) {
    builder.onResolve({ filter: /default-transport\.js$/ }, (args) =>
      resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts') === SOURCE_TRANSPORT
        ? { path: resolve(ROOT, 'src/http/default-transport.browser.ts') }
        : undefined,
    )
  },
}

const SHOW = `
const show = (text) => {
  const line = document.createElement('pre')
  line.textContent = text
  document.body.appendChild(line)
}
`

const PLAIN_APP = `
import { BitrixWebhook, Client } from './src/index.ts'
import { initFrame } from './src/frame/index.ts'
${SHOW}
window.app = {
  async listDeals(webhookUrl, allowInBrowser) {
    const client = new Client(BitrixWebhook.fromUrl(webhookUrl, { allowInBrowser }), { limiter: false })
    new Client(BitrixWebhook.fromUrl(webhookUrl, { allowInBrowser }), { limiter: false })
    const deals = await client.crm.deal.list({ select: ['ID', 'TITLE'] }).asList()
    show('Deals: ' + deals.map((deal) => deal.TITLE).join(', '))
    return deals.map((deal) => deal.TITLE)
  },
  async initOutsideFrame() {
    try {
      await initFrame({ timeout: 30 })
      return { resolved: true }
    } catch (error) {
      return { name: error.name, code: error.code, message: error.message }
    }
  },
}
`

const FRAME_APP = `
import { Client } from './src/index.ts'
import { initFrame } from './src/frame/index.ts'
${SHOW}
let frame
let client
window.app = {
  async init(timeout) {
    try {
      frame = await initFrame({ timeout })
    } catch (error) {
      return { name: error.name, code: error.code, message: error.message }
    }
    client = new Client(frame.credentials, { limiter: false })
    show('b24tssdk/frame on ' + frame.domain + ', placement ' + frame.placement.name)
    return { domain: frame.domain, memberId: frame.memberId, placement: frame.placement.name,
      options: frame.placement.options, lang: frame.lang, isAdmin: frame.isAdmin, hasToken: frame.getAuth() !== false }
  },
  async listDeals() {
    const response = await client.crm.deal.list({ select: ['ID', 'TITLE'] })
    show('Deals: ' + response.result.map((deal) => deal.TITLE).join(', '))
    return response.result.map((deal) => deal.TITLE)
  },
  async listDealsTogether(count) {
    const pages = await Promise.all(Array.from({ length: count }, () => client.crm.deal.list({ select: ['ID'] })))
    return pages.map((page) => page.result.length)
  },
  token: () => frame.getAuth().access_token,
  resize: (width, height) => frame.resizeWindow(width, height),
  setTitle: (title) => frame.setTitle(title),
  selectUser: () => frame.selectUser(),
  selectCRM: () => frame.selectCRM({ entityType: ['deal'] }),
  placementCall: (command, params) => frame.placement.call(command, params),
  bindEvent(event) {
    window.events = []
    frame.placement.bind(event, (payload) => window.events.push(payload))
  },
  async setAppOption(name, value) {
    await frame.setAppOption(name, value)
    return frame.appOption(name)
  },
}
`

const OFFICIAL_APP = `
import { initializeB24Frame } from '@bitrix24/b24jssdk'
${SHOW}
let b24
window.app = {
  async init() {
    b24 = await initializeB24Frame()
    show('@bitrix24/b24jssdk B24Frame on ' + b24.getTargetOrigin() + ', placement ' + b24.placement.placement)
    const auth = b24.auth.getAuthData()
    return { origin: b24.getTargetOrigin(), memberId: auth.member_id, placement: b24.placement.placement,
      options: b24.placement.options, lang: b24.getLang(), hasToken: Boolean(auth.access_token) }
  },
  async listDeals() {
    const response = await b24.actions.v2.call.make({ method: 'crm.deal.list', params: { select: ['ID', 'TITLE'] } })
    if (!response.isSuccess) throw new Error(response.getErrorMessages().join('; '))
    const titles = response.getData().result.map((deal) => deal.TITLE)
    show('Deals: ' + titles.join(', '))
    return titles
  },
  token: () => b24.auth.getAuthData().access_token,
  resize: (width, height) => b24.parent.resizeWindow(width, height),
  setTitle: (title) => b24.parent.setTitle(title),
  selectUser: () => b24.dialog.selectUser(),
}
`

export type AppName = 'plain' | 'frame' | 'official'

const SOURCES: Record<AppName, string> = { plain: PLAIN_APP, frame: FRAME_APP, official: OFFICIAL_APP }

/** Bundles one app for the browser: ESM, no externals; a Node built-in fails the build. */
export async function bundleApp(name: AppName): Promise<string> {
  const result = await build({
    stdin: { contents: SOURCES[name], resolveDir: ROOT, loader: 'ts', sourcefile: `${name}-app.ts` },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [browserTransport],
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  return result.outputFiles[0].text
}

const page = (name: AppName) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${name} app</title>
<style>body { font: 14px system-ui, sans-serif; margin: 12px; } pre { margin: 4px 0; }</style></head>
<body><h2>${name} app</h2><script type="module" src="/${name}.js"></script></body></html>`

export interface AppServer {
  /** `http://127.0.0.1:PORT` */
  url: string
  close(): Promise<void>
}

/** A parent that launches the frame app as the portal names it, then never answers (a page that is not a portal). */
const silentParent = (host: string) =>
  `<!doctype html><html><body><iframe name="${host}|0|silentappsid" src="/frame.html"></iframe></body></html>`

/** Serves `/{name}.html` (GET or POST) and `/{name}.js` for the given bundles, and `/silent-parent.html`. */
export async function serveApps(bundles: Partial<Record<AppName, string>>): Promise<AppServer> {
  const server: Server = createServer((req, res) => {
    req.resume()
    if (req.url === '/silent-parent.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(silentParent(req.headers.host ?? ''))
      return
    }
    const match = /^\/(\w+)\.(html|js)(\?|$)/.exec(req.url ?? '')
    const name = match?.[1] as AppName | undefined
    const bundle = name === undefined ? undefined : bundles[name]
    if (!match || bundle === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    const html = match[2] === 'html'
    res.writeHead(200, { 'content-type': html ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8' })
    res.end(html ? page(name as AppName) : bundle)
  })
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((closed) => server.close(() => closed())),
  }
}
