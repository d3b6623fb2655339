/**
 * `b24tssdk/redis`: what many worker processes on many hosts share through one Redis — the portal's rate limits
 * (`RedisLimiterStore`), the lock that lets exactly one of them refresh an expired token (`RedisRefreshLock`) and
 * the installations with their tokens (`RedisInstallationStore`). Redis is an optional peer: pass your own client
 * (ioredis as it is); this module imports none.
 */
export type { RedisArgument, RedisScriptClient } from './client.js'
export { RedisInstallationStore, type RedisInstallationStoreOptions } from './installation-store.js'
export { RedisLimiterStore, type RedisLimiterStoreOptions } from './limiter-store.js'
export { RedisRefreshLock, type RedisRefreshLockOptions } from './refresh-lock.js'
