/**
 * One generated test for every documented CRUD family. Expectations come only from what a user can read — the
 * catalogue generated from the official docs (`spec/methods.json`: parameters, documented examples) — never from
 * the emulator's own family tables. Per family: add → get returns the written fields with the documented wire
 * types and the documented example's keys; list with each filter operator, `order`, `select` and `start=-1`;
 * update is visible; get after delete gives a not-found error; an add without a required field names it.
 * The families that pass must be exactly those the emulator says it serves with state (`servedWithState()`),
 * and their methods are the figure listed in docs/emulator.md.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type Emulator, servedWithState, startEmulator } from '../../src/emulator/index.js'

// biome-ignore lint/suspicious/noExplicitAny: catalogue records and answers are read freely
type Json = any

interface Param {
  name: string
  type: string
  required?: boolean
  array?: boolean
  fields?: Param[]
}

const catalogue: Json[] = JSON.parse(readFileSync(new URL('../../spec/methods.json', import.meta.url), 'utf8'))
const byName = new Map<string, Json>(catalogue.filter((r) => r.version !== 3).map((r) => [r.name.toLowerCase(), r]))

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const exampleOf = (record: Json): unknown => (isObject(record?.example) ? record.example.result : undefined)
/** `{ item: {…} }` → `['item', {…}]` */
const unwrap = (v: unknown): [string | null, Json] => {
  if (isObject(v)) {
    const keys = Object.keys(v)
    if (keys.length === 1 && isObject(v[keys[0]])) return [keys[0], v[keys[0]]]
  }
  return [null, v]
}

/** The JSON type a reader sees: string, number, boolean, array, object. */
const jsonType = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v)

/** What the docs say about one family, read the way an integrator reads the pages. */
interface DocFamily {
  prefix: string
  names: Record<string, string>
  idKey: string
  getKey: string | null
  docRow: Record<string, unknown>
  /** `null` when get is the family's list (rows are read by an ID filter). */
  idParam: string | null
  /** The ID parameter of update and delete, when they are documented (`LIST_ID`). */
  updateId: string | null
  deleteId: string | null
  scope: Record<string, unknown>
  fieldsParam: string | null
  writable: Param[]
  required: Param[]
  listKey: string | null
  /** The list's documented parameter names (`undefined`: not documented, not checked). */
  listParams: { filter?: string; order?: string; select?: string; start?: string }
  numeric: boolean
}

