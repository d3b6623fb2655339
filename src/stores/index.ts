export {
  checkInstallation,
  type Installation,
  type InstallationStore,
  MemoryInstallationStore,
  type StoredRefreshFailure,
} from './installation.js'
export { type LockHold, MemoryRefreshLock, type RefreshLock } from './lock.js'
export { type SqliteDatabase, SqliteInstallationStore } from './sqlite.js'
export { StoredBitrixToken, type StoredBitrixTokenInit } from './stored-token.js'
