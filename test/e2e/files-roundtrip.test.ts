/**
 * Acceptance (issue 16): a 20 MB file uploaded to Drive, attached to a deal's file field, downloaded again
 * byte-identical, with the client's memory well under the file's size. The emulator and the client run in
 * processes of their own (the emulator's memory is not the client's); the client hashes every copy as it streams
 * and reports its memory peaks (client-process.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const SIZE = 20 * 1024 * 1024
const root = fileURLToPath(new URL('../..', import.meta.url))
const script = (name: string) => fileURLToPath(new URL(`./files-roundtrip/${name}`, import.meta.url))
const children: ChildProcess[] = []

/** Runs `node [flags] --import tsx script args`; resolves with the first stdout line `done` accepts, bounded. */
function run(flags: string[], file: string, args: string[], ms: number, keepStdinOpen: boolean) {
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', file, ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  children.push(child)
  if (!keepStdinOpen) child.stdin.end()
  let out = ''
  let err = ''
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  const line = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file}: no answer in ${ms} ms\n${err}`)), ms)
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const end = out.indexOf('\n')
      if (end >= 0) {
        clearTimeout(timer)
        resolve(out.slice(0, end))
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${file} exited with ${code} before answering\n${err}`))
    })
  })
  return { child, line }
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill()
})

describe('file round trip, 20 MB', () => {
  it('Drive upload → deal file field → download is byte-identical, and the client never holds the file', async () => {
    const emulator = run([], script('emulator-process.ts'), [], 60_000, true)
    const portal = await emulator.line
    const client = run(['--expose-gc'], script('client-process.ts'), [portal, String(SIZE)], 240_000, false)
    const report = JSON.parse(await client.line) as {
      size: number
      source: string
      diskSize: number
      fromDisk: { sha256: string; size: number }
      fromDeal: { sha256: string; size: number }
      growth: { rss: number; heapUsed: number; arrayBuffers: number }
      growthWithGarbage: { rss: number; heapUsed: number; arrayBuffers: number }
    }
    emulator.child.stdin?.end()
    console.log(
      `20 MB round trip, client memory growth (MB): live heap+buffers ${((report.growth.heapUsed + report.growth.arrayBuffers) / 2 ** 20).toFixed(1)}, ` +
        `rss ${(report.growthWithGarbage.rss / 2 ** 20).toFixed(1)}`,
    )
    expect(report.diskSize).toBe(SIZE)
    expect(report.fromDisk).toEqual({ sha256: report.source, size: SIZE })
    expect(report.fromDeal).toEqual({ sha256: report.source, size: SIZE })
    // What the client holds (measured after a collection): under half the file; holding the file or its 27 MB of
    // Base64 anywhere (Node's fetch did, for a streamed body) passes it. RSS also counts garbage not yet collected
    // and the collector's timing on a loaded machine (2 MB alone, 17 MB beside seven other test runs), so its bound
    // is the file's size, which a buffered Base64 body passes.
    expect(report.growth.heapUsed + report.growth.arrayBuffers).toBeLessThan(SIZE / 2)
    expect(report.growthWithGarbage.rss).toBeLessThan(SIZE)
  }, 300_000)
})