function docFamily(prefix: string): DocFamily | string {
  const names: Record<string, string> = {}
  for (const op of ['add', 'get', 'list', 'update', 'delete', 'fields']) {
    // `getlist` and `getfields` are how some families spell list and fields (task.commentitem, catalog.*)
    const record = byName.get(`${prefix}.${op}`) ?? byName.get(`${prefix}.get${op}`)
    if (record && (op === 'list' || op === 'fields' || record.name.toLowerCase() === `${prefix}.${op}`)) {
      names[op] = record.name
    }
  }
  if (!names.add || !names.get) return 'no documented add and get'
  const add = byName.get(`${prefix}.add`)
  const get = byName.get(`${prefix}.get`)
  // a get that answers a list and takes a filter (entity.item.get) is how the family lists and reads rows
  const getExample = exampleOf(get)
  const getIsList =
    !names.list &&
    Array.isArray(getExample) &&
    isObject(getExample[0]) &&
    (get.params ?? []).some((p: Param) => /^filter$/i.test(p.name))
  if (getIsList) {
    names.list = names.get
    delete names.get
  }
  const list = names.list ? byName.get(names.list.toLowerCase()) : undefined
  const [getKey, docRow] = getIsList ? [null, (getExample as Json[])[0]] : unwrap(getExample)
  if (!isObject(docRow)) return 'get has no documented example row'
  const idKey = 'ID' in docRow ? 'ID' : 'id' in docRow ? 'id' : null
  if (idKey === null || !/^\d+$/.test(String(docRow[idKey]))) return 'rows have no numeric ID'
  const getParams: Param[] = get.params ?? []
  const addParams: Param[] = add.params ?? []
  // the ID parameter: `id` in any case, else the one required `…Id` parameter that add does not take (ITEMID)
  const idParamOf = (op: string): string | null => {
    const params: Param[] = byName.get(names[op]?.toLowerCase() ?? '')?.params ?? []
    const named = params.filter(
      (p) => /id$/i.test(p.name) && !addParams.some((a) => a.name.toLowerCase() === p.name.toLowerCase()),
    )
    const required = named.filter((p) => p.required)
    const exact = params.find((p) => /^id$/i.test(p.name))?.name
    return exact ?? (required.length === 1 ? required[0].name : named.length === 1 ? named[0].name : null)
  }
  const idParam = getIsList ? null : idParamOf('get')
  if (!idParam && !getIsList) return 'get takes no id'
  const scope: Record<string, unknown> = {}
  for (const p of getParams) {
    if (!p.required || p.name === idParam) continue
    scope[p.name] = docRow[p.name] ?? (p.type === 'integer' ? 1 : 'crm')
  }
  const fieldsParam: Param | undefined = (add.params ?? []).find((p: Param) => /^fields?$/i.test(p.name))
  const writable: Param[] = fieldsParam
    ? (fieldsParam.fields ?? [])
    : // `UF_` stands for the user fields, not a field of that name
      (add.params ?? []).filter((p: Param) => !(p.name in scope) && !p.name.endsWith('_'))
  const listExample = exampleOf(list)
  const listParam = (name: string): string | undefined =>
    (list?.params ?? []).find((p: Param) => p.name.toLowerCase() === name)?.name
  const listKey = list?.list
    ? list.list.key
    : Array.isArray(listExample)
      ? null
      : isObject(listExample)
        ? (Object.keys(listExample).find((k) => Array.isArray(listExample[k]) || isObject(listExample[k])) ?? null)
        : // no example: the returned-data table's one array
          ((list?.result?.fields ?? []).find((f: Param) => f.array)?.name ?? null)
  return {
    prefix,
    names,
    idKey,
    getKey,
    docRow,
    idParam,
    updateId: names.update ? idParamOf('update') : null,
    deleteId: names.delete ? idParamOf('delete') : null,
    scope,
    fieldsParam: fieldsParam?.name ?? null,
    writable,
    required: writable.filter((p) => p.required),
    listKey,
    listParams: {
      filter: list?.list?.filterKey || listParam('filter'),
      order: list?.list?.orderKey || listParam('order') || listParam('sort'),
      select: list?.list?.selectKey || listParam('select'),
      start: list?.list ? 'start' : listParam('start'),
    },
    numeric: typeof docRow[idKey] === 'number',
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Values a user would write, from the documented example first, else from the documented type

let counter = 0

function sampleValue(family: DocFamily, p: Param): unknown {
  const documented = family.docRow[p.name]
  if (documented !== null && documented !== undefined && typeof documented !== 'object') return documented
  const type = p.type.split('|')[0]
  if (p.array) return []
  if (type === 'integer' || type.endsWith('.id') || type === 'user') return family.numeric ? 1 : '1'
  if (type === 'double') return family.numeric ? 1.5 : '1.5'
  if (type === 'boolean') return family.numeric ? true : 'Y'
  if (type === 'date') return '2025-03-04'
  if (type === 'datetime') return '2025-03-04T05:06:07+02:00'
  if (type === 'string') return `text ${++counter}`
  if (documented !== null && documented !== undefined) return documented
  return { VALUE: 'x' }
}

/** A writable text field and a writable number field to filter on (`null` when the docs show none). */
function probes(family: DocFamily): { text: Param | null; number: Param | null } {
  const candidates = family.writable.filter((p) => !p.array && p.name !== family.idKey && !(p.name in family.scope))
  const shownAs = (p: Param, test: (v: unknown) => boolean) => p.name in family.docRow && test(family.docRow[p.name])
  const textLike = (v: unknown) =>
    v === undefined || v === null || (typeof v === 'string' && !/^[\d.]*$|^[YN]$/.test(v))
  const numberLike = (v: unknown) =>
    v === undefined || v === null || typeof v === 'number' || (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v))
  const pick = (type: (p: Param) => boolean, like: (v: unknown) => boolean) =>
    candidates.find((p) => type(p) && shownAs(p, like)) ??
    candidates.find((p) => type(p) && like(family.docRow[p.name])) ??
    null
  const text = pick((p) => p.type === 'string', textLike)
  const number = pick((p) => p.type === 'integer' || p.type === 'double', numberLike)
  return { text, number }
}

/** Loose equality of a written value and what came back: `'5'` = `5`, `'Y'` = `true`, dates by instant. */
function sameValue(written: unknown, read: unknown): boolean {
  if (typeof written === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(written) && typeof read === 'string') {
    return Date.parse(written) === Date.parse(read)
  }
  if (
    typeof written === 'string' &&
    typeof read === 'string' &&
    /^-?\d+\.?\d*$/.test(written) &&
    /^-?\d+\.?\d*$/.test(read)
  ) {
    return Number(written) === Number(read)
  }
  const norm = (v: unknown) => (v === true || v === 'Y' ? 'Y' : v === false || v === 'N' ? 'N' : String(v))
  return norm(written) === norm(read)
}

// ---------------------------------------------------------------------------------------------------------------
// The scenario

class Caller {
  constructor(readonly emu: Emulator) {}
  async call(method: string, params: Record<string, unknown>): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${this.emu.webhookUrl}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    })
    return { status: response.status, body: await response.json() }
  }
}

