/**
 * Scenario 1: read every deal of the portal. Streams count rows as they come; array readers return them all at
 * once. Either way every ID is checked off once, so "exact" means no row missing, none repeated.
 */
import type { Method } from '@2bad/bitrix'
import type { AsListFastOptions } from '../../src/requests/list-common.js'
import { jsSdk, ours, twoBad } from '../sdks.js'
import type { Outcome, RunSpec } from './types.js'

type Row = { ID?: string | number | null }

/** Ticks IDs 1..n off a bitmap (n bytes): constant memory next to the rows themselves. */
class RowCheck {
  readonly #seen: Uint8Array
  #rows = 0
  #bad = 0

  constructor(readonly n: number) {
    this.#seen = new Uint8Array(n + 1)
  }

  add(row: Row): void {
    this.#rows++
    const id = Number(row.ID)
    if (!(id >= 1 && id <= this.n) || this.#seen[id]) this.#bad++
    else this.#seen[id] = 1
  }

  outcome(note?: string): Outcome {
    return { rows: this.#rows, exact: this.#rows === this.n && this.#bad === 0, ...(note ? { note } : {}) }
  }
}

const ORDER = { order: { ID: 'ASC' } } as const

export const CONCURRENCY = 4

/** This SDK's `asListFast(options)` over every deal, each row checked off. */
function oursFast(options: AsListFastOptions = {}): RunSpec['prepare'] {
  return async ({ env, n }) => {
    const client = await ours(env)
    return async () => {
      const check = new RowCheck(n)
      for await (const row of client.crm.deal.list(ORDER).asListFast(options)) check.add(row)
      return check.outcome()
    }
  }
}

export const exportRuns: Record<string, RunSpec> = {
  'ours-fast': {
    sdk: 'b24tssdk',
    how: 'asListFast()',
    prepare: oursFast(),
  },
  'ours-fast-million': {
    sdk: 'b24tssdk',
    how: 'asListFast() over 1,000,000 deals',
    prepare: async (context) => exportRuns['ours-fast'].prepare(context),
  },
  'ours-fast-concurrent': {
    sdk: 'b24tssdk',
    how: `asListFast({ concurrency: ${CONCURRENCY} })`,
    prepare: oursFast({ concurrency: CONCURRENCY }),
  },
  'ours-pages': {
    sdk: 'b24tssdk',
    how: 'one keyset page per request (start=-1, no batch packing)',
    prepare: async ({ env, n }) => {
      const client = await ours(env)
      return async () => {
        const check = new RowCheck(n)
        let after = 0
        for (;;) {
          const page = await client.crm.deal.list({ ...ORDER, filter: { '>ID': after }, start: -1 })
          for (const row of page.result) check.add(row)
          if (page.result.length < 50) break
          after = Number(page.result[page.result.length - 1].ID)
        }
        return check.outcome()
      }
    },
  },
  'ours-fast-auto': {
    sdk: 'b24tssdk',
    how: "asListFast({ concurrency: 'auto' }) (operating share 0.5)",
    prepare: oursFast({ concurrency: 'auto' }),
  },
  'ours-list': {
    sdk: 'b24tssdk',
    how: 'asList() (array)',
    prepare: async ({ env, n }) => {
      const client = await ours(env)
      return async () => {
        const check = new RowCheck(n)
        for (const row of await client.crm.deal.list(ORDER).asList()) check.add(row)
        return check.outcome()
      }
    },
  },
  'js-fetchList': {
    sdk: '@bitrix24/b24jssdk',
    how: 'fetchList (stream)',
    prepare: async ({ env, n }) => {
      const hook = await jsSdk(env)
      return async () => {
        const check = new RowCheck(n)
        const pages = hook.actions.v2.fetchList.make<Row>({ method: 'crm.deal.list', params: {}, idKey: 'ID' })
        for await (const page of pages) for (const row of page) check.add(row)
        return check.outcome()
      }
    },
  },
  'js-callList': {
    sdk: '@bitrix24/b24jssdk',
    how: 'callList (array)',
    prepare: async ({ env, n }) => {
      const hook = await jsSdk(env)
      return async () => {
        const check = new RowCheck(n)
        const result = await hook.actions.v2.callList.make<Row>({ method: 'crm.deal.list', params: {}, idKey: 'ID' })
        if (!result.isSuccess) throw new Error(result.getErrorMessages().join('; '))
        for (const row of result.getData() ?? []) check.add(row)
        return check.outcome()
      }
    },
  },
  '2bad-list': {
    sdk: '@2bad/bitrix',
    how: 'list (array)',
    prepare: async ({ env, n }) => {
      const bitrix = await twoBad(env)
      return async () => {
        const check = new RowCheck(n)
        const payload = await bitrix.list('crm.deal.list' as Method.CRM_DEAL_LIST, ORDER).catch((error: Error) => {
          // Its message lists each failed command as "[object Object]"; keep the sentence before the list.
          throw new Error(error.message.split(':')[0])
        })
        for (const row of payload.result) check.add(row as Row)
        return check.outcome()
      }
    },
  },
}
