export type { AppOptions, AppStatus, WebhookOptions } from './auth.js'
export type {
  AppCredentials,
  CreatePortalOptions,
  Emulator,
  EmulatorPortal,
  IssuedToken,
  PortalAddress,
  WebhookCredentials,
} from './emulator.js'
export { startEmulator } from './emulator.js'
export type { DeliveryOutcome, EventDelivery, EventDeliveryOptions } from './events.js'
export type { FaultHandle, FaultKind, FaultSpec } from './faults.js'
export type { BucketOptions, Plan } from './limits.js'
export type { EmulatorOptions } from './options.js'
export type {
  AnswerSource,
  PagedResult,
  ProgrammedAnswer,
  ProgrammedCall,
  ProgrammedHandle,
  ProgrammedHandler,
  ReceivedCall,
} from './programmed.js'
export { withPaging } from './programmed.js'
export type { PortalState } from './router.js'
export { CANNED_HEADER } from './router.js'
export type { EmulatorStats, EventCounter, IdempotencyStats } from './stats.js'
export { EMULATOR_TLS_CERT } from './tls.js'
