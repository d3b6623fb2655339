/**
 * File links against hostile or foreign servers (a node:http server on loopback): credentials reach only the
 * portal's origin, whatever the link looks like, and a server that sends more than allowed is cut off.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BitrixFileTooLarge } from '../../src/errors/index.js'
import { downloadFile, Client as SdkClient, signFileUrl } from '../../src/index.js'
import { oauthToken, usePortal, webhookClient } from '../e2e/sdk-fixtures.js'

const portal = usePortal({ seed: { deals: 1 }, plan: 'off' })

async function bytesOf(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer())
}

describe('credentials go only to the portal', () => {
  let server: Server
  let foreign: string
  const seen: Array<{ url: string; headers: IncomingMessage['headers'] }> = []
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers })
      req.resume()
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
      res.end('foreign bytes')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    foreign = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('signs a portal link for a webhook (through its path) and for OAuth (auth=), nothing else', async () => {
    const emu = portal.emu()
    const webhook = webhookClient(emu)
    const { token } = oauthToken(emu)
    const oauth = new SdkClient(token, { limiter: false })
    const key = new URL(emu.webhookUrl).pathname // /rest/1/<key>/
    expect((await signFileUrl(webhook, '/rest/download.json?auth=&token=t')).url).toBe(
      `${emu.url}${key}download.json?token=t`,
    )
    const signed = new URL((await signFileUrl(oauth, `${emu.url}/rest/download.json?auth=old&token=t`)).url)
    expect(signed.searchParams.get('auth')).toBe(token.authToken)
    for (const url of [
      `${foreign}/rest/download.json?auth=&token=t`,
      `${emu.url.replace('127.0.0.1', 'localhost')}/rest/download.json?token=t`, // same machine, another origin
      `${emu.url.replace('http://', 'http://user@')}/rest/download.json`, // user info is never the portal
    ]) {
      for (const client of [webhook, oauth]) {
        const result = await signFileUrl(client, url)
        expect(result.portal).toBe(false)
        expect(result.url).not.toContain(key)
        expect(result.url).not.toContain(token.authToken)
      }
    }
  })

  it('a download link on another host is fetched without the webhook key or the access token', async () => {
    const emu = portal.emu()
    const { token } = oauthToken(emu)
    const clients = [webhookClient(emu), new SdkClient(token, { limiter: false })]
    seen.length = 0
    for (const client of clients) {
      const download = await downloadFile(client, `${foreign}/rest/download.json?auth=&token=t`)
      expect(new TextDecoder().decode(await bytesOf(download.body))).toBe('foreign bytes')
    }
    const key = new URL(emu.webhookUrl).pathname.split('/')[3]
    expect(seen.map((s) => s.url)).toEqual(['/rest/download.json?auth=&token=t', '/rest/download.json?auth=&token=t'])
    for (const request of seen) expect(JSON.stringify(request)).not.toMatch(new RegExp(`${key}|${token.authToken}`))
  })

  it('a hostile server that sends more than maxBytes without a Content-Length is cut off while reading', async () => {
    const hostile = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
      let sent = 0
      const push = () => {
        while (sent < 1_000_000 && res.write(Buffer.alloc(16 * 1024))) sent += 16 * 1024
        if (sent < 1_000_000) res.once('drain', push)
        else res.end()
      }
      push()
    })
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve))
    try {
      const client = webhookClient(portal.emu())
      const download = await downloadFile(client, `http://127.0.0.1:${(hostile.address() as AddressInfo).port}/x`, {
        maxBytes: 100_000,
      })
      expect(download.size).toBeUndefined()
      await expect(bytesOf(download.body)).rejects.toBeInstanceOf(BitrixFileTooLarge)
    } finally {
      hostile.closeAllConnections()
      await new Promise<void>((resolve) => hostile.close(() => resolve()))
    }
  })

  it('refuses a link that is not http(s)', async () => {
    const client = webhookClient(portal.emu())
    await expect(downloadFile(client, 'file:///etc/passwd')).rejects.toThrow(/url must be a download or upload URL/)
  })
})
