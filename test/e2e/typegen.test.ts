/**
 * `b24tssdk typegen` as a user runs it: an emulator with two deal user fields (one an enumeration) and a smart
 * process with its own field, the command as a child process writing the `.d.ts`, then `tsc` (a child process,
 * bounded) over code that uses it: correct usage compiles; a wrongly typed `UF_*` value and an unknown
 * smart-process field each fail with the expected diagnostic.
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../../src/emulator/index.js'
import { BitrixWebhook, Client } from '../../src/index.js'
import { type ChildOutcome, childOutcome } from './child-output.js'

const CHILD_TIMEOUT_MS = 240_000
const root = resolve('.')

let emu: Emulator
let client: Client
let workDir: string
let smartTypeId: number

function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ChildOutcome> {
  return childOutcome(spawn(process.execPath, args, { cwd: root, env, stdio: 'pipe' }), CHILD_TIMEOUT_MS)
}

function cliEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('B24_')))
  return { ...env, B24_WEBHOOK_URL: emu.webhookUrl }
}

/** `tsc --noEmit -p DIR`: its diagnostics, one per line (`file(line,col): error TSxxxx: …`). */
function typecheck(dir: string): Promise<string> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', dir],
      { cwd: dir, timeout: CHILD_TIMEOUT_MS, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (_error, stdout) => done(stdout),
    )
  })
}

beforeAll(async () => {
  emu = await startEmulator({ plan: 'off', realDelays: false, randomSeed: 3, seed: { deals: 3 } })
  client = new Client(BitrixWebhook.fromUrl(emu.webhookUrl), { limiter: false })
  workDir = mkdtempSync(join(tmpdir(), 'b24tssdk-typegen-'))
  await client.call('crm.deal.userfield.add', {
    fields: { FIELD_NAME: 'COLOR', USER_TYPE_ID: 'enumeration', LIST: [{ VALUE: 'Red' }, { VALUE: 'Green' }] },
  })
  await client.call('crm.deal.userfield.add', { fields: { FIELD_NAME: 'SCORE', USER_TYPE_ID: 'integer' } })
  const type = await client.call<{ type: { id: number; entityTypeId: number } }>('crm.type.add', {
    fields: { title: 'Shipments' },
  })
  smartTypeId = type.result.type.entityTypeId
  await client.call('userfieldconfig.add', {
    moduleId: 'crm',
    field: {
      entityId: `CRM_${type.result.type.id}`,
      fieldName: `UF_CRM_${type.result.type.id}_WEIGHT`,
      userTypeId: 'double',
    },
  })
}, 60_000)

