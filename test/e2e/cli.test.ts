/**
 * The `b24tssdk` command as a user runs it: a real child process (`node --import tsx src/cli/main.ts …`) against
 * an emulator started here, its exit code, stdout and stderr.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { type ChildOutcome, childOutcome } from './child-output.js'

const DEALS = 237
const CHILD_TIMEOUT_MS = 45_000

let emu: Emulator
let webhookKey: string
let workDir: string

/** The parent's environment without any portal settings, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('B24_')))
  return { ...env, ...extra }
}

function startCli(args: readonly string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: process.cwd(),
    env: childEnv(env),
    stdio: 'pipe',
  })
}

type Outcome = ChildOutcome

/** Runs the command to its end (killed after CHILD_TIMEOUT_MS). */
function runCli(args: readonly string[], env: Record<string, string> = { B24_WEBHOOK_URL: emu.webhookUrl }) {
  return childOutcome(startCli(args, env), CHILD_TIMEOUT_MS)
}

/** No stack trace and no webhook key in what the command printed. */
function expectClean(outcome: Outcome): void {
  expect(outcome.stderr).not.toMatch(/\n\s+at /)
  expect(outcome.stderr).not.toContain(webhookKey)
  expect(outcome.stdout).not.toContain(webhookKey)
}

beforeAll(async () => {
  emu = await startEmulator({ plan: 'off', realDelays: false, randomSeed: 7, seed: { deals: DEALS } })
  webhookKey = /\/rest\/1\/([^/]+)\//.exec(emu.webhookUrl)?.[1] ?? ''
  expect(webhookKey.length).toBeGreaterThan(5)
  workDir = mkdtempSync(join(tmpdir(), 'b24tssdk-cli-'))
})

