/**
 * Acceptance of issue 12 in headless Chromium (Debian's `chromium`, driven by playwright-core; nothing downloaded):
 * - a plain page on its own loopback origin imports the browser bundle and lists deals from the emulator (CORS
 *   preflight and all); a webhook there warns once, or not at all when the caller opted in; `initFrame` outside a
 *   frame fails at once with a typed error;
 * - an app inside the emulator's portal page gets its init data, calls REST, survives an expired token through
 *   the parent's refresh, resizes itself and sets its title — with `b24tssdk/frame` and with the official JS
 *   SDK's `B24Frame`, so the emulated parent is checked against someone else's reading of the protocol too;
 * - dialogs and placement commands get the page's scripted answers.
 * Screenshots land in artifacts/browser/ (gitignored). Without chromium the suite is skipped, saying why.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { type Browser, chromium, type Frame, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { type AppName, type AppServer, bundleApp, serveApps } from './pages.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const HAS_CHROMIUM = existsSync(CHROMIUM)
if (!HAS_CHROMIUM) console.warn(`test/browser/chromium.test.ts skipped: no chromium at ${CHROMIUM} (set CHROMIUM_PATH)`)

const ARTIFACTS = resolve(import.meta.dirname, '..', '..', 'artifacts', 'browser')
const DEAL_COUNT = 3
const WAIT_MS = 15_000

let emu: Emulator
let apps: AppServer
let browser: Browser
let allTitles: string[]

beforeAll(async () => {
  if (!HAS_CHROMIUM) return
  mkdirSync(ARTIFACTS, { recursive: true })
  const names: AppName[] = ['plain', 'frame', 'official']
  const bundles = await Promise.all(names.map(bundleApp))
  apps = await serveApps(Object.fromEntries(names.map((name, index) => [name, bundles[index]])))
  emu = await startEmulator({ seed: { deals: DEAL_COUNT }, randomSeed: 12, realDelays: false, plan: 'off' })
  const response = await fetch(`${emu.webhookUrl}crm.deal.list?select[]=TITLE`)
  allTitles = ((await response.json()) as { result: Array<{ TITLE: string }> }).result.map((deal) => deal.TITLE)
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: WAIT_MS })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await apps?.close()
  await emu?.close()
})

/** A page whose console warnings are collected. */
async function openPage(): Promise<{ page: Page; warnings: string[] }> {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } })
  page.setDefaultTimeout(WAIT_MS)
  const warnings: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text())
  })
  return { page, warnings }
}

async function openApp(page: Page, name: AppName): Promise<void> {
  await page.goto(`${apps.url}/${name}.html`)
  await page.waitForFunction(() => 'app' in window)
}

/** The portal page hosting `name`, and the app's frame once its script is ready. */
async function openInPortal(page: Page, name: AppName, query: Record<string, string> = {}): Promise<Frame> {
  const app = emu.createApp({ scopes: ['crm', 'placement', 'user'] })
  const search = new URLSearchParams({ handler: `${apps.url}/${name}.html`, ...query })
  await page.goto(`${emu.url}/marketplace/view/${app.clientId}/?${search}`)
  const handle = await page.waitForSelector('#app-frame')
  const frame = await handle.contentFrame()
  if (!frame) throw new Error('the portal page has no app frame')
  await frame.waitForFunction(() => 'app' in window)
  return frame
}

/** Calls `window.app[step](...args)` in the page or frame. */
function step<T>(target: Page | Frame, name: string, ...args: unknown[]): Promise<T> {
  return target.evaluate(
    ([step, stepArgs]) =>
      (window as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>).app[step](...stepArgs),
    [name, args] as const,
  ) as Promise<T>
}

const portalLog = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { emulatorPortal: { log: Array<{ command: string }> } }).emulatorPortal.log.map(
      (entry) => entry.command,
    ),
  )

