/** Every documented event's data by code (`EventDataMap['ONCRMDEALADD']`) and one type per event (`OnCrmDealAddData`). */
export type * from './app/generated/events.js'
export { DOCUMENTED_EVENT_CODES } from './app/generated/events.js'
export {
  type AppHandler,
  type AppHandlerOptions,
  createAppHandler,
  type EventHandlers,
  type KnownInstallation,
  readBoundedBody,
} from './app/handler.js'
export {
  type EventAuth,
  type IncomingBody,
  IncomingEvent,
  isEvent,
  type PlacementRequest,
  parseEvent,
  parsePlacementRequest,
  parseRobotRequest,
  type RobotRequest,
  readIncomingBody,
  type TypedIncomingEvent,
  verifyApplicationToken,
} from './app/incoming.js'
export {
  type AppInstallation,
  type ConfirmInstallationOptions,
  confirmInstallation,
  type InstallationTokenOptions,
  installationFromEvent,
  installationFromPlacement,
  tokenFromInstallation,
} from './app/install.js'
export { type NodeListener, toNodeListener, toWebRequest, writeWebResponse } from './app/node.js'
export {
  type AuthorizationRedirect,
  type AuthorizationUrlOptions,
  authorizationUrl,
  BITRIX_OAUTH_SERVERS,
  type ExchangeCodeOptions,
  exchangeCode,
  parseAuthorizationRedirect,
  resolveOAuthServer,
} from './app/oauth.js'
export {
  consumeOfflineEvents,
  isOfflineEvent,
  MemoryOfflineEventJournal,
  type OfflineBatchState,
  type OfflineConsumeReport,
  type OfflineEvent,
  type OfflineEventConsumerOptions,
  type OfflineEventJournal,
  type TypedOfflineEvent,
} from './app/offline-events.js'
export {
  type CreateOAuthStateOptions,
  createOAuthState,
  type OAuthStateOptions,
  type VerifiedOAuthState,
  verifyOAuthState,
} from './app/state.js'
export { type PortalTask, PortalWorkPool, type PortalWorkPoolOptions, type PortalWorkStats } from './app/worker-pool.js'
export {
  AbstractBitrixApp,
  AbstractBitrixAppLocal,
  BitrixApp,
  type BitrixAppInit,
  BitrixAppLocal,
  type BitrixAppLocalInit,
  DEFAULT_OAUTH_SERVER,
} from './auth/app.js'
export type { AuthContext, Credentials } from './auth/credentials.js'
export type { TokenGrant } from './auth/oauth-server.js'
export { BITRIX24_CLOUD_ZONES, type PortalMovePolicy } from './auth/portal-move.js'
export {
  AbstractBitrixToken,
  AbstractBitrixTokenLocal,
  BitrixToken,
  type BitrixTokenInit,
  BitrixTokenLocal,
  type BitrixTokenLocalInit,
} from './auth/token.js'
export { BitrixWebhook, type BitrixWebhookInit, type BitrixWebhookUrlOptions } from './auth/webhook.js'
export type { BulkOptions, BulkOutcome } from './client/bulk.js'
export {
  type BatchOptions,
  type BatchResults,
  type CallFunction,
  type CallMember,
  Client,
  type ClientOptions,
  type MethodParams,
  type MethodResult,
  type PortalKind,
  type ResultOf,
} from './client/client.js'
export type { CallOptions } from './client/dispatcher.js'
export type {
  CallEndHookInfo,
  ClientHooks,
  HookCallInfo,
  HookOutcome,
  LimiterWaitHookInfo,
  RequestHookInfo,
  ResponseHookInfo,
  RetryHookInfo,
} from './client/hooks.js'
export type {
  IsPortalSmartProcess,
  PortalCrm,
  PortalId,
  PortalItem,
  PortalItemEntity,
  PortalItemMethods,
  PortalItemParams,
  PortalItemResult,
  PortalLegacyEntity,
  PortalLegacyMethods,
  PortalLegacyWrites,
  PortalMethodTree,
} from './client/portal-tree.js'
export type {
  V3BatchResults,
  V3CallFunction,
  V3Client,
  V3Members,
  V3MethodParams,
  V3MethodResult,
} from './client/v3.js'
export { Config, type ConfigInit, type ConfigOptions, configure, type Timeout } from './config.js'
export {
  type EventHandler,
  type EventHub,
  OAuthTokenRenewedEvent,
  PortalDomainChangedEvent,
  ReauthorizationRequiredEvent,
  type SdkEventMap,
} from './events/index.js'
/** Files: Base64 pairs for fields, streamed request bodies, the two-step Drive upload, downloads (docs/guides/files.md). */
export * from './files/index.js'
export type {
  FetchFunction,
  NodeTransportOptions,
  ProxySetting,
  Transport,
  TransportRequest,
  TransportResponse,
} from './http/transport.js'
export {
  type AcquireOptions,
  type Awaitable,
  type BucketSpec,
  detectPlan,
  type Limiter,
  type LimiterOutcome,
  type LimiterStore,
  MemoryStore,
  NO_BUCKET,
  type OperatingBudget,
  type OperatingSnapshot,
  PLAN_BUCKETS,
  type PlanName,
  RateLimiter,
  type RateLimiterOptions,
  SELF_HOSTED_OPERATING_LIMIT,
  unlimited,
  type WaitInfo,
} from './limits/index.js'
export type * from './methods/generated/entities.js'
/** Every method's parameters and result by name: `CrmDealListParams`, `CrmDealListResult`, … */
export type * from './methods/generated/types.js'
/** REST 3.0 (`client.v3`): `TasksTaskGetV3Params`, `TaskV3`, `V3MethodMap`, `V3MethodTree`, … */
export type * from './methods/generated/v3.js'
export type { MethodMap, MethodTree } from './methods/index.js'
export {
  credentialsFromEnv,
  credentialsFromSettings,
  type OAuthPortalSettings,
  PORTAL_ENV_VARIABLES,
  type PortalEnvironment,
  type PortalSettings,
  readPortalSettings,
  type WebhookPortalSettings,
} from './portal-env.js'
export type { BatchCommand, BatchResult } from './requests/batch.js'
export { type AnyBatchRef, type BatchRef, ref } from './requests/batch-ref.js'
export type { AsListFastOptions, AsListOptions } from './requests/list-common.js'
export { BitrixRequest, type ListItem } from './requests/request.js'
export type { BitrixIdempotency } from './requests/response.js'
export { BitrixResponse, type BitrixTime } from './requests/response.js'
export type { WithV3Refs } from './requests/v3-batch.js'
export type { V3ListOptions } from './requests/v3-list.js'
export {
  V3_OPERATORS,
  type V3CompareOperator,
  type V3Condition,
  type V3ConditionOn,
  type V3Cursor,
  type V3FieldName,
  type V3FieldValue,
  type V3Filter,
  type V3FilterGroup,
  type V3FilterNode,
  type V3OperandOf,
  type V3Operator,
  type V3Order,
  type V3Pagination,
  type V3RelationPath,
  type V3Scalar,
  type V3Select,
  V3Where,
  where,
  whereFor,
} from './requests/v3-query.js'
export {
  type Installation,
  type InstallationStore,
  type LockHold,
  MemoryInstallationStore,
  MemoryRefreshLock,
  type RefreshLock,
  type SqliteDatabase,
  SqliteInstallationStore,
  StoredBitrixToken,
  type StoredBitrixTokenInit,
  type StoredRefreshFailure,
} from './stores/index.js'
export { SYNC_CHECKPOINT_VERSION, type SyncCheckpoint } from './sync/checkpoint.js'
export type { DeletionMode, DeletionSource } from './sync/deletions.js'
export { type ChangesSinceOptions, type SyncResult, SyncRun } from './sync/run.js'
export { portalUtcOffset, ValueConverter, type ValueConverterOptions } from './values/convert.js'
export {
  type EnumItem,
  type FieldSpec,
  parseFieldsDescription,
  type ValueFamily,
  valueFamily,
  type WireStyle,
} from './values/field-spec.js'
export { type ConvertibleEntity, loadValueConverter } from './values/load.js'
export type {
  EntityFieldSet,
  FieldSetOrAny,
  PortalEntities,
  PortalField,
  PortalFieldSet,
  PortalFileInput,
  PortalFileValue,
  PortalInput,
  PortalMultifieldInput,
  PortalMultifieldValue,
  PortalNative,
  PortalRecord,
  PortalSmartProcesses,
  PortalWireBoolean,
  SmartProcessFieldSet,
  WhenDescribed,
} from './values/portal-types.js'