/**
 * Keys a row shows only on the documenting portal or only once set: its user fields, its smart-process links
 * and the CRM multi-fields (PHONE, EMAIL, …, crm.item's fm: shown when the row has one).
 */
const SET_ONLY = /^UF_|^uf[A-Z]|^PARENT_ID_\d+$|^parentId\d+$|^(PHONE|EMAIL|WEB|IM|LINK|fm)$/

const FAIL = (message: string): never => {
  throw new Error(message)
}

/** list with each filter operator, `order`, `select` and `start=-1`, as far as the list documents them. */
async function listChecks(
  caller: Caller,
  family: DocFamily,
  first: Record<string, unknown>,
  second: Record<string, unknown>,
  [id1, id2]: [number, number],
  text: Param | null,
  number: Param | null,
): Promise<void> {
  const { names, scope, idKey } = family
  const { filter: filterKey, order: orderKey, select: selectKey, start: startKey } = family.listParams
  // rows other than this test's (a seeded portal's) are kept out by an ID filter when the list takes one
  const listIds = async (params: Record<string, unknown>): Promise<{ ids: number[]; body: Json; rows: Json[] }> => {
    const own = filterKey ? { [filterKey]: { [`>=${idKey}`]: id1, ...(params[filterKey] as object) } } : {}
    const r = await caller.call(names.list, { ...scope, ...params, ...own })
    if (r.status !== 200) FAIL(`list ${JSON.stringify(params)} answered ${r.status} ${JSON.stringify(r.body)}`)
    const found = family.listKey === null ? r.body.result : r.body.result?.[family.listKey]
    // some lists answer an object keyed by ID (tasks.template.checklist.list)
    const rows: Json[] =
      isObject(found) && Object.keys(found).every((k) => /^\d+$/.test(k)) ? Object.values(found) : found
    if (!Array.isArray(rows)) FAIL(`list answered no rows: ${JSON.stringify(r.body.result)}`)
    return { ids: rows.map((row) => Number(row[idKey] ?? row.id ?? row.ID)), body: r.body, rows }
  }
  const all = await listIds({})
  if (JSON.stringify(all.ids) !== JSON.stringify([id1, id2])) FAIL(`list gave ${all.ids}, expected ${[id1, id2]}`)
  const probe = text ?? number
  if (filterKey) {
    const expectIds = async (filter: Record<string, unknown>, expected: number[]) => {
      const { ids } = await listIds({ [filterKey]: filter })
      if (JSON.stringify(ids) !== JSON.stringify(expected)) {
        FAIL(`filter ${JSON.stringify(filter)} gave ${JSON.stringify(ids)}, expected ${JSON.stringify(expected)}`)
      }
    }
    await expectIds({ [`>${idKey}`]: id1 }, [id2])
    await expectIds({ [`@${idKey}`]: [id2] }, [id2])
    if (text) {
      const [a, b] = [first[text.name], second[text.name]] as string[]
      await expectIds({ [text.name]: a }, [id1])
      await expectIds({ [`=${text.name}`]: b }, [id2])
      await expectIds({ [`!${text.name}`]: a }, [id2])
      await expectIds({ [`!=${text.name}`]: a }, [id2])
      await expectIds({ [`@${text.name}`]: [b] }, [id2])
      await expectIds({ [`!@${text.name}`]: [b] }, [id1])
      await expectIds({ [`%${text.name}`]: 'alpha' }, [id1])
      await expectIds({ [`!%${text.name}`]: 'alpha' }, [id2])
      await expectIds({ [`=%${text.name}`]: 'beta%' }, [id2])
      await expectIds({ [`%=${text.name}`]: 'alpha%' }, [id1])
    }
    if (number) {
      await expectIds({ [`>${number.name}`]: 10 }, [id2])
      await expectIds({ [`>=${number.name}`]: 10 }, [id1, id2])
      await expectIds({ [`<${number.name}`]: 20 }, [id1])
      await expectIds({ [`<=${number.name}`]: 10 }, [id1])
      await expectIds({ [`><${number.name}`]: [5, 15] }, [id1])
      await expectIds({ [`!><${number.name}`]: [5, 15] }, [id2])
    }
  }
  // rows keyed by ID lose their order in any JSON reader that sorts integer keys (JavaScript does): not checked
  const keyedRows = isObject(all.body.result?.[family.listKey ?? ''])
  if (orderKey && !keyedRows) {
    const desc = await listIds({ [orderKey]: { [idKey]: 'DESC' } })
    if (JSON.stringify(desc.ids) !== JSON.stringify([id2, id1])) FAIL(`order ${idKey} DESC gave ${desc.ids}`)
    if (probe) {
      const byProbe = await listIds({ [orderKey]: { [probe.name]: 'DESC' } })
      if (JSON.stringify(byProbe.ids) !== JSON.stringify([id2, id1]))
        FAIL(`order ${probe.name} DESC gave ${byProbe.ids}`)
    }
  }
  if (selectKey) {
    const picked = probe?.name ?? idKey
    const selected = await listIds({ [selectKey]: [idKey, picked] })
    for (const row of selected.rows) {
      const extra = Object.keys(row).filter((k) => k !== idKey && k !== picked)
      if (extra.length > 0 || !(picked in row)) FAIL(`select [${idKey}, ${picked}] gave ${Object.keys(row)}`)
    }
    const star = await listIds({ [selectKey]: ['*'] })
    for (const key of Object.keys(family.docRow)) {
      if (!SET_ONLY.test(key) && !(key in star.rows[0])) FAIL(`select * lacks ${key}`)
    }
  }
  if (startKey) {
    const uncounted = await listIds({ [startKey]: -1 })
    if (uncounted.ids.length !== 2 || uncounted.body.next !== undefined) FAIL('start=-1 paged or lost rows')
  }
}

