/**
 * The generic, spec-driven entity store: every documented CRUD family the catalogue describes well enough is served
 * with state, behind the hand-written methods (which stay the special cases they are).
 */
import type { MethodDefinition } from '../../kernel.js'
import { discoverFamilies, type Family } from './families.js'
import { genericFamilyMethods } from './methods.js'
import type { GenericStore } from './store.js'
import { todoMethods } from './todos.js'

export { appStorageMethods } from './app-storage.js'
export { crmLinkMethods } from './crm-links.js'
export { diskMethods } from './disk.js'
export { discoverFamilies, type Family } from './families.js'
export { notificationMethods } from './notifications.js'
export { GenericStore } from './store.js'

export interface GenericMethods {
  store: GenericStore
  /** Families served by the generic store (a family with any hand-written method is left to those). */
  families: readonly Family[]
  methods: Record<string, MethodDefinition>
}

/** The generic families' methods over `store`; `handWritten` holds the lower-case names implemented by hand. */
export function genericMethods(store: GenericStore, handWritten: ReadonlySet<string>): GenericMethods {
  const families = discoverFamilies().filter(
    (f) => !Object.values(f.methods).some((name) => handWritten.has(name.toLowerCase())),
  )
  const methods: Record<string, MethodDefinition> = {}
  for (const family of families) Object.assign(methods, genericFamilyMethods(family, store))
  const [add, get, update] = ['crm.activity.add', 'crm.activity.get', 'crm.activity.update'].map((n) => methods[n])
  if (add && get && update) {
    for (const [name, definition] of Object.entries(todoMethods({ add, get, update }))) {
      if (!handWritten.has(name.toLowerCase())) methods[name] = definition
    }
  }
  return { store, families, methods }
}
