/**
 * The list readers against servers that lie (issue 8, items 5, 6, 7): a tiny node:http portal on 127.0.0.1 that
 * ignores `>ID`, drops or garbles IDs, repeats pages, claims a huge `total`, answers a list with a non-list or a
 * batch with something else. Each read ends with a typed error or the right rows — never a hang — and the
 * server counts every request, so each case also proves the read is bounded.
 */
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BitrixListError, BitrixValidationError } from '../../src/errors/index.js'
import { type AsListFastOptions, BitrixWebhook, Client } from '../../src/index.js'

type Params = Record<string, string>
type Row = Record<string, unknown>
/** One list call: the rows to return and what the envelope claims. */
type Page = { result: unknown; total?: number; next?: number }
type Behaviour = (method: string, params: Params) => Page

const ROWS = 1_000
const rows: Row[] = Array.from({ length: ROWS }, (_, index) => ({ ID: String(index + 1), TITLE: `Deal ${index + 1}` }))

/** Start offset and `>ID` bound of a call, as a portal reads them. */
function paging(params: Params): { start: number; after: number } {
  return { start: Math.max(0, Number(params.start ?? 0)), after: Number(params['filter[>ID]'] ?? 0) }
}

/** A fair portal over `data`: honours `>ID`, `<ID`, the ID order and `start`, counts unless `start=-1`. */
function fair(data: Row[], claimedTotal?: number): Behaviour {
  return (_method, params) => {
    const { start, after } = paging(params)
    const bound = (name: string, fallback: number) => Number(params[`filter[${name}ID]`] ?? fallback)
    const [low, high] = [Math.max(after + 1, bound('>=', 0)), Math.min(bound('<', Infinity) - 1, bound('<=', Infinity))]
    const matching = data.filter((row) => Number(row.ID) >= low && Number(row.ID) <= high)
    if (params['order[ID]'] === 'DESC') matching.reverse()
    const page = matching.slice(start, start + 50)
    const counted = params.start !== '-1'
    return {
      result: page,
      total: counted ? (claimedTotal ?? matching.length) : undefined,
      next: counted && start + 50 < (claimedTotal ?? matching.length) ? start + 50 : undefined,
    }
  }
}

/** Flattens `a[b][c]=v` query keys the way the server sees them (`a[b][c]`), keeping the last value. */
function queryParams(query: string): Params {
  return Object.fromEntries(new URLSearchParams(query))
}

/** Flattens a JSON body to the same bracketed keys. */
function flatten(value: unknown, prefix = '', out: Params = {}): Params {
  if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix === '' ? key : `${prefix}[${key}]`, out)
  } else out[prefix] = String(value)
  return out
}

const time = { start: 0, finish: 0, duration: 0, processing: 0.001, date_start: '', date_finish: '' }

interface Portal {
  client: Client
  requests: () => number
  use: (behaviour: Behaviour, batchReply?: (cmd: Record<string, string>) => unknown) => void
}

function startHostilePortal(): { portal: () => Portal; close: () => Promise<void>; ready: Promise<void> } {
  let behaviour: Behaviour = fair(rows)
  let batchReply: ((cmd: Record<string, string>) => unknown) | undefined
  let count = 0
  const server: Server = createServer((request, response) => {
    count++
    let body = ''
    request.on('data', (chunk) => {
      body += chunk
    })
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1')
      const method = url.pathname.replace(/^\/rest\/1\/key\//, '').replace(/\.json$/, '')
      const input = body === '' ? {} : (JSON.parse(body) as Record<string, unknown>)
      let reply: unknown
      if (method === 'batch') {
        const cmd = (input.cmd ?? {}) as Record<string, string>
        if (batchReply) reply = { result: batchReply(cmd), time }
        else {
          const out = {
            result: {} as Row,
            result_error: [],
            result_total: {} as Row,
            result_next: {} as Row,
            result_time: {} as Row,
          }
          for (const [key, command] of Object.entries(cmd)) {
            const [name, query = ''] = command.split('?')
            const params = queryParams(query)
            // `$result[c0][49][ID]`: the value of an earlier command's result, as batch resolves it.
            for (const [param, value] of Object.entries(params)) {
              const ref = /^\$result\[(\w+)\]\[(\d+)\]\[(\w+)\]$/.exec(value)
              const target = ref ? (out.result[ref[1]] as Row[] | undefined)?.[Number(ref[2])]?.[ref[3]] : undefined
              if (ref) params[param] = String(target ?? '')
            }
            const page = behaviour(name, params)
            out.result[key] = page.result
            if (page.total !== undefined) out.result_total[key] = page.total
            if (page.next !== undefined) out.result_next[key] = page.next
            out.result_time[key] = time
          }
          reply = { result: out, time }
        }
      } else {
        const page = behaviour(method, flatten(input))
        reply = { ...page, time }
      }
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify(reply))
    })
  })
  const ready = (async () => {
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
  })()
  return {
    ready,
    close: () => new Promise((resolve) => server.close(() => resolve())),
    portal: () => {
      const { port } = server.address() as AddressInfo
      const client = new Client(BitrixWebhook.fromUrl(`http://127.0.0.1:${port}/rest/1/key/`), {
        limiter: false,
        defaultMaxRetries: 0,
        defaultTimeout: 10,
      })
      return {
        client,
        requests: () => count,
        use: (next, nextBatch) => {
          behaviour = next
          batchReply = nextBatch
          count = 0
        },
      }
    },
  }
}

