/** `b24tssdk/emulator`: a local Bitrix24 portal on loopback for demos, tests, benchmarks and CI. */
export type {
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
  AppCredentials,
  AppOptions,
  AppStatus,
  BucketOptions,
  Emulator,
  EmulatorOptions,
  EmulatorStats,
  FaultHandle,
  FaultKind,
  FaultSpec,
  IssuedToken,
  Plan,
  WebhookCredentials,
  WebhookOptions,
} from './server/index.js'
export { EMULATOR_TLS_CERT, startEmulator } from './server/index.js'
