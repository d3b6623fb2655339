/**
 * Files against the emulator over real HTTP: Base64 pairs from every source type, the two-step Drive upload, CRM
 * file fields, downloads signed only for the portal's origin, size limits. The 20 MB memory-bounded round trip is
 * files-roundtrip.test.ts.
 */

import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { Readable } from 'node:stream'
import { beforeAll, describe, expect, it } from 'vitest'
import { startEmulator } from '../../src/emulator/index.js'
import { BitrixAPINoAuthFound, BitrixFileTooLarge } from '../../src/errors/index.js'
import {
  type Client,
  downloadFile,
  type FileSource,
  fileData,
  filePair,
  Client as SdkClient,
  sendWithFiles,
  streamedFile,
  uploadDiskFile,
} from '../../src/index.js'
import { oauthToken, usePortal, webhookClient } from './sdk-fixtures.js'

const portal = usePortal({ seed: { deals: 5 }, plan: 'off' })

/** Bytes 0..size-1 of a simple pattern (sizes chosen to leave 0, 1 and 2 bytes over a 3-byte group). */
function pattern(size: number, salt = 7): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i += 1) out[i] = (i * 31 + salt) & 0xff
  return out
}

/** A Node Readable yielding `bytes` in chunks of `chunk` bytes. */
function readableOf(bytes: Uint8Array, chunk: number): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += chunk) yield Buffer.from(bytes.subarray(at, at + chunk))
    })(),
  )
}

/** A web ReadableStream yielding `bytes` in chunks of `chunk` bytes. */
function webStreamOf(bytes: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  let at = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close()
        return
      }
      controller.enqueue(bytes.slice(at, at + chunk))
      at += chunk
    },
  })
}

async function bytesOf(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer())
}

/** Byte equality without a deep compare (which, on large arrays, would block the in-process emulator for seconds). */
function expectSameBytes(got: Uint8Array, want: Uint8Array): void {
  expect(got.length).toBe(want.length)
  expect(Buffer.compare(Buffer.from(got), Buffer.from(want))).toBe(0)
}

async function rootFolder(client: Client): Promise<number> {
  const storages = (await client.disk.storage.getlist({})).result
  return Number(storages[0].ROOT_OBJECT_ID)
}