const hostile = startHostilePortal()
beforeAll(() => hostile.ready)
afterAll(() => hostile.close())

type Read = 'asList' | 'asList offsets' | 'asList by TITLE' | 'asListFast'

function read(client: Client, how: Read, fastOptions: AsListFastOptions = {}): Promise<unknown[]> {
  const options = { maxPages: fastOptions.maxPages }
  const list = (order?: { TITLE: 'ASC' }) =>
    client.crm.deal.list({ select: ['ID', 'TITLE'], ...(order ? { order } : {}) })
  switch (how) {
    case 'asList':
      return list().asList(options)
    case 'asList offsets':
      return list().asList({ ...options, strategy: 'offsets' })
    case 'asList by TITLE':
      return list({ TITLE: 'ASC' }).asList(options)
    case 'asListFast':
      return (async () => {
        const out: unknown[] = []
        for await (const row of list().asListFast(fastOptions)) out.push(row)
        return out
      })()
  }
}

interface Case {
  name: string
  how: Read
  behaviour: Behaviour
  batch?: (cmd: Record<string, string>) => unknown
  /** The typed error reason expected, or the number of rows a correct read returns. */
  expect: { reason: BitrixListError['reason'] } | { rows: number }
  /** The most HTTP requests the read may take. */
  maxRequests: number
  options?: AsListFastOptions
}

const ignoresCursor: Behaviour = (_m, params) => ({
  result: rows.slice(0, 50),
  ...(params.start === '-1' ? {} : { total: ROWS }),
})
const withoutIds: Behaviour = (m, params) => {
  const page = fair(rows)(m, params)
  return { ...page, result: (page.result as Row[]).map(({ TITLE }) => ({ TITLE })) }
}
const textIds: Behaviour = (m, params) => {
  const page = fair(rows)(m, params)
  return { ...page, result: (page.result as Row[]).map((row) => ({ ...row, ID: `deal-${row.ID}` })) }
}
/** Honours `>ID` but starts each page 25 rows back: half of every page was already read. */
const overlapping: Behaviour = (_m, params) => {
  const { after } = paging(params)
  const from = Math.max(0, after - 25)
  return { result: rows.slice(from, from + 50) }
}
const ignoresStart: Behaviour = () => ({ result: rows.slice(0, 50), total: ROWS, next: 50 })
const lyingTotal = (total: number): Behaviour => fair(rows.slice(0, 120), total)
const lyingTotalIgnoringStart =
  (total: number): Behaviour =>
  () => ({ result: rows.slice(0, 50), total, next: 50 })
const notAList: Behaviour = () => ({ result: { ID: '1', TITLE: 'one deal' } })
const scalar: Behaviour = () => ({ result: true })
/** The first call is fair and claims 100,000 rows; every batch reply is something else. */
const claims100k: Behaviour = (_m, params) => ({ ...fair(rows)(_m, params), total: 100_000, next: 50 })

type Extra = Pick<Case, 'batch' | 'options'>
const fails = (
  name: string,
  how: Read,
  behaviour: Behaviour,
  reason: BitrixListError['reason'],
  maxRequests: number,
  extra: Extra = {},
): Case => ({ name, how, behaviour, expect: { reason }, maxRequests, ...extra })
const reads = (name: string, how: Read, behaviour: Behaviour, rows: number, maxRequests: number): Case => ({
  name,
  how,
  behaviour,
  expect: { rows },
  maxRequests,
})
const notABatch = { batch: () => ({ unexpected: true }) }
const batchWithoutCommands = { batch: () => ({ result: [], result_error: [] }) }

