/** Which field tells when a row last changed, per list method, as rows carry it and as the filter takes it. */
import { BitrixValidationError } from '../errors/index.js'

export interface ModifiedField {
  /** The field in rows: `DATE_MODIFY`, `updatedTime`, `changedDate`. */
  row: string
  /** The field in the filter and `select`: `DATE_MODIFY`, `updatedTime`, `CHANGED_DATE`. */
  filter: string
}

const PROFILES: ReadonlyArray<readonly [RegExp, ModifiedField]> = [
  [/^crm\.(deal|lead|contact|company|quote)\.list$/, { row: 'DATE_MODIFY', filter: 'DATE_MODIFY' }],
  [/^crm\.item\.list$/, { row: 'updatedTime', filter: 'updatedTime' }],
  [/^tasks\.task\.list$/, { row: 'changedDate', filter: 'CHANGED_DATE' }],
]

/** The modification field of a method that can be synced; a clear error for any other method. */
export function modifiedFieldOf(method: string): ModifiedField {
  const name = method.toLowerCase()
  const found = PROFILES.find(([pattern]) => pattern.test(name))
  if (found) return found[1]
  throw new BitrixValidationError({
    method,
    message:
      'changesSince() reads crm.deal|lead|contact|company|quote.list, crm.item.list and tasks.task.list (the lists with a documented modification date); read other lists with asListFast()',
  })
}