afterAll(async () => {
  await emu?.close()
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

describe('b24tssdk', () => {
  it('prints its version and its help', async () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
    const [version, help, unknown] = await Promise.all([
      runCli(['--version']),
      runCli(['--help']),
      runCli(['frobnicate']),
    ])
    expect(version).toMatchObject({ code: 0, stdout: `${manifest.version}\n` })
    expect(help.code).toBe(0)
    for (const command of ['call', 'list', 'batch', 'methods', 'emulator']) expect(help.stdout).toContain(command)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command "frobnicate"')
  })

  it('call: key=value pairs with PHP brackets and --json reach the portal; the result is printed as JSON', async () => {
    const get = await runCli(['call', 'crm.deal.get', 'id=2'])
    expect(get.code).toBe(0)
    expect(JSON.parse(get.stdout)).toMatchObject({ ID: '2' })

    const list = await runCli(['call', 'crm.deal.list', `filter[>ID]=${DEALS - 3}`, 'select[]=ID', 'select[]=TITLE'])
    expect(list.code).toBe(0)
    const rows = JSON.parse(list.stdout) as Array<Record<string, string>>
    expect(rows.map((row) => row.ID)).toEqual([DEALS - 2, DEALS - 1, DEALS].map(String))
    expect(Object.keys(rows[0]).sort()).toEqual(['ID', 'TITLE'])

    const typed = await runCli(['call', 'crm.deal.list', '--json', '{"filter":{"<=ID":2},"select":["ID"]}', '--full'])
    expect(typed.code).toBe(0)
    expect(JSON.parse(typed.stdout)).toMatchObject({ result: [{ ID: '1' }, { ID: '2' }], total: 2 })
  })

  it('call: an API error prints the portal code and description, exits 1, and shows no key and no stack', async () => {
    const missing = await runCli(['call', 'no.such.method'])
    expect(missing.code).toBe(1)
    expect(missing.stdout).toBe('')
    expect(missing.stderr).toMatch(/^Error: ERROR_METHOD_NOT_FOUND: Method not found/)
    expectClean(missing)

    const wrongKey = emu.webhookUrl.replace(webhookKey, `${webhookKey}x`)
    const denied = await runCli(['call', 'crm.deal.get', 'id=2'], { B24_WEBHOOK_URL: wrongKey })
    expect(denied.code).toBe(1)
    expect(denied.stderr).toMatch(/^Error: INVALID_CREDENTIALS/)
    expect(denied.stderr).not.toContain(`${webhookKey}x`)
    expectClean(denied)
  })

  it('an unreachable portal is one line, exit 1, with no key and no stack', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as { port: number }).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const outcome = await runCli(['call', 'crm.deal.get', 'id=2'], {
      B24_WEBHOOK_URL: `http://127.0.0.1:${port}/rest/1/${webhookKey}/`,
    })
    expect(outcome.code).toBe(1)
    expect(outcome.stderr).toMatch(/^Error: .*crm\.deal\.get.*\n$/)
    expectClean(outcome)
  })

  it('reads the portal from B24_DOMAIN with B24_WEBHOOK, or with the OAuth variables; a wrong key is never printed', async () => {
    const app = emu.createApp({ scopes: 'all' })
    const token = emu.issueToken({ clientId: app.clientId })
    const [webhook, oauth, wrong] = await Promise.all([
      runCli(['call', 'user.current'], { B24_DOMAIN: emu.domain, B24_WEBHOOK: `1/${webhookKey}` }),
      runCli(['call', 'user.current'], {
        B24_DOMAIN: emu.domain,
        B24_CLIENT_ID: app.clientId,
        B24_CLIENT_SECRET: app.clientSecret,
        B24_ACCESS_TOKEN: token.accessToken,
        B24_REFRESH_TOKEN: token.refreshToken,
      }),
      runCli(['call', 'user.current'], { B24_DOMAIN: emu.domain, B24_WEBHOOK: '1/notthekey42' }),
    ])
    expect(webhook.code).toBe(0)
    expect(JSON.parse(webhook.stdout)).toMatchObject({ ID: '1' })
    expect(oauth.code).toBe(0)
    expect(JSON.parse(oauth.stdout)).toMatchObject({ ID: '1' })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/^Error: INVALID_CREDENTIALS/)
    expect(wrong.stderr).not.toContain('notthekey42')
  })

  it('bad input is a usage error (exit 2) naming what to fix', async () => {
    const [pair, json, noPortal, unwritable] = await Promise.all([
      runCli(['call', 'crm.deal.get', 'id']),
      runCli(['call', 'crm.deal.get', '--json', '[1]']),
      runCli(['call', 'crm.deal.get', 'id=2'], {}),
      runCli(['list', 'crm.deal.list', '-o', join(workDir, 'no-such-dir', 'deals.csv')]),
    ])
    expect(pair.code).toBe(2)
    expect(pair.stderr).toContain('parameter "id" is not key=value')
    expect(json.code).toBe(2)
    expect(json.stderr).toContain('--json must be a JSON object')
    expect(noPortal.code).toBe(2)
    expect(noPortal.stderr).toContain('B24_WEBHOOK_URL')
    expect(unwritable.code).toBe(2)
    expect(unwritable.stderr).toBe(`b24tssdk: cannot write ${join(workDir, 'no-such-dir', 'deals.csv')}: ENOENT\n`)
  })

  it('list: every record once as NDJSON on stdout, rows exact', async () => {
    const outcome = await runCli(['list', 'crm.deal.list', 'select[]=ID', 'select[]=TITLE'])
    expect(outcome.code).toBe(0)
    expect(outcome.stderr).toBe('') // stderr is not a terminal: no progress line
    const lines = outcome.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(DEALS)
    const ids = lines.map((line) => Number((JSON.parse(line) as { ID: string }).ID))
    expect(new Set(ids).size).toBe(DEALS)
    expect(Math.min(...ids)).toBe(1)
    expect(Math.max(...ids)).toBe(DEALS)
  })

  it('list: rows stay exact when the portal fails mid-export (503s and a reset are retried, nothing doubled)', async () => {
    const faults = [emu.faults.inject({ kind: 'http503', times: 2 }), emu.faults.inject({ kind: 'reset', times: 1 })]
    try {
      const outcome = await runCli(['list', 'crm.deal.list', 'select[]=ID', '--format', 'csv'])
      expect(outcome.code).toBe(0)
      const ids = outcome.stdout.trimEnd().split('\n').slice(1)
      expect(ids).toHaveLength(DEALS)
      expect(new Set(ids).size).toBe(DEALS)
      expect(faults.map((fault) => fault.hits)).toEqual([2, 1])
    } finally {
      emu.faults.clear()
    }
  })

  it('list: CSV to a file, a header and one line per record; a filter and an order are honoured', async () => {
    const file = join(workDir, 'deals.csv')
    const outcome = await runCli(['list', 'crm.deal.list', 'select[]=ID', 'select[]=TITLE', '-o', file])
    expect(outcome).toMatchObject({ code: 0, stdout: '', stderr: '' })
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
    expect(lines[0]).toBe('ID,TITLE')
    expect(lines).toHaveLength(DEALS + 1)

    const ordered = await runCli([
      'list',
      'crm.deal.list',
      'filter[<=ID]=60',
      'order[ID]=DESC',
      'select[]=ID',
      '--format',
      'csv',
    ])
    expect(ordered.code).toBe(0)
    const orderedLines = ordered.stdout.trimEnd().split('\n')
    expect(orderedLines[0]).toBe('ID')
    expect(orderedLines.slice(1)).toEqual(Array.from({ length: 60 }, (_, i) => String(60 - i)))
  })

  it('list: a reader that goes away (| head -1) ends the command quietly', async () => {
    // 20,000 rows are far more than a pipe buffer holds, so the command is still writing when the reader leaves.
    const big = await startEmulator({ plan: 'off', realDelays: false, seed: { deals: 20_000 } })
    onTestFinished(() => big.close())
    const child = startCli(['list', 'crm.deal.list', 'select[]=ID'], { B24_WEBHOOK_URL: big.webhookUrl })
    child.stdin.end()
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const firstLine = await new Promise<string>((resolve) => {
      let text = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk
        if (text.includes('\n')) {
          child.stdout.destroy()
          resolve(text.slice(0, text.indexOf('\n')))
        }
      })
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS)
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    clearTimeout(timer)
    expect(JSON.parse(firstLine)).toEqual({ ID: '1' })
    expect(code).toBe(0)
    expect(stderr).toBe('')
  })

  it('methods: searches the catalogue and prints doc links', async () => {
    const outcome = await runCli(['methods', 'crm.deal.'])
    expect(outcome.code).toBe(0)
    const lines = outcome.stdout.trimEnd().split('\n')
    expect(lines.every((line) => line.startsWith('crm.deal.'))).toBe(true)
    expect(lines.find((line) => line.startsWith('crm.deal.list '))).toContain(
      'https://apidocs.bitrix24.com/api-reference/crm/deals/crm-deal-list.html',
    )
    const none = await runCli(['methods', 'no.such.prefix.'])
    expect(none.code).toBe(1)
  })

  it('batch: named and positional calls from a file; the result maps are printed and a failure exits 1', async () => {
    const named = join(workDir, 'named.json')
    writeFileSync(
      named,
      JSON.stringify({
        me: { method: 'user.current' },
        deal: { method: 'crm.deal.get', params: { id: 3 } },
        again: { method: 'crm.deal.get', params: { id: '$result[deal][ID]' } },
        missing: { method: 'crm.deal.get', params: { id: 999_999 } },
      }),
    )
    const outcome = await runCli(['batch', named])
    expect(outcome.code).toBe(1)
    const printed = JSON.parse(outcome.stdout) as {
      result: Record<string, { ID: string }>
      result_error: Record<string, { error_description: string }>
    }
    expect(printed.result.me.ID).toBe('1')
    expect(printed.result.deal.ID).toBe('3')
    expect(printed.result.again.ID).toBe('3')
    expect(printed.result_error.missing.error_description).toBe('Not found')
    expect(outcome.stderr).toContain('Error in "missing": Not found')
    expectClean(outcome)

    const positional = join(workDir, 'positional.json')
    const calls = Array.from({ length: 60 }, (_, index) => ({ method: 'crm.deal.get', params: { id: index + 1 } }))
    writeFileSync(positional, JSON.stringify(calls))
    const many = await runCli(['batch', positional])
    expect(many.code).toBe(0)
    const results = (JSON.parse(many.stdout) as { result: Array<{ ID: string }> }).result
    expect(results.map((row) => row.ID)).toEqual(calls.map((call) => String(call.params.id)))
  })

  it('emulator: prints a webhook URL that works, and exits 0 on SIGTERM', async () => {
    const child = startCli(['emulator', '--plan', 'off', '--seed-deals', '5', '--no-delays'], {})
    child.stdin.end()
    let output = ''
    child.stdout.setEncoding('utf8')
    const webhook = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no webhook printed: ${output}`)), CHILD_TIMEOUT_MS)
      child.stdout.on('data', (chunk: string) => {
        output += chunk
        const match = /export B24_WEBHOOK_URL=(\S+)/.exec(output)
        if (match && output.includes('Ctrl-C')) {
          clearTimeout(timer)
          resolve(match[1])
        }
      })
      child.on('exit', () => reject(new Error(`exited early: ${output}`)))
    })
    try {
      const listed = await runCli(['list', 'crm.deal.list', 'select[]=ID'], { B24_WEBHOOK_URL: webhook })
      expect(listed.code).toBe(0)
      expect(listed.stdout.trimEnd().split('\n')).toHaveLength(5)
    } finally {
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve))
      child.kill('SIGTERM')
      expect(await exit).toBe(0)
    }
    expect(output).toContain('Emulator stopped.')
    // Which methods answer from portal state, and that the others fail loudly (no docs examples by default).
    const served = /Methods served with portal state \((\d+)\):\n((?: {2}.*\n)+)/.exec(output)
    expect(served).not.toBeNull()
    const names = (served?.[2] ?? '').split(/[\s,]+/).filter((name) => name !== '')
    expect(names).toHaveLength(Number(served?.[1]))
    expect(names).toEqual(expect.arrayContaining(['crm.deal.list', 'crm.status.list', 'user.get', 'batch']))
    expect(output).toContain('Every other catalogued method answers 400 EMULATOR_NOT_IMPLEMENTED')
  })

  it('emulator: a busy port is one line naming the port, exit 1, no stack', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      const outcome = await runCli(['emulator', '--port', String(port)], {})
      expect(outcome.code).toBe(1)
      expect(outcome.stderr).toBe(
        `b24tssdk emulator: port ${port} is already in use (127.0.0.1:${port}); choose another with --port N, or --port 0 for any free port\n`,
      )
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })
})
