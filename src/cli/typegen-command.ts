/** `b24tssdk typegen [--out FILE] [--entities LIST]`: the portal's own fields as a `.d.ts` the client tree reads. */
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseCommand } from './arguments.js'
import { type CliContext, clientFromEnvironment, printErr, printOut } from './context.js'
import { CliUsageError, EXIT_OK } from './errors.js'
import { LEGACY_ENTITIES, readPortalEntities, type TypegenSelection } from './typegen-read.js'
import { renderPortalTypes } from './typegen-render.js'

export const TYPEGEN_USAGE = `Usage: b24tssdk typegen [--out FILE] [--entities LIST]

Reads the portal's fields (crm.<entity>.fields, user fields with their enumeration items, crm.type.list and
crm.item.fields of every smart process) and writes a .d.ts that narrows the client to this portal:
client.crm.deal.add({ fields: { UF_CRM_… } }) and client.crm.item.list({ entityTypeId: 1032, … }) then check
field names and value types. Include the file in your tsconfig.

Options:
  --out FILE          where to write (default: portal-types.d.ts); "-" prints it
  --entities LIST     comma-separated: crm.deal, crm.lead, crm.contact, crm.company, smart (every smart
                      process) or a smart process's entityTypeId (default: all of them)
  -h, --help          show this help

Example: b24tssdk typegen --out src/portal-types.d.ts --entities crm.deal,crm.contact,1032
`

type LegacyEntity = (typeof LEGACY_ENTITIES)[number]

function isLegacyEntity(name: string): name is LegacyEntity {
  return (LEGACY_ENTITIES as readonly string[]).includes(name)
}

/** `--entities` as a selection; every entity when absent. */
export function parseSelection(text: string | undefined): TypegenSelection {
  if (text === undefined) return { legacy: [...LEGACY_ENTITIES], smartProcesses: 'all' }
  const legacy: LegacyEntity[] = []
  const smart: number[] = []
  let allSmart = false
  for (const name of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    if (isLegacyEntity(name)) {
      if (!legacy.includes(name)) legacy.push(name)
    } else if (name === 'smart') allSmart = true
    else if (/^\d+$/.test(name) && Number(name) > 0) smart.push(Number(name))
    else {
      throw new CliUsageError(
        `--entities: "${name}" is not ${LEGACY_ENTITIES.join(', ')}, smart or a smart process's entityTypeId`,
        TYPEGEN_USAGE,
      )
    }
  }
  if (legacy.length === 0 && smart.length === 0 && !allSmart) {
    throw new CliUsageError('--entities names no entity', TYPEGEN_USAGE)
  }
  return { legacy, smartProcesses: allSmart ? 'all' : smart }
}

export async function runTypegenCommand(args: readonly string[], context: CliContext): Promise<number> {
  const parsed = parseCommand(args, { out: { type: 'string' }, entities: { type: 'string' } }, TYPEGEN_USAGE)
  if (parsed === 'help') {
    await printOut(context, TYPEGEN_USAGE)
    return EXIT_OK
  }
  if (parsed.positionals.length > 0) {
    throw new CliUsageError(`unexpected argument "${parsed.positionals[0]}"`, TYPEGEN_USAGE)
  }
  const selection = parseSelection(parsed.values.entities)
  const client = clientFromEnvironment(context.env)
  const entities = await readPortalEntities(client, selection)
  if (selection.smartProcesses !== 'all') {
    const missing = selection.smartProcesses.filter((id) => !entities.some((entity) => entity.entityTypeId === id))
    if (missing.length > 0) {
      throw new CliUsageError(`the portal has no smart process with entityTypeId ${missing.join(', ')}`, TYPEGEN_USAGE)
    }
  }
  const text = renderPortalTypes(client.credentials.domain, entities)
  const out = parsed.values.out ?? 'portal-types.d.ts'
  if (out === '-') {
    await printOut(context, text)
    return EXIT_OK
  }
  await writeFile(resolve(out), text, 'utf8')
  const fields = entities.reduce((sum, entity) => sum + entity.fields.length, 0)
  printErr(context, `b24tssdk typegen: wrote ${out} (${entities.length} entities, ${fields} fields)`)
  return EXIT_OK
}
