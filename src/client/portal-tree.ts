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

/** An ID as the portal takes it: a number or its decimal text. */
export type PortalId = number | `${number}`

/** The write methods' generated parameters and results of each legacy CRM entity: `[add params, add result, update params, update result]`. */
export interface PortalLegacyWrites {
  'crm.deal': [CrmDealAddParams, CrmDealAddResult, CrmDealUpdateParams, CrmDealUpdateResult]
  'crm.lead': [CrmLeadAddParams, CrmLeadAddResult, CrmLeadUpdateParams, CrmLeadUpdateResult]
  'crm.contact': [CrmContactAddParams, CrmContactAddResult, CrmContactUpdateParams, CrmContactUpdateResult]
  'crm.company': [CrmCompanyAddParams, CrmCompanyAddResult, CrmCompanyUpdateParams, CrmCompanyUpdateResult]
}

/** `crm.<entity>.get|list|add|update` over the portal's fields `S`. */
export interface PortalLegacyMethods<S extends PortalFieldSet, W extends PortalLegacyWrites[keyof PortalLegacyWrites]> {
  /** Get a record by ID, with the portal's fields. */
  get(params: WithRefs<{ id: PortalId }>, options?: CallOptions): BitrixRequest<PortalRecord<S>>
  /** List records (50 per page); `select`, `filter` and `order` take the portal's field names. */
  list(
    params?: WithRefs<{
      select?: Select<PortalRecord<S>>
      filter?: Filter<PortalRecord<S>>
      order?: Order<PortalRecord<S>>
      start?: PortalId
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

/** A legacy CRM entity's namespace (`client.crm.deal`): the generated one, with the portal's fields when described. */
export type PortalLegacyEntity<T, E extends keyof PortalLegacyWrites> = [EntityFieldSet<E>] extends [never]
  ? T
  : Omit<T, 'get' | 'list' | 'add' | 'update'> & PortalLegacyMethods<EntityFieldSet<E>, PortalLegacyWrites[E]>

/** Whether `N` is the `entityTypeId` of a smart process the generated file describes. */
export type IsPortalSmartProcess<N> = [SmartProcessFieldSet<N>] extends [never] ? false : true

/** The rest of a `crm.item.*` call's parameters once `entityTypeId` is `N`: the portal's fields for its processes. */
export type PortalItemParams<N, Generic, Narrow> =
  IsPortalSmartProcess<N> extends true ? Narrow : Omit<Generic, 'entityTypeId'>
/** An item of the portal's smart process `N`, as `crm.item.*` returns it. */
export type PortalItem<N> = PortalRecord<SmartProcessFieldSet<N>>
/** A `crm.item.*` result: the generated one, or with the portal's fields for its smart processes. */
export type PortalItemResult<N, Generic, Narrow> = IsPortalSmartProcess<N> extends true ? Narrow : Generic

/** `crm.item.get|list|add|update`: typed by `entityTypeId` for the portal's smart processes. */
export interface PortalItemMethods {
  /** Get an item; for one of the portal's smart processes, with its fields. */
  get<const N extends PortalId>(
    params: { entityTypeId: N } & WithRefs<
      PortalItemParams<N, CrmItemGetParams, { id: PortalId; useOriginalUfNames?: 'Y' | 'N' }>
    >,
    options?: CallOptions,
  ): BitrixRequest<PortalItemResult<N, CrmItemGetResult, { item: PortalItem<N> }>>
  /** List items (50 per page); for the portal's smart processes `select`, `filter` and `order` take its fields. */
  list<const N extends PortalId>(
    params: { entityTypeId: N } & WithRefs<
      PortalItemParams<
        N,
        CrmItemListParams,
        {
          select?: Select<PortalItem<N>>
          filter?: Filter<PortalItem<N>>
          order?: Order<PortalItem<N>>
          start?: PortalId
          useOriginalUfNames?: 'Y' | 'N'
        }
      >
    >,
    options?: CallOptions,
  ): BitrixRequest<PortalItemResult<N, CrmItemListResult, { items: Array<PortalItem<N>> }>>
  /** Create an item; for the portal's smart processes `fields` takes its writable fields with their types. */
  add<const N extends PortalId>(
    params: { entityTypeId: N } & WithRefs<
      PortalItemParams<
        N,
        CrmItemAddParams,
        { fields: PortalInput<SmartProcessFieldSet<N>>; useOriginalUfNames?: 'Y' | 'N' }
      >
    >,
    options?: CallOptions,
  ): BitrixRequest<PortalItemResult<N, CrmItemAddResult, { item: PortalItem<N> }>>
  /** Update an item; for the portal's smart processes `fields` takes its writable fields with their types. */
  update<const N extends PortalId>(
    params: { entityTypeId: N } & WithRefs<
      PortalItemParams<
        N,
        CrmItemUpdateParams,
        { id: PortalId; fields: PortalInput<SmartProcessFieldSet<N>>; useOriginalUfNames?: 'Y' | 'N' }
      >
    >,
    options?: CallOptions,
  ): BitrixRequest<PortalItemResult<N, CrmItemUpdateResult, { item: PortalItem<N> }>>
}

/** `client.crm.item`: the generated namespace, with `PortalItemMethods` once the portal's smart processes are described. */
export type PortalItemEntity<T> = [keyof PortalSmartProcesses] extends [never]
  ? T
  : Omit<T, 'get' | 'list' | 'add' | 'update'> & PortalItemMethods

/** `client.crm` with the portal's entities and smart processes. */
export type PortalCrm = Omit<MethodTree['crm'], 'deal' | 'lead' | 'contact' | 'company' | 'item'> & {
  deal: PortalLegacyEntity<MethodTree['crm']['deal'], 'crm.deal'>
  lead: PortalLegacyEntity<MethodTree['crm']['lead'], 'crm.lead'>
  contact: PortalLegacyEntity<MethodTree['crm']['contact'], 'crm.contact'>
  company: PortalLegacyEntity<MethodTree['crm']['company'], 'crm.company'>
  item: PortalItemEntity<MethodTree['crm']['item']>
}

/** The generated method tree, narrowed by the portal's own types where a generated `.d.ts` gives them. */
export type PortalMethodTree = Omit<MethodTree, 'crm'> & { crm: PortalCrm }
