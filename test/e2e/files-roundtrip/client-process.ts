/**
 * The client of the file round trip, in its own process (run with --expose-gc): a file of `SIZE` bytes is uploaded
 * to Drive in two steps from a file stream, downloaded, streamed from that download into a deal's file field as
 * fileData, and downloaded from the deal again; every copy is hashed as it streams. Memory is sampled throughout
 * and printed as one JSON line with the hashes.
 */
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  BitrixApp,
  BitrixToken,
  Client,
  downloadFile,
  sendWithFiles,
  streamedFile,
  uploadDiskFile,
} from '../../../src/index.js'

const info = JSON.parse(process.argv[2]) as Record<string, string | number>
const SIZE = Number(process.argv[3])
const token = new BitrixToken({
  domain: String(info.url),
  authToken: String(info.accessToken),
  refreshToken: String(info.refreshToken),
  expires: Number(info.expires),
  bitrixApp: new BitrixApp({
    clientId: String(info.clientId),
    clientSecret: String(info.clientSecret),
    oauthServer: String(info.url),
  }),
})
const client = new Client(token, { limiter: false })
const dir = mkdtempSync(join(tmpdir(), 'b24tssdk-files-roundtrip-'))

/** Writes `size` random bytes to a file, returning its path and SHA-256. */
async function makeFile(name: string, size: number): Promise<{ path: string; sha256: string }> {
  const path = join(dir, name)
  const out = createWriteStream(path)
  const hash = createHash('sha256')
  for (let left = size; left > 0; left -= 64 * 1024) {
    const chunk = randomBytes(Math.min(left, 64 * 1024))
    hash.update(chunk)
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'close')
  return { path, sha256: hash.digest('hex') }
}

async function sha256Of(body: ReadableStream<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of body) {
    hash.update(chunk)
    size += chunk.byteLength
  }
  return { sha256: hash.digest('hex'), size }
}

/** Upload to Drive, download, attach to the deal from the download, download from the deal. */
async function roundTrip(path: string, name: string, field: string) {
  const file = await uploadDiskFile(client, { storageId: 1 }, name, createReadStream(path))
  const got = (await client.disk.file.get({ id: Number(file.ID) })).result
  const fromDisk = await sha256Of((await downloadFile(client, String(got.DOWNLOAD_URL))).body)
  const source = await downloadFile(client, String(got.DOWNLOAD_URL))
  await sendWithFiles(client, 'crm.deal.update', {
    id: 1,
    fields: { [field]: { fileData: streamedFile(name, source.body) } },
  })
  const deal = (await client.crm.deal.get({ id: 1 })).result as Record<string, { downloadUrl: string }>
  const fromDeal = await sha256Of((await downloadFile(client, deal[field].downloadUrl)).body)
  return { diskSize: Number(file.SIZE), fromDisk, fromDeal }
}

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')
await client.call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'ROUNDTRIP', USER_TYPE_ID: 'file' } })
const big = await makeFile('big.bin', SIZE)
const small = await makeFile('small.bin', 64 * 1024)
// Warm-up: the same path once with a small file, so that lazily loaded modules and pools are not counted.
await roundTrip(small.path, 'small.bin', 'UF_CRM_ROUNDTRIP')
gc()
const memory = () => {
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, external: m.external }
}
const baseline = memory()
const peak = { ...baseline }
// Peaks of what is reachable: a collection before each sample, so garbage the collector has not yet reclaimed (a
// matter of GC timing, not of what the SDK holds) does not count; the raw peaks without it are reported beside.
const raw = { ...baseline }
const sample = () => {
  const before = memory()
  for (const key of Object.keys(raw) as Array<keyof typeof raw>) raw[key] = Math.max(raw[key], before[key])
  gc()
  const m = memory()
  for (const key of Object.keys(peak) as Array<keyof typeof peak>) peak[key] = Math.max(peak[key], m[key])
}
const sampler = setInterval(sample, 20)
const result = await roundTrip(big.path, 'big.bin', 'UF_CRM_ROUNDTRIP')
sample()
clearInterval(sampler)
rmSync(dir, { recursive: true, force: true })
process.stdout.write(
  `${JSON.stringify({
    size: SIZE,
    source: big.sha256,
    ...result,
    growth: {
      rss: peak.rss - baseline.rss,
      heapUsed: peak.heapUsed - baseline.heapUsed,
      arrayBuffers: peak.arrayBuffers - baseline.arrayBuffers,
      external: peak.external - baseline.external,
    },
    growthWithGarbage: {
      rss: raw.rss - baseline.rss,
      heapUsed: raw.heapUsed - baseline.heapUsed,
      arrayBuffers: raw.arrayBuffers - baseline.arrayBuffers,
    },
  })}\n`,
)
