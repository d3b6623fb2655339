/**
 * CRM file user fields (`UF_CRM_*` of type `file`): a write takes `{ fileData: [name, base64] }` (`crm.deal.*`),
 * a `[name, base64]` pair (`crm.item.*`), `{ id }` to keep a file, or an empty value to clear; the column keeps
 * file IDs of the `FileVault`. Reads answer `{ id, showUrl, downloadUrl }` (`crm.<entity>.get`) or
 * `{ id, url, urlMachine }` (`crm.item.get`), as files/how-to-upload-files.md shows them.
 */

import type { FileVault } from './disk-vault.js'
import { isRecord, positiveId, toList } from './util.js'

/** What the CRM store asks of file fields. */
export interface CrmFileHooks {
  /** The column value after a write of `raw` over `current`; files no longer referenced are deleted. */
  accept(entity: string, field: string, multiple: boolean, raw: unknown, current: unknown): number | number[] | null
  /** The legacy (`crm.deal.get`) form of a column value. */
  legacy(entity: string, ownerId: number, field: string, value: unknown): unknown
  /** The `crm.item.get` form of a column value. */
  item(entity: string, ownerId: number, field: string, value: unknown): unknown
}

function idsOf(value: unknown): number[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is number => typeof v === 'number')
}

/** `[name, base64]` of an input entry, or undefined. */
function pairOf(entry: unknown): [string, string] | undefined {
  const pair = isRecord(entry) && entry.fileData !== undefined ? entry.fileData : entry
  const list = Array.isArray(pair) ? pair : isRecord(pair) ? toList(pair) : []
  const [name, content] = list
  return typeof content === 'string' ? [typeof name === 'string' && name !== '' ? name : 'file', content] : undefined
}

export function crmFiles(vault: FileVault): CrmFileHooks {
  const owner = (entity: string, field: string) => `crm.${entity}|${field}`
  return {
    accept(entity, field, multiple, raw, current) {
      const before = idsOf(current)
      const entries = multiple ? toList(raw) : [raw]
      const after: number[] = []
      for (const entry of entries) {
        const pair = pairOf(entry)
        if (pair) {
          after.push(vault.putBytes(pair[0], Buffer.from(pair[1], 'base64'), owner(entity, field)).id)
          continue
        }
        const kept = isRecord(entry) ? positiveId(entry.id ?? entry.ID) : positiveId(entry)
        if (kept !== null && before.includes(kept) && !after.includes(kept)) after.push(kept)
      }
      const cleared = raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0)
      // A single field given something that is neither a file nor a kept ID keeps what it had.
      if (!multiple && after.length === 0 && !cleared) return before[0] ?? null
      for (const id of before) if (!after.includes(id)) vault.remove(id)
      return multiple ? after : (after.at(-1) ?? null)
    },
    legacy(entity, ownerId, field, value) {
      const show = (id: number, auth: boolean) =>
        `/bitrix/components/bitrix/crm.${entity}.show/show_file.php?${auth ? 'auth=&' : ''}ownerId=${ownerId}&fieldName=${field}&dynamic=Y&fileId=${id}`
      const one = (id: number) => ({ id, showUrl: show(id, false), downloadUrl: show(id, true) })
      return Array.isArray(value) ? idsOf(value).map(one) : typeof value === 'number' ? one(value) : ''
    },
    item(_entity, _ownerId, _field, value) {
      const one = (id: number) => {
        const stored = vault.get(id)
        return {
          id,
          url: `${vault.origin()}/bitrix/services/main/ajax.php?action=crm.controller.item.getFile&fileId=${id}`,
          urlMachine: stored ? vault.downloadUrl(stored, 'crm', 'crm.controller.item.getFile') : null,
        }
      }
      return Array.isArray(value) ? idsOf(value).map(one) : typeof value === 'number' ? one(value) : null
    },
  }
}
