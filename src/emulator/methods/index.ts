/**
 * The emulated portal's data and entity methods. `createPortal` builds a deterministic portal (same options →
 * same rows) whose seeded rows are computed on demand, so even a million deals cost no memory until changed.
 */

import type { CostModel, MethodDefinition, MethodTable, SeedOptions } from '../kernel.js'
import { CrmStore, crmMethods } from './crm.js'
import { crmFiles } from './crm-files.js'
import type { SeedContext, SeedCounts } from './crm-seed.js'
import { FileVault } from './disk-vault.js'
import type { PortalEnv } from './env.js'
import { crmSmartProcesses, crmUserFields } from './generic/crm-user-fields.js'
import {
  appStorageMethods,
  crmLinkMethods,
  diskMethods,
  type Family,
  GenericStore,
  genericMethods,
  notificationMethods,
} from './generic/index.js'
import { GroupStore, sonetMethods } from './sonet.js'
import { TaskStore, taskMethods } from './tasks.js'
import { DirectoryStore, directoryMethods } from './users.js'
import { formatIso } from './util.js'

export { CRM_ENTITIES, SMART_ENTITY_TYPE_ID } from './crm-schema.js'
export type { PortalEnv } from './env.js'

/** Seed sizes used when an option is not given. */
export const DEFAULT_SEED: Readonly<SeedCounts> = {
  deals: 200,
  leads: 100,
  contacts: 100,
  companies: 50,
  users: 10,
  departments: 5,
  tasks: 50,
  smartItems: 20,
  groups: 3,
}

/** Default end of the seeded timeline: 2026-01-01T00:00:00Z (seeded rows were created in the 3 years before). */
export const DEFAULT_ANCHOR_TIME = 1767225600

export interface PortalOptions {
  seed: SeedOptions & { groups?: number }
  costs: CostModel
  randomSeed: number
  /** Portal time zone as a UTC offset in minutes; dates are printed with it. Default 120 (`+02:00`). */
  timezoneOffsetMinutes?: number
  /** End of the seeded timeline (Unix seconds). Default {@link DEFAULT_ANCHOR_TIME}. */
  anchorTime?: number
  /** Cap on the bytes of all stored files (Drive files, CRM file fields). Default 1 GiB. */
  maxStoredFileBytes?: number
}

export interface Portal {
  methods: MethodTable
  env: PortalEnv
  crm: CrmStore
  directory: DirectoryStore
  groups: GroupStore
  tasks: TaskStore
  /** Rows of the generic families (created on first use). */
  generic: GenericStore
  /** The CRUD families served by the generic store. */
  genericFamilies: readonly Family[]
  /** The bytes of stored files; `dispose()` it when the portal is done. */
  files: FileVault
}

function count(value: number | undefined, fallback: number): number {
  if (value === undefined || value === null) return fallback
  const n = Math.floor(Number(value))
  return Number.isFinite(n) && n > 0 ? n : 0
}

export function createPortal(options: PortalOptions): Portal {
  const s = options.seed ?? {}
  const counts: SeedCounts = {
    deals: count(s.deals, DEFAULT_SEED.deals),
    leads: count(s.leads, DEFAULT_SEED.leads),
    contacts: count(s.contacts, DEFAULT_SEED.contacts),
    companies: count(s.companies, DEFAULT_SEED.companies),
    users: Math.max(1, count(s.users, DEFAULT_SEED.users)),
    departments: Math.max(1, count(s.departments, DEFAULT_SEED.departments)),
    tasks: count(s.tasks, DEFAULT_SEED.tasks),
    smartItems: count(s.smartItems, DEFAULT_SEED.smartItems),
    groups: count(s.groups, DEFAULT_SEED.groups),
  }
  const env: PortalEnv = {
    costs: options.costs,
    tz: options.timezoneOffsetMinutes ?? 120,
    anchor: options.anchorTime ?? DEFAULT_ANCHOR_TIME,
    randomSeed: options.randomSeed >>> 0,
    counts,
  }
  const seed: SeedContext = { seed: env.randomSeed, counts, anchor: env.anchor, tz: env.tz }
  const crm = new CrmStore(env, seed)
  const files = new FileVault(options.maxStoredFileBytes)
  crm.files = crmFiles(files)
  const directory = new DirectoryStore(env, seed)
  const groups = new GroupStore(env, seed)
  const tasks = new TaskStore(env, seed)

  const system: Record<string, MethodDefinition> = {
    'server.time': {
      scope: 'basic',
      handler: (_params, ctx) => {
        ctx.cost(env.costs.base)
        return { result: formatIso(ctx.now(), env.tz) }
      },
    },
  }

  const all: Record<string, MethodDefinition> = {
    ...crmMethods(crm),
    ...directoryMethods(directory),
    ...sonetMethods(groups),
    ...taskMethods(tasks, directory, groups),
    ...system,
  }
  const genericStore = new GenericStore(env)
  Object.assign(
    all,
    appStorageMethods(env, genericStore),
    notificationMethods(env),
    diskMethods(env, files),
    crmLinkMethods(crm),
  )
  const handWritten = new Set(Object.keys(all).map((name) => name.toLowerCase()))
  const generic = genericMethods(genericStore, handWritten)
  crm.userFields = crmUserFields(generic.store)
  crm.smartProcesses = crmSmartProcesses(generic.store)
  const methods: MethodTable = new Map(Object.entries(generic.methods).map(([name, def]) => [name.toLowerCase(), def]))
  for (const [name, def] of Object.entries(all)) methods.set(name.toLowerCase(), def)
  return {
    methods,
    env,
    crm,
    directory,
    groups,
    tasks,
    generic: generic.store,
    genericFamilies: generic.families,
    files,
  }
}

/** A CRUD family the emulator serves with state, and the catalogued methods of it that it serves. */
export interface StatefulFamily {
  prefix: string
  methods: string[]
  /** `generic`: the spec-driven store; `hand-written`: the portal's own implementation. */
  source: 'generic' | 'hand-written'
}

const CRUD_OPS = ['add', 'get', 'list', 'update', 'delete', 'fields']

/** Hand-written families that hold state, by prefix. */
const HAND_WRITTEN_FAMILIES: readonly string[] = ['crm.company', 'crm.contact', 'crm.deal', 'crm.item', 'crm.lead']

/**
 * Every CRUD family the emulator serves with state (the generic families and the stateful hand-written ones),
 * sorted by prefix; `test/e2e/emulator-crud-families.test.ts` checks that exactly these pass the generated test.
 */
export function servedWithState(): StatefulFamily[] {
  const portal = createPortal({
    seed: { deals: 0 },
    costs: { base: 0, countPerThousandRows: 0, offsetPerThousandRows: 0, perRow: 0 },
    randomSeed: 1,
  })
  const out: StatefulFamily[] = portal.genericFamilies.map((f) => ({
    prefix: f.prefix,
    methods: Object.values(f.methods).sort(),
    source: 'generic' as const,
  }))
  for (const prefix of HAND_WRITTEN_FAMILIES) {
    const methods = CRUD_OPS.map((op) => `${prefix}.${op}`).filter((name) => portal.methods.has(name))
    out.push({ prefix, methods: methods.sort(), source: 'hand-written' })
  }
  return out.sort((a, b) => (a.prefix < b.prefix ? -1 : 1))
}