afterAll(async () => {
  await emu?.close()
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

describe('the emulator answers what typegen reads', () => {
  it('lists enumeration items with their IDs in crm.deal.fields and crm.deal.userfield.list', async () => {
    const fields = (await client.crm.deal.fields({})).result as Record<string, { type: string; items?: unknown }>
    expect(fields.UF_CRM_COLOR).toMatchObject({
      type: 'enumeration',
      items: [
        { ID: expect.stringMatching(/^\d+$/), VALUE: 'Red' },
        { ID: expect.stringMatching(/^\d+$/), VALUE: 'Green' },
      ],
    })
    const list = await client.call<Array<{ FIELD_NAME: string; LIST: Array<{ ID: string }> }>>(
      'crm.deal.userfield.list',
      {},
    )
    const color = list.result.find((row) => row.FIELD_NAME === 'UF_CRM_COLOR')
    expect(color?.LIST.map((item) => item.ID)).toEqual(
      (fields.UF_CRM_COLOR.items as Array<{ ID: string }>).map((item) => item.ID),
    )
  })

  it('serves a smart process created with crm.type.add through crm.item.*, with its own user field', async () => {
    expect(smartTypeId).toBeGreaterThanOrEqual(1030)
    const described = await client.call<{ fields: Record<string, { type: string; upperName: string }> }>(
      'crm.item.fields',
      {
        entityTypeId: smartTypeId,
      },
    )
    expect(described.result.fields.ufCrm1Weight).toMatchObject({ type: 'double', upperName: 'UF_CRM_1_WEIGHT' })
    const added = await client.call<{ item: { id: number } }>('crm.item.add', {
      entityTypeId: smartTypeId,
      fields: { title: 'Pallet 7', ufCrm1Weight: 12.5 },
    })
    const read = await client.call<{ item: Record<string, unknown> }>('crm.item.get', {
      entityTypeId: smartTypeId,
      id: added.result.item.id,
    })
    expect(read.result.item).toMatchObject({ title: 'Pallet 7', ufCrm1Weight: 12.5, entityTypeId: smartTypeId })
    const other = await client.call('crm.item.list', { entityTypeId: smartTypeId + 2 }).catch((error: unknown) => error)
    expect(other).toMatchObject({ error: 'NOT_FOUND' })
  })
})

describe('b24tssdk typegen', () => {
  it('writes a .d.ts under which correct usage compiles and wrong UF values or unknown smart-process fields do not', async () => {
    const out = join(workDir, 'portal-types.d.ts')
    const cli = await run(['--import', 'tsx', 'src/cli/main.ts', 'typegen', '--out', out], cliEnv())
    expect(cli.stderr).toMatch(/^b24tssdk typegen: wrote .*portal-types\.d\.ts \(5 entities, \d+ fields\)\n$/)
    expect(cli.code).toBe(0)
    const generated = readFileSync(out, 'utf8')
    expect(generated).toContain("declare module 'b24tssdk'")
    expect(generated).toMatch(/UF_CRM_COLOR: PortalField<"\d+" \| "\d+" \| null,/)
    expect(generated).toContain(`${smartTypeId}: {`)
    expect(generated).not.toContain(/\/rest\/1\/([^/]+)\//.exec(emu.webhookUrl)?.[1] ?? 'no key')

    const fields = (await client.crm.deal.fields({})).result as Record<string, { items: Array<{ ID: string }> }>
    const [red, green] = fields.UF_CRM_COLOR.items.map((item) => Number(item.ID))
    const unused = Math.max(red, green) + 100
    writeFileSync(
      join(workDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')],
          paths: { b24tssdk: [join(root, 'src/index.ts')] },
        },
        files: ['portal-types.d.ts', 'correct.ts', 'wrong-uf.ts', 'unknown-field.ts'],
      }),
    )
    const preamble = `import { BitrixWebhook, Client, loadValueConverter } from 'b24tssdk'\nconst client = new Client(BitrixWebhook.fromUrl('https://example.bitrix24.com/rest/1/key/'))\n`
    writeFileSync(
      join(workDir, 'correct.ts'),
      `${preamble}export async function correct(): Promise<unknown[]> {
  const id = await client.crm.deal.add({ fields: { TITLE: 'A', UF_CRM_SCORE: 5, UF_CRM_COLOR: ${red} } })
  const deal = await client.crm.deal.get({ id: id.result })
  const score: \`\${number}\` | null | undefined = deal.result.UF_CRM_SCORE
  const rows = await client.crm.deal.list({ select: ['ID', 'UF_CRM_COLOR'], filter: { '>UF_CRM_SCORE': 1 } }).asList()
  const item = await client.crm.item.add({ entityTypeId: ${smartTypeId}, fields: { title: 'Box', ufCrm1Weight: 2.5 } })
  const weight: number | null | undefined = item.result.item.ufCrm1Weight
  const page = await client.crm.item.list({ entityTypeId: ${smartTypeId}, select: ['id', 'ufCrm1Weight'] })
  const other = await client.crm.item.list({ entityTypeId: 2, select: ['id'] })
  const deals = await loadValueConverter(client, 'crm.deal')
  const opened: boolean | null | undefined = deals.toNative(deal.result).OPENED
  await client.crm.deal.update({ id: 1, fields: deals.toWire({ OPENED: true, UF_CRM_SCORE: 3, BEGINDATE: new Date() }) })
  return [score, rows[0]?.UF_CRM_COLOR, weight, page.result.items, other.result.items, opened]
}
`,
    )
    writeFileSync(
      join(workDir, 'wrong-uf.ts'),
      `${preamble}export const wrongScore = client.crm.deal.add({ fields: { UF_CRM_SCORE: 'many' } })
export const wrongColor = client.crm.deal.update({ id: 1, fields: { UF_CRM_COLOR: ${unused} } })
`,
    )
    writeFileSync(
      join(workDir, 'unknown-field.ts'),
      `${preamble}export const unknownField = client.crm.item.add({ entityTypeId: ${smartTypeId}, fields: { ufCrm1Wieght: 1 } })
`,
    )

    const diagnostics = (await typecheck(workDir)).split('\n').filter((line) => line.includes('error TS'))
    expect(diagnostics.filter((line) => line.startsWith('correct.ts'))).toEqual([])
    expect(
      diagnostics.filter((line) => !line.startsWith('wrong-uf.ts') && !line.startsWith('unknown-field.ts')),
    ).toEqual([])
    const wrong = diagnostics.filter((line) => line.startsWith('wrong-uf.ts'))
    expect(wrong).toEqual([
      expect.stringMatching(
        /^wrong-uf\.ts\(3,\d+\): error TS2322: Type '"many"' is not assignable to type 'number \| `\$\{number\}` \| null \| undefined'/,
      ),
      expect.stringMatching(
        new RegExp(`^wrong-uf\\.ts\\(4,\\d+\\): error TS2322: Type '${unused}' is not assignable to type`),
      ),
    ])
    const unknown = diagnostics.filter((line) => line.startsWith('unknown-field.ts'))
    expect(unknown).toEqual([
      expect.stringMatching(/^unknown-field\.ts\(3,\d+\): error TS2353: .*'ufCrm1Wieght' does not exist in type/),
    ])
  }, 300_000)

  it('refuses an unknown --entities name and a smart process the portal does not have, exit 2', async () => {
    const [name, missing] = await Promise.all([
      run(['--import', 'tsx', 'src/cli/main.ts', 'typegen', '--entities', 'crm.nope', '--out', '-'], cliEnv()),
      run(['--import', 'tsx', 'src/cli/main.ts', 'typegen', '--entities', '9998', '--out', '-'], cliEnv()),
    ])
    expect(name.code).toBe(2)
    expect(name.stderr).toContain('--entities: "crm.nope" is not crm.deal, crm.lead, crm.contact, crm.company')
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('the portal has no smart process with entityTypeId 9998')
  }, 120_000)
})