describe('file pairs', () => {
  const sources: Array<[string, (bytes: Uint8Array) => FileSource]> = [
    ['Buffer', (b) => Buffer.from(b)],
    ['Uint8Array', (b) => b],
    ['ArrayBuffer', (b) => b.slice().buffer],
    ['Blob', (b) => new Blob([b.slice()])],
    ['Node Readable', (b) => readableOf(b, 7)],
    ['web ReadableStream', (b) => webStreamOf(b, 1000)],
  ]
  for (const [label, make] of sources) {
    it(`encodes a ${label} as the Base64 the portal decodes back to the same bytes`, async () => {
      const client = webhookClient(portal.emu())
      const folder = await rootFolder(client)
      for (const size of [1, 2, 3, 10_001]) {
        const bytes = pattern(size, size)
        const pair = await filePair(`f${size}.bin`, make(bytes))
        expect(pair).toEqual([`f${size}.bin`, Buffer.from(bytes).toString('base64')])
        const file = await client.disk.folder.uploadfile({
          id: folder,
          data: { NAME: `${label}-${size}.bin` } as never,
          fileContent: pair,
        })
        const download = await downloadFile(client, String(file.result.DOWNLOAD_URL))
        expectSameBytes(await bytesOf(download.body), bytes)
      }
    })
  }

  it('refuses what is not a file source, naming the parameter', async () => {
    await expect(filePair('a.txt', 'text' as never)).rejects.toThrow(/source must be the file's bytes/)
    await expect(filePair('', new Uint8Array(1))).rejects.toThrow(/name must be the file's name/)
  })

  it('stops at maxBytes: before reading a source of known size, while reading a stream', async () => {
    await expect(filePair('a.bin', new Uint8Array(11), { maxBytes: 10 })).rejects.toMatchObject({
      name: 'BitrixFileTooLarge',
      received: 11,
      limit: 10,
    })
    const error = await filePair('a.bin', readableOf(pattern(100), 8), { maxBytes: 20 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BitrixFileTooLarge)
    expect((error as BitrixFileTooLarge).received).toBe(24)
  })
})

describe('Drive', () => {
  it('uploads in two steps from a stream, lists, downloads and deletes the file', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    const folder = (await client.disk.storage.addfolder({ id: 1, data: { NAME: 'two-step' } as never })).result
    const bytes = pattern(300_001)
    const file = await uploadDiskFile(
      client,
      { folderId: Number(folder.ID) },
      'report "q3".bin',
      readableOf(bytes, 4096),
    )
    expect(file).toMatchObject({ NAME: 'report "q3".bin', SIZE: '300001', TYPE: 'file', PARENT_ID: folder.ID })
    const children = (await client.disk.folder.getchildren({ id: Number(folder.ID) })).result
    expect(children.map((c) => String(c.ID))).toEqual([file.ID])
    const got = (await client.disk.file.get({ id: Number(file.ID) })).result
    const download = await downloadFile(client, String(got.DOWNLOAD_URL))
    expect(download).toMatchObject({ size: 300_001, name: 'report "q3".bin' })
    expectSameBytes(await bytesOf(download.body), bytes)
    await client.disk.file.delete({ id: Number(file.ID) })
    await expect(downloadFile(client, String(got.DOWNLOAD_URL))).rejects.toMatchObject({ status: 404 })
  })

  it('uploads to a storage root, with a unique name when asked', async () => {
    const client = webhookClient(portal.emu())
    const first = await uploadDiskFile(client, { storageId: 1 }, 'same.txt', new Blob(['one']))
    const second = await uploadDiskFile(client, { storageId: 1 }, 'same.txt', new Blob(['two']), {
      generateUniqueName: true,
    })
    expect([first.NAME, second.NAME]).toEqual(['same.txt', 'same (1).txt'])
    expect(
      new TextDecoder().decode(await bytesOf((await downloadFile(client, String(second.DOWNLOAD_URL))).body)),
    ).toBe('two')
  })

  it('sends nothing for a file known to be over maxBytes, and stops a stream that passes it', async () => {
    const emu = portal.emu()
    const client = webhookClient(emu)
    emu.clearReceived()
    await expect(
      uploadDiskFile(client, { storageId: 1 }, 'big.bin', new Uint8Array(2048), { maxBytes: 1024 }),
    ).rejects.toBeInstanceOf(BitrixFileTooLarge)
    expect(emu.received.filter((call) => call.method.startsWith('disk.'))).toEqual([])
    const before = ((await client.disk.storage.getchildren({ id: 1 })).result as unknown[]).length
    await expect(
      uploadDiskFile(client, { storageId: 1 }, 'big.bin', readableOf(pattern(64 * 1024), 1024), { maxBytes: 10_000 }),
    ).rejects.toBeDefined()
    expect(((await client.disk.storage.getchildren({ id: 1 })).result as unknown[]).length).toBe(before)
  })

  it('a download link alone is not enough: the emulator wants the caller authenticated', async () => {
    const client = webhookClient(portal.emu())
    const file = await uploadDiskFile(client, { storageId: 1 }, 'auth.txt', new Uint8Array([1, 2, 3]))
    const raw = await fetch(String(file.DOWNLOAD_URL))
    expect(raw.status).toBe(401)
    expect(await raw.json()).toMatchObject({ error: 'NO_AUTH_FOUND' })
  })

  it('downloadFile stops at maxBytes: from Content-Length before reading', async () => {
    const client = webhookClient(portal.emu())
    const file = await uploadDiskFile(client, { storageId: 1 }, 'ten.bin', pattern(10))
    await expect(downloadFile(client, String(file.DOWNLOAD_URL), { maxBytes: 9 })).rejects.toMatchObject({
      name: 'BitrixFileTooLarge',
      direction: 'download',
      received: 10,
    })
  })
})

describe('CRM file fields', () => {
  beforeAll(async () => {
    const client = webhookClient(portal.emu())
    await client.call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'CONTRACT', USER_TYPE_ID: 'file' } })
    await client.call('crm.deal.userfield.add', {
      fields: { FIELD_NAME: 'SCANS', USER_TYPE_ID: 'file', MULTIPLE: 'Y' },
    })
  })

  it('takes fileData, returns { id, showUrl, downloadUrl } and the file downloads with an OAuth token', async () => {
    const emu = portal.emu()
    const { token } = oauthToken(emu)
    const client = new SdkClient(token, { limiter: false })
    const bytes = pattern(5000)
    const id = (
      await client.crm.deal.add({ fields: { TITLE: 'with file', UF_CRM_CONTRACT: await fileData('c.pdf', bytes) } })
    ).result
    const deal = (await client.crm.deal.get({ id: Number(id) })).result as Record<string, unknown>
    const field = deal.UF_CRM_CONTRACT as { id: number; showUrl: string; downloadUrl: string }
    expect(field.showUrl).toBe(
      `/bitrix/components/bitrix/crm.deal.show/show_file.php?ownerId=${id}&fieldName=UF_CRM_CONTRACT&dynamic=Y&fileId=${field.id}`,
    )
    expect(field.downloadUrl).toContain('show_file.php?auth=&ownerId=')
    expectSameBytes(await bytesOf((await downloadFile(client, field.downloadUrl)).body), bytes)
    // An expired token is renewed and the download sent again.
    emu.expireTokens()
    expectSameBytes(await bytesOf((await downloadFile(client, field.downloadUrl)).body), bytes)
  })

  it('streams fileData into the body, keeps files by id in a multiple field, and crm.item.get gives urlMachine', async () => {
    const client = webhookClient(portal.emu())
    const a = pattern(70_000, 1)
    const b = pattern(3, 2)
    await sendWithFiles(client, 'crm.deal.update', {
      id: 1,
      fields: {
        UF_CRM_SCANS: [
          { fileData: streamedFile('a.bin', readableOf(a, 999)) },
          { fileData: streamedFile('b.bin', webStreamOf(b, 1)) },
        ],
      },
    })
    const scans = ((await client.crm.deal.get({ id: 1 })).result as Record<string, unknown>).UF_CRM_SCANS as Array<{
      id: number
    }>
    expect(scans).toHaveLength(2)
    await client.crm.deal.update({ id: 1, fields: { UF_CRM_SCANS: [{ id: scans[1].id }] } as never })
    const item = (await client.call('crm.item.get', { entityTypeId: 2, id: 1 })).result as {
      item: { ufCrmScans: Array<{ id: number; urlMachine: string }> }
    }
    expect(item.item.ufCrmScans.map((f) => f.id)).toEqual([scans[1].id])
    const download = await downloadFile(client, item.item.ufCrmScans[0].urlMachine)
    expectSameBytes(await bytesOf(download.body), b)
  })

  it('a webhook cannot open the classic show_file.php link (it needs an application token)', async () => {
    const client = webhookClient(portal.emu())
    await client.crm.deal.update({
      id: 2,
      fields: { UF_CRM_CONTRACT: await fileData('x.txt', new Uint8Array([1])) } as never,
    })
    const field = ((await client.crm.deal.get({ id: 2 })).result as Record<string, unknown>).UF_CRM_CONTRACT as {
      downloadUrl: string
    }
    await expect(downloadFile(client, field.downloadUrl)).rejects.toBeInstanceOf(BitrixAPINoAuthFound)
  })
})