/**
 * `fields` is checked when the docs show it as a map of field descriptions (bare or under one key, e.g.
 * `{ fields: { title: {…} } }`) or show no example. Other formats (a
 * list of descriptions) are not checked, and the method is then not counted. It must describe every field add takes and get shows.
 */
async function fieldsChecked(caller: Caller, family: DocFamily): Promise<boolean> {
  const method = family.names.fields
  if (!method) return false
  const record = byName.get(method.toLowerCase())
  const example = exampleOf(record)
  const isMap = (v: unknown): v is Record<string, unknown> => isObject(v) && Object.values(v).every(isObject)
  const [key, inner] = unwrap(example)
  const wrapped = key !== null && isMap(inner) && !(key in family.docRow)
  if (example !== undefined && !wrapped && !isMap(example)) return false
  if (example === undefined && record.result?.kind === 'list') return false
  const r = await caller.call(method, { ...family.scope })
  if (r.status !== 200) FAIL(`fields answered ${r.status} ${JSON.stringify(r.body)}`)
  const described = wrapped ? r.body.result?.[key as string] : r.body.result
  if (!isMap(described)) FAIL(`fields answered ${JSON.stringify(r.body.result).slice(0, 200)}`)
  // the fields add takes that get shows (get also shows computed values fields does not describe, as crm.item's
  // fm; add also takes write-only parameters, as TRACE)
  const documented = family.writable.map((p) => p.name).filter((name) => name in family.docRow)
  const missing = documented.filter((name) => !SET_ONLY.test(name) && !(name in described))
  if (missing.length > 0) FAIL(`fields does not describe ${missing.join(', ')}`)
  return true
}

