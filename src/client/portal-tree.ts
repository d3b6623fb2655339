/**
 * The client tree as a portal's own types narrow it: with `PortalEntities` / `PortalSmartProcesses` filled by a
 * file `b24tssdk typegen` wrote, `client.crm.deal.*` (lead, contact, company) and `client.crm.item.*` for those
 * smart processes take and return the portal's fields; without it, this is exactly the generated `MethodTree`.
 * Types only: the runtime tree is the same.
 */

import type {
  CrmCompanyAddParams,
  CrmCompanyAddResult,
  CrmCompanyUpdateParams,
  CrmCompanyUpdateResult,
  CrmContactAddParams,
  CrmContactAddResult,
  CrmContactUpdateParams,
  CrmContactUpdateResult,
  CrmDealAddParams,
  CrmDealAddResult,
  CrmDealUpdateParams,
  CrmDealUpdateResult,
  CrmItemAddParams,
  CrmItemAddResult,
  CrmItemGetParams,
  CrmItemGetResult,
  CrmItemListParams,
  CrmItemListResult,
  CrmItemUpdateParams,
  CrmItemUpdateResult,
  CrmLeadAddParams,
  CrmLeadAddResult,
  CrmLeadUpdateParams,
  CrmLeadUpdateResult,
  Filter,
  Order,
  Select,
  WithRefs,
} from '../methods/generated/types.js'
import type { MethodTree } from '../methods/index.js'
import type { BitrixRequest } from '../requests/request.js'
import type {
  EntityFieldSet,
  PortalFieldSet,
  PortalInput,
  PortalRecord,
  PortalSmartProcesses,
  SmartProcessFieldSet,
} from '../values/portal-types.js'
import type { CallOptions } from './dispatcher.js'

type Id = number | `${number}`

/** The write methods' generated parameters and results of each legacy CRM entity. */
interface LegacyWrites {
  'crm.deal': [CrmDealAddParams, CrmDealAddResult, CrmDealUpdateParams, CrmDealUpdateResult]
  'crm.lead': [CrmLeadAddParams, CrmLeadAddResult, CrmLeadUpdateParams, CrmLeadUpdateResult]
  'crm.contact': [CrmContactAddParams, CrmContactAddResult, CrmContactUpdateParams, CrmContactUpdateResult]
  'crm.company': [CrmCompanyAddParams, CrmCompanyAddResult, CrmCompanyUpdateParams, CrmCompanyUpdateResult]
}

/** `crm.<entity>.get|list|add|update` over the portal's fields `S`. */
interface PortalLegacyMethods<S extends PortalFieldSet, W extends LegacyWrites[keyof LegacyWrites]> {
  /** Get a record by ID, with the portal's fields. */
  get(params: WithRefs<{ id: Id }>, options?: CallOptions): BitrixRequest<PortalRecord<S>>
  /** List records (50 per page); `select`, `filter` and `order` take the portal's field names. */
  list(
    params?: WithRefs<{
      select?: Select<PortalRecord<S>>
      filter?: Filter<PortalRecord<S>>
      order?: Order<PortalRecord<S>>
      start?: Id
    }>,
    options?: CallOptions,
  ): BitrixRequest<Array<PortalRecord<S>>>
  /** Create a record; `fields` takes the portal's writable fields with their types. */
  add(params: WithRefs<Omit<W[0], 'fields'> & { fields: PortalInput<S> }>, options?: CallOptions): BitrixRequest<W[1]>
  /** Update a record; `fields` takes the portal's writable fields with their types. */
  update(
    params: WithRefs<Omit<W[2], 'fields'> & { fields: PortalInput<S> }>,
    options?: CallOptions,
  ): BitrixRequest<W[3]>
}

type LegacyEntity<T, E extends keyof LegacyWrites> = [EntityFieldSet<E>] extends [never]
  ? T
  : Omit<T, 'get' | 'list' | 'add' | 'update'> & PortalLegacyMethods<EntityFieldSet<E>, LegacyWrites[E]>

type KnownSmartProcess<N> = [SmartProcessFieldSet<N>] extends [never] ? false : true

/** The rest of a `crm.item.*` call's parameters once `entityTypeId` is `N`: the portal's fields for its processes. */
type ItemParams<N, Generic, Narrow> = KnownSmartProcess<N> extends true ? Narrow : Omit<Generic, 'entityTypeId'>
type ItemOf<N> = PortalRecord<SmartProcessFieldSet<N>>
type ItemResult<N, Generic, Narrow> = KnownSmartProcess<N> extends true ? Narrow : Generic

/** `crm.item.get|list|add|update`: typed by `entityTypeId` for the portal's smart processes. */
interface PortalItemMethods {
  /** Get an item; for one of the portal's smart processes, with its fields. */
  get<const N extends Id>(
    params: { entityTypeId: N } & WithRefs<ItemParams<N, CrmItemGetParams, { id: Id; useOriginalUfNames?: 'Y' | 'N' }>>,
    options?: CallOptions,
  ): BitrixRequest<ItemResult<N, CrmItemGetResult, { item: ItemOf<N> }>>
  /** List items (50 per page); for the portal's smart processes `select`, `filter` and `order` take its fields. */
  list<const N extends Id>(
    params: { entityTypeId: N } & WithRefs<
      ItemParams<
        N,
        CrmItemListParams,
        {
          select?: Select<ItemOf<N>>
          filter?: Filter<ItemOf<N>>
          order?: Order<ItemOf<N>>
          start?: Id
          useOriginalUfNames?: 'Y' | 'N'
        }
      >
    >,
    options?: CallOptions,
  ): BitrixRequest<ItemResult<N, CrmItemListResult, { items: Array<ItemOf<N>> }>>
  /** Create an item; for the portal's smart processes `fields` takes its writable fields with their types. */
  add<const N extends Id>(
    params: { entityTypeId: N } & WithRefs<
      ItemParams<N, CrmItemAddParams, { fields: PortalInput<SmartProcessFieldSet<N>>; useOriginalUfNames?: 'Y' | 'N' }>
    >,
    options?: CallOptions,
  ): BitrixRequest<ItemResult<N, CrmItemAddResult, { item: ItemOf<N> }>>
  /** Update an item; for the portal's smart processes `fields` takes its writable fields with their types. */
  update<const N extends Id>(
    params: { entityTypeId: N } & WithRefs<
      ItemParams<
        N,
        CrmItemUpdateParams,
        { id: Id; fields: PortalInput<SmartProcessFieldSet<N>>; useOriginalUfNames?: 'Y' | 'N' }
      >
    >,
    options?: CallOptions,
  ): BitrixRequest<ItemResult<N, CrmItemUpdateResult, { item: ItemOf<N> }>>
}

type ItemEntity<T> = [keyof PortalSmartProcesses] extends [never]
  ? T
  : Omit<T, 'get' | 'list' | 'add' | 'update'> & PortalItemMethods

type Crm = MethodTree['crm']

/** `client.crm` with the portal's entities and smart processes. */
export type PortalCrm = Omit<Crm, 'deal' | 'lead' | 'contact' | 'company' | 'item'> & {
  deal: LegacyEntity<Crm['deal'], 'crm.deal'>
  lead: LegacyEntity<Crm['lead'], 'crm.lead'>
  contact: LegacyEntity<Crm['contact'], 'crm.contact'>
  company: LegacyEntity<Crm['company'], 'crm.company'>
  item: ItemEntity<Crm['item']>
}

/** The generated method tree, narrowed by the portal's own types where a generated `.d.ts` gives them. */
export type PortalMethodTree = Omit<MethodTree, 'crm'> & { crm: PortalCrm }
