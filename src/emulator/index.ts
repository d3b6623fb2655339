/** `b24tssdk/emulator`: a local Bitrix24 portal on loopback for demos, tests, benchmarks and CI. */
export type {
  AuthType,
  CallContext,
  CostModel,
  MethodDefinition,
  MethodHandler,
  MethodResult,
  MethodTable,
  Params,
  SeedOptions,
} from './kernel.js'
export { DEFAULT_COST_MODEL, RestError } from './kernel.js'
export { type StatefulFamily, servedWithState } from './methods/index.js'
export type {
  AnswerSource,
  AppCredentials,
  AppOptions,
  AppStatus,
  BucketOptions,
  CreatePortalOptions,
  Emulator,
  EmulatorOptions,
  EmulatorPortal,
  EmulatorStats,
  FaultHandle,
  FaultKind,
  FaultSpec,
  IssuedToken,
  PagedResult,
  Plan,
  PortalAddress,
  PortalState,
  ProgrammedAnswer,
  ProgrammedCall,
  ProgrammedHandle,
  ProgrammedHandler,
  ReceivedCall,
  WebhookCredentials,
  WebhookOptions,
} from './server/index.js'
export { CANNED_HEADER, EMULATOR_TLS_CERT, startEmulator, withPaging } from './server/index.js'