describe('emulator file storage', () => {
  it('keeps files in a temporary directory that close() removes', async () => {
    const ours = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('b24tssdk-emulator-files-')))
    const before = ours()
    const emu = await startEmulator({ plan: 'off' })
    const client = webhookClient(emu)
    await uploadDiskFile(client, { storageId: 1 }, 'x.bin', pattern(100))
    const created = [...ours()].filter((name) => !before.has(name))
    expect(created).toHaveLength(1)
    await emu.close()
    expect(ours().has(created[0])).toBe(false)
  })

  it('refuses files past its storage cap with FILE_TOO_LARGE, a streamed upload and a fileData alike', async () => {
    const emu = await startEmulator({ plan: 'off', maxStoredFileBytes: 1000 })
    try {
      const client = webhookClient(emu)
      await uploadDiskFile(client, { storageId: 1 }, 'fits.bin', pattern(600))
      await expect(
        uploadDiskFile(client, { storageId: 1 }, 'over.bin', readableOf(pattern(600), 100)),
      ).rejects.toMatchObject({
        error: 'FILE_TOO_LARGE',
        status: 413,
      })
      await expect(
        client.disk.storage.uploadfile({
          id: 1,
          data: { NAME: 'b64.bin' } as never,
          fileContent: await filePair('b64.bin', pattern(600)),
        }),
      ).rejects.toMatchObject({ error: 'FILE_TOO_LARGE' })
      const names = ((await client.disk.storage.getchildren({ id: 1 })).result as Array<{ NAME: string }>).map(
        (c) => c.NAME,
      )
      expect(names).toEqual(['fits.bin'])
    } finally {
      await emu.close()
    }
  })
})