/** Runs the scenario; answers the methods it exercised. */
async function scenario(caller: Caller, family: DocFamily): Promise<string[]> {
  const { names, scope, idKey, idParam } = family
  const { text, number } = probes(family)
  const fieldsOf = (values: Record<string, unknown>) =>
    family.fieldsParam === null ? { ...scope, ...values } : { ...scope, [family.fieldsParam]: values }

  const base: Record<string, unknown> = {}
  for (const p of family.required) base[p.name] = sampleValue(family, p)
  const textValue = (tag: string) => `${tag} ${family.prefix} ${++counter}`
  const first = { ...base } as Record<string, unknown>
  const second = { ...base } as Record<string, unknown>
  if (text) {
    first[text.name] = textValue('alpha')
    second[text.name] = textValue('beta')
  }
  if (number) {
    first[number.name] = family.numeric ? 10 : '10'
    second[number.name] = family.numeric ? 20 : '20'
  }

  const added = async (values: Record<string, unknown>): Promise<number> => {
    const r = await caller.call(names.add, fieldsOf(values))
    if (r.status !== 200) FAIL(`add answered ${r.status} ${JSON.stringify(r.body)}`)
    const result = r.body.result
    const [, inner] = unwrap(result)
    const id = typeof result === 'number' || typeof result === 'string' ? result : (inner?.[idKey] ?? inner?.id)
    if (!/^\d+$/.test(String(id))) FAIL(`add answered no ID: ${JSON.stringify(result)}`)
    return Number(id)
  }
  const read = async (id: number): Promise<{ status: number; row: Json; body: Json }> => {
    if (!names.get || !idParam) {
      const filter = family.listParams.filter ?? 'filter'
      const r = await caller.call(names.list, { ...scope, [filter]: { [idKey]: id } })
      return { status: r.status, row: Array.isArray(r.body.result) ? r.body.result[0] : undefined, body: r.body }
    }
    const r = await caller.call(names.get, { ...scope, [idParam]: id })
    const row = family.getKey === null ? r.body.result : r.body.result?.[family.getKey]
    return { status: r.status, row, body: r.body }
  }

  // add → get: the documented keys, the documented wire types, the written values
  const id1 = await added(first)
  const got = await read(id1)
  if (got.status !== 200 || !isObject(got.row)) FAIL(`get answered ${got.status} ${JSON.stringify(got.body)}`)
  for (const [key, documented] of Object.entries(family.docRow)) {
    if (SET_ONLY.test(key)) continue
    if (!(key in got.row)) FAIL(`get lacks the documented field ${key}`)
    const value = got.row[key]
    if (documented !== null && value !== null && jsonType(documented) !== jsonType(value)) {
      FAIL(`${key} is ${jsonType(value)} (${JSON.stringify(value)}), documented ${jsonType(documented)}`)
    }
  }
  if (jsonType(got.row[idKey]) !== jsonType(family.docRow[idKey]) || Number(got.row[idKey]) !== id1) {
    FAIL(`get returned ${idKey} ${JSON.stringify(got.row[idKey])} for ${id1}`)
  }
  for (const [key, value] of Object.entries(first)) {
    if (typeof value === 'object' || !(key in got.row)) continue
    if (!sameValue(value, got.row[key]))
      FAIL(`${key} written ${JSON.stringify(value)}, read ${JSON.stringify(got.row[key])}`)
  }
  const id2 = await added(second)

  if (names.list) await listChecks(caller, family, first, second, [id1, id2], text, number)

  // update is visible
  const probe = text ?? number
  if (names.update && family.updateId && probe) {
    const changed = (text ? textValue('gamma') : family.numeric ? 30 : '30') as unknown
    const values = { [probe.name]: changed }
    const updateParams =
      family.fieldsParam === null ? { ...scope, ...values } : { ...scope, [family.fieldsParam]: values }
    const r = await caller.call(names.update, { ...updateParams, [family.updateId]: id1 })
    if (r.status !== 200) FAIL(`update answered ${r.status} ${JSON.stringify(r.body)}`)
    const after = await read(id1)
    if (!sameValue(changed, after.row?.[probe.name]))
      FAIL(`update not visible: ${JSON.stringify(after.row?.[probe.name])}`)
  }

  // delete → not found
  if (names.delete && family.deleteId) {
    const deleted = await caller.call(names.delete, { ...scope, [family.deleteId]: id1 })
    if (deleted.status !== 200) FAIL(`delete answered ${deleted.status} ${JSON.stringify(deleted.body)}`)
    const gone = await read(id1)
    const message = `${gone.body.error ?? ''} ${gone.body.error_description ?? ''}`
    if (!names.get) {
      // a get that lists: the deleted row is no longer listed
      if (gone.status !== 200 || gone.row !== undefined)
        FAIL(`the deleted row is still listed: ${JSON.stringify(gone.body)}`)
    } else if (gone.status !== 400 || !/not.?found/i.test(message)) {
      FAIL(`get after delete answered ${gone.status} ${message}`)
    }
  }

  const checkedFields = await fieldsChecked(caller, family)

  // a missing required field is named
  const required = family.required.find((p) => !(p.name in scope))
  if (required) {
    const values = { ...first }
    delete values[required.name]
    const r = await caller.call(names.add, fieldsOf(values))
    const text = `${r.body.error ?? ''} ${r.body.error_description ?? ''}`
    if (r.status !== 400 || !text.includes(required.name)) {
      FAIL(`add without ${required.name} answered ${r.status} ${text}`)
    }
  }
  return Object.entries(names)
    .filter(([op]) => op !== 'fields' || checkedFields)
    .map(([, name]) => name)
    .sort()
}

