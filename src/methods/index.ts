/** The generated catalogue, as the client uses it: names for the tree, types for calls, list shapes. */
import { METHOD_NAMES } from './generated/names.js'

export type * from './generated/entities.js'
export type { CallTree, MethodMap, MethodTree } from './generated/types.js'

/** Every catalogued method name as documented (plus the reference SDK's other spellings), sorted. */
export function methodNames(): readonly string[] {
  return METHOD_NAMES
}