describe.skipIf(!HAS_CHROMIUM)('headless Chromium', { timeout: 120_000 }, () => {
  it('a plain page lists deals from the emulator over CORS; its webhook warns once', async () => {
    const { page, warnings } = await openPage()
    try {
      await openApp(page, 'plain')
      const titles = await step<string[]>(page, 'listDeals', emu.webhookUrl, false)
      expect(titles).toEqual(allTitles)
      expect(titles).toHaveLength(DEAL_COUNT)
      expect(warnings.filter((text) => text.includes('webhook is used in a browser'))).toHaveLength(1)
      expect(warnings.join('\n')).not.toContain(emu.webhookUrl.split('/').at(-2))
      await page.screenshot({ path: resolve(ARTIFACTS, 'plain-page.png') })
    } finally {
      await page.close()
    }
  })

  it('a webhook the caller allowed in the browser does not warn', async () => {
    const { page, warnings } = await openPage()
    try {
      await openApp(page, 'plain')
      expect(await step<string[]>(page, 'listDeals', emu.webhookUrl, true)).toEqual(allTitles)
      expect(warnings.filter((text) => text.includes('webhook'))).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('initFrame outside a frame fails at once with BitrixFrameError NOT_IN_FRAME', async () => {
    const { page } = await openPage()
    try {
      await openApp(page, 'plain')
      const outcome = await step<{ name?: string; code?: string }>(page, 'initOutsideFrame')
      expect(outcome).toMatchObject({ name: 'BitrixFrameError', code: 'NOT_IN_FRAME' })
    } finally {
      await page.close()
    }
  })

  it('initFrame under a parent that never answers fails with NO_ANSWER after its timeout', async () => {
    const { page } = await openPage()
    try {
      await page.goto(`${apps.url}/silent-parent.html`)
      const handle = await page.waitForSelector('iframe')
      const frame = await handle.contentFrame()
      if (!frame) throw new Error('no frame')
      await frame.waitForFunction(() => 'app' in window)
      const outcome = await step<{ name?: string; code?: string }>(frame, 'init', 0.5)
      expect(outcome).toMatchObject({ name: 'BitrixFrameError', code: 'NO_ANSWER' })
    } finally {
      await page.close()
    }
  })

  for (const client of ['frame', 'official'] as const) {
    it(`an app in the portal page (${client === 'frame' ? 'b24tssdk/frame' : '@bitrix24/b24jssdk B24Frame'}): init, REST, expired token, resize, title`, async () => {
      const { page } = await openPage()
      try {
        const frame = await openInPortal(page, client, {
          placement: 'CRM_DEAL_DETAIL_TAB',
          'params[ID]': '2',
          lang: 'de',
        })
        const init = await step<Record<string, unknown>>(frame, 'init', 10)
        expect(init).toMatchObject({
          memberId: emu.memberId,
          placement: 'CRM_DEAL_DETAIL_TAB',
          options: { ID: '2' },
          lang: 'de',
          hasToken: true,
        })
        if (client === 'frame') expect(init.domain).toBe(new URL(emu.url).host)
        else expect(init.origin).toBe(emu.url)

        expect(await step<string[]>(frame, 'listDeals')).toEqual(allTitles)
        const firstToken = await step<string>(frame, 'token')
        emu.expireTokens()
        expect(await step<string[]>(frame, 'listDeals')).toEqual(allTitles)
        expect(await step<string>(frame, 'token')).not.toBe(firstToken)
        expect(await portalLog(page)).toContain('refreshAuth')

        await step(frame, 'resize', 640, 360)
        // The app's own viewport is the size it asked for (the portal sizes the iframe's content box).
        expect(await frame.evaluate(() => [window.innerWidth, window.innerHeight])).toEqual([640, 360])
        await step(frame, 'setTitle', `Deals (${client})`)
        expect(await page.title()).toBe(`Deals (${client})`)
        expect(await page.textContent('#portal-title')).toBe(`Deals (${client})`)

        expect(await portalLog(page)).toEqual(
          expect.arrayContaining(['getInitData', 'refreshAuth', 'resizeWindow', 'setTitle']),
        )
        await page.screenshot({ path: resolve(ARTIFACTS, `portal-${client}.png`) })
      } finally {
        await page.close()
      }
    })
  }

  it('calls that meet an expired token together share one refresh through the parent (b24tssdk/frame)', async () => {
    const { page } = await openPage()
    try {
      const frame = await openInPortal(page, 'frame')
      await step(frame, 'init', 10)
      emu.expireTokens()
      expect(await step<number[]>(frame, 'listDealsTogether', 8)).toEqual(Array(8).fill(DEAL_COUNT))
      expect((await portalLog(page)).filter((command) => command === 'refreshAuth')).toHaveLength(1)
    } finally {
      await page.close()
    }
  })

  it('dialogs, placement commands and events get the portal page’s scripted answers (b24tssdk/frame)', async () => {
    const { page } = await openPage()
    try {
      const answers = {
        selectUser: { id: '7', name: 'Scripted User' },
        selectCRM: { deal: { D_2: { id: 'D_2', type: 'deal', title: 'Deal #2' } } },
        reloadTab: { reloaded: true },
      }
      const frame = await openInPortal(page, 'frame', {
        placement: 'CRM_DEAL_DETAIL_TAB',
        answers: JSON.stringify(answers),
      })
      await step(frame, 'init', 10)
      expect(await step(frame, 'selectUser')).toEqual(answers.selectUser)
      expect(await step(frame, 'selectCRM')).toEqual({ deal: [answers.selectCRM.deal.D_2] })
      expect(await step(frame, 'placementCall', 'reloadTab', { tab: 'main' })).toEqual({ reloaded: true })
      expect(await step(frame, 'setAppOption', 'color', 'blue')).toBe('blue')
      await step(frame, 'bindEvent', 'onTabChanged')
      await page.evaluate(() =>
        (window as unknown as { emulatorPortal: { fire(e: string, p: unknown): void } }).emulatorPortal.fire(
          'onTabChanged',
          { tab: 'products' },
        ),
      )
      await frame.waitForFunction(() => (window as unknown as { events: unknown[] }).events.length > 0)
      expect(await frame.evaluate(() => (window as unknown as { events: unknown[] }).events)).toEqual([
        { tab: 'products' },
      ])
      expect(
        await page.evaluate(
          () => (window as unknown as { emulatorPortal: { appOptions: unknown } }).emulatorPortal.appOptions,
        ),
      ).toEqual({ color: 'blue' })
    } finally {
      await page.close()
    }
  })

  it('the official client reads the scripted user dialog the same way', async () => {
    const { page } = await openPage()
    try {
      const frame = await openInPortal(page, 'official', {
        answers: JSON.stringify({ selectUser: { id: '9', name: 'Other' } }),
      })
      await step(frame, 'init')
      expect(await step(frame, 'selectUser')).toEqual({ id: '9', name: 'Other' })
    } finally {
      await page.close()
    }
  })
})