const cases: Case[] = [
  fails('server ignores >ID', 'asListFast', ignoresCursor, 'cursor', 2),
  fails('server ignores >ID', 'asList', ignoresCursor, 'cursor', 2),
  fails('server ignores >ID, 3 ranges', 'asListFast', ignoresCursor, 'cursor', 2, { options: { concurrency: 3 } }),
  fails('server ignores >ID', 'asList by TITLE', ignoresCursor, 'cursor', 2),
  fails('rows without ID', 'asListFast', withoutIds, 'id', 1),
  fails('rows without ID', 'asList', withoutIds, 'id', 1),
  fails('non-numeric ID', 'asListFast', textIds, 'id', 1),
  fails('repeated rows', 'asListFast', overlapping, 'cursor', 2),
  fails('repeated pages', 'asList offsets', ignoresStart, 'repeat', 2),
  reads('lying total 1e9', 'asList offsets', lyingTotal(1e9), 120, 2),
  reads('lying total 1e12', 'asList offsets', lyingTotal(1e12), 120, 2),
  reads('lying total 1e12', 'asList by TITLE', lyingTotal(1e12), 120, 1),
  fails('lying total 1e12, start ignored', 'asList offsets', lyingTotalIgnoringStart(1e12), 'repeat', 2),
  fails('non-list result', 'asList offsets', notAList, 'shape', 1),
  fails('non-list result', 'asListFast', notAList, 'shape', 1),
  fails('scalar result', 'asList', scalar, 'shape', 1),
  fails('batch reply not shaped like a batch', 'asList offsets', claims100k, 'shape', 2, notABatch),
  fails('batch reply without the commands', 'asListFast', fair(rows), 'shape', 1, batchWithoutCommands),
  fails('maxPages reached', 'asListFast', fair(rows), 'maxPages', 2, { options: { maxPages: 3 } }),
  fails('maxPages reached', 'asList offsets', fair(rows), 'maxPages', 2, { options: { maxPages: 3 } }),
  reads('fair server', 'asListFast', fair(rows), ROWS, 1),
  { ...reads('fair server, 3 ranges', 'asListFast', fair(rows), ROWS, 4), options: { concurrency: 3 } },
  reads('fair server', 'asList offsets', fair(rows), ROWS, 2),
  reads('fair server', 'asList by TITLE', fair(rows), ROWS, 1),
]

describe('list readers against a hostile server', () => {
  it.each(cases)('$name: $how', async ({ how, behaviour, batch, expect: expected, maxRequests, options }) => {
    const portal = hostile.portal()
    portal.use(behaviour, batch)
    const outcome = await read(portal.client, how, options).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    )
    if ('reason' in expected) {
      expect('error' in outcome ? outcome.error : outcome.value).toBeInstanceOf(BitrixListError)
      const error = (outcome as { error: BitrixListError }).error
      expect(error.reason).toBe(expected.reason)
      expect(error.method).toBe('crm.deal.list')
      expect(error.message).toContain(`crm.deal.list: ${how.split(' ')[0]}()`)
    } else {
      if ('error' in outcome) throw outcome.error
      const ids = outcome.value.map((row) => Number((row as Row).ID))
      expect(new Set(ids).size).toBe(expected.rows)
      expect(ids).toHaveLength(expected.rows)
    }
    expect(portal.requests()).toBeLessThanOrEqual(maxRequests)
  })

  it('asList()/asListFast() on crm.deal.get: BitrixValidationError, nothing sent', async () => {
    const portal = hostile.portal()
    portal.use(fair(rows))
    // Typed, `.asList()` on crm.deal.get does not compile (test/types/list-methods.ts); at run time it is refused.
    const request = portal.client.call('crm.deal.get' as string, { id: 1 })
    await expect(request.asList()).rejects.toThrow(BitrixValidationError)
    await expect(request.asList()).rejects.toThrow(/crm\.deal\.get: not a list method; asList\(\)/)
    const stream = request.asListFast()[Symbol.asyncIterator]()
    await expect(stream.next()).rejects.toThrow(/crm\.deal\.get: not a list method; asListFast\(\)/)
    expect(portal.requests()).toBe(0)
  })

  it('an empty keyed list may come as a bare [] (PHP), and reads as no rows', async () => {
    const portal = hostile.portal()
    portal.use(() => ({ result: [], total: 0 }))
    expect(await portal.client.tasks.task.list({}).asList()).toEqual([])
    const streamed: unknown[] = []
    for await (const task of portal.client.tasks.task.list({}).asListFast()) streamed.push(task)
    expect(streamed).toEqual([])
    expect(portal.requests()).toBeLessThanOrEqual(2)
  })

  it('maxPages must be a positive integer', async () => {
    const portal = hostile.portal()
    portal.use(fair(rows))
    await expect(portal.client.crm.deal.list({}).asList({ maxPages: 0 })).rejects.toThrow(BitrixValidationError)
    expect(portal.requests()).toBe(0)
  })
})
