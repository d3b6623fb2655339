/** What the portal's selection dialogs answer (BX24.selectUser / selectUsers / selectAccess / selectCRM). */

/** A user picked in BX24.selectUser / selectUsers. */
export interface SelectedUser {
  /** User ID as a string, as the portal sends it. */
  id: string
  name: string
  photo?: string
  position?: string
  url?: string
  /** Subordinate of the current user. */
  sub?: boolean
  /** Manager of the current user. */
  sup?: boolean
}

/** One entry picked in BX24.selectAccess. */
export interface SelectedAccess {
  /** Access code: `U1` user, `D12` department, `SG4` workgroup, `G2` group, `AU` all authorised, … */
  id: string
  name: string
}

/** The CRM types the portal's CRM dialog offers. */
export type CrmEntityType = 'lead' | 'contact' | 'company' | 'deal' | 'quote'

/** What BX24.selectCRM offers and preselects. */
export interface SelectCrmOptions {
  /** Entity types to offer; default all the dialog supports. */
  entityType?: CrmEntityType[]
  /** Allow several records. */
  multiple?: boolean
  /** Preselected records per type: `{ deal: [1, 2] }`. */
  value?: Partial<Record<CrmEntityType, Array<number | string>>>
}

/** One CRM record picked in BX24.selectCRM. */
export interface SelectedCrmEntity {
  /** Prefixed ID, e.g. `D_12` for a deal, `C_3` for a contact. */
  id: string
  type: string
  title: string
  place?: string
  desc?: string
  url?: string
}

/** The records picked in BX24.selectCRM, by type; a type nothing was picked of is absent. */
export type SelectedCrm = Partial<Record<CrmEntityType, SelectedCrmEntity[]>>

const CRM_TYPES: readonly CrmEntityType[] = ['lead', 'contact', 'company', 'deal', 'quote']

/** A list the portal may send as a PHP array (`[…]`) or, keyed by ID, as an object (`{"D_1": …}`). */
export function listOf<T>(value: unknown): T[] {
  if (Array.isArray(value)) return value as T[]
  return typeof value === 'object' && value !== null ? (Object.values(value) as T[]) : []
}

export function readSelectedCrm(answer: unknown): SelectedCrm {
  const selected: SelectedCrm = {}
  if (typeof answer !== 'object' || answer === null) return selected
  for (const type of CRM_TYPES) {
    const bucket = (answer as Record<string, unknown>)[type]
    if (bucket !== undefined && bucket !== null) selected[type] = listOf<SelectedCrmEntity>(bucket)
  }
  return selected
}