// ---------------------------------------------------------------------------------------------------------------

const DOCS = new URL('../../docs/emulator.md', import.meta.url)
const BEGIN = '<!-- served-with-state:begin -->'
const END = '<!-- served-with-state:end -->'

function docsSection(passing: { prefix: string; methods: string[] }[]): string {
  const total = passing.reduce((n, f) => n + f.methods.length, 0)
  const lines = [
    BEGIN,
    `${total} catalogued REST v2 methods in ${passing.length} families are served with state (generated by`,
    '`UPDATE_EMULATOR_DOCS=1 npx vitest run test/e2e/emulator-crud-families.test.ts`):',
    '',
    '| family | methods |',
    '| --- | --- |',
    ...passing.map((f) => `| \`${f.prefix}\` | ${f.methods.map((m) => m.slice(f.prefix.length + 1)).join(', ')} |`),
    END,
  ]
  return lines.join('\n')
}

describe('every documented CRUD family the emulator serves with state', () => {
  it('passes the generated test, and the families passing it are the served-with-state figure', async () => {
    const emu = await startEmulator({ realDelays: false, plan: 'off', operatingLimit: false })
    try {
      const caller = new Caller(emu)
      const prefixes = new Set<string>()
      for (const name of byName.keys()) {
        const m = /^(.*)\.(add|get|list|update|delete|fields)$/.exec(name)
        if (m) prefixes.add(m[1])
      }
      const passing: { prefix: string; methods: string[] }[] = []
      const failures = new Map<string, string>()
      for (const prefix of [...prefixes].sort()) {
        const family = docFamily(prefix)
        if (typeof family === 'string') {
          continue
        }
        try {
          passing.push({ prefix, methods: await scenario(caller, family) })
        } catch (error) {
          failures.set(prefix, (error as Error).message)
        }
      }
      const served = servedWithState()
      const servedPrefixes = served.map((f) => f.prefix)
      const failedServed = servedPrefixes.filter((p) => failures.has(p)).map((p) => `${p}: ${failures.get(p)}`)
      expect(failedServed).toEqual([])
      expect(passing.map((f) => f.prefix)).toEqual(servedPrefixes)
      const count = passing.reduce((n, f) => n + f.methods.length, 0)
      expect(count).toBe(served.reduce((n, f) => n + f.methods.length, 0))
      expect(count).toBeGreaterThanOrEqual(400)

      const section = docsSection(passing)
      const docs = readFileSync(DOCS, 'utf8')
      const current = docs.includes(BEGIN) ? docs.slice(docs.indexOf(BEGIN), docs.indexOf(END) + END.length) : ''
      // compared without the table padding a Markdown formatter adds
      const plain = (text: string) => text.replace(/ *\| */g, '|').replace(/-{3,}/g, '---')
      if (process.env.UPDATE_EMULATOR_DOCS === '1' && plain(current) !== plain(section)) {
        writeFileSync(DOCS, current ? docs.replace(current, section) : `${docs.trimEnd()}\n\n${section}\n`)
      } else {
        expect(plain(current)).toBe(plain(section))
      }
    } finally {
      await emu.close()
    }
  }, 120_000)
})
