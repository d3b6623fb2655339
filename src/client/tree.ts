/**
 * The method tree: `client.crm.deal.get(params)` is `client.call('crm.deal.get', params)`. Nodes are made on
 * first access and cached per client; a node exists only for catalogued names and their prefixes, and every
 * node is callable, so a name that is both a method and a prefix (`crm.automation.trigger`) works both ways.
 */

import { V3_METHOD_NAMES } from '../methods/generated/v3-names.js'
import { methodNames } from '../methods/index.js'

interface Caller {
  call(method: string, params?: Record<string, unknown>, options?: object): unknown
}

type ChildIndex = Map<string, Set<string>>

let childrenByPath: ChildIndex | undefined
let v3ChildrenByPath: ChildIndex | undefined

/** path → names of its children, built once from the catalogue. */
function childIndex(): ChildIndex {
  childrenByPath ??= indexOf(methodNames())
  return childrenByPath
}

/** The same for the REST 3.0 tree (`client.v3`). */
function v3ChildIndex(): ChildIndex {
  v3ChildrenByPath ??= indexOf(V3_METHOD_NAMES)
  return v3ChildrenByPath
}

function indexOf(names: readonly string[]): ChildIndex {
  const index: ChildIndex = new Map()
  for (const name of names) {
    const parts = name.split('.')
    let path = ''
    for (const part of parts) {
      const children = index.get(path) ?? new Set<string>()
      index.set(path, children)
      children.add(part)
      path = path === '' ? part : `${path}.${part}`
    }
  }
  return index
}

const nodeCache = new WeakMap<object, Map<string, unknown>>()

function nodeFor(client: Caller, path: string, index: ChildIndex): unknown {
  const cache = nodeCache.get(client) ?? new Map<string, unknown>()
  nodeCache.set(client, cache)
  const cached = cache.get(path)
  if (cached) return cached
  const children = index.get(path)
  const invoke = (params?: Record<string, unknown>, options?: object) => client.call(path, params, options)
  const node = new Proxy(invoke, {
    get(target, property, receiver) {
      if (typeof property === 'string' && children?.has(property)) return nodeFor(client, `${path}.${property}`, index)
      if (property === 'method') return path
      return Reflect.get(target, property, receiver)
    },
    has: (target, property) =>
      (typeof property === 'string' && children?.has(property)) || Reflect.has(target, property),
  })
  cache.set(path, node)
  return node
}

/**
 * A client member that is also a namespace of the catalogue: `client.call(name, params)` is the generic call,
 * and `client.call.followup.get(…)` the documented `call.followup.get`.
 */
export function withSubtree<F extends object>(
  client: Caller,
  root: string,
  member: F,
  index: ChildIndex = childIndex(),
): F {
  const children = index.get(root)
  if (!children) return member
  return new Proxy(member, {
    get(target, property, receiver) {
      if (typeof property === 'string' && children.has(property)) return nodeFor(client, `${root}.${property}`, index)
      return Reflect.get(target, property, receiver)
    },
    has: (target, property) =>
      (typeof property === 'string' && children.has(property)) || Reflect.has(target, property),
  })
}

/** Adds a getter per root namespace (`crm`, `user`, `profile`, …) to the client class. */
export function createTree<C extends abstract new (...args: never[]) => Caller>(Base: C): C {
  for (const root of childIndex().get('') ?? []) {
    if (root in Base.prototype) continue
    Object.defineProperty(Base.prototype, root, {
      configurable: true,
      enumerable: false,
      get(this: Caller) {
        return nodeFor(this, root, childIndex())
      },
    })
  }
  return Base
}

/**
 * The REST 3.0 tree (`client.v3`): `members` (`call`, `callBatch`, …) and, for every other root name, the node of
 * the documented REST 3.0 methods under it, called through `caller` (which sends to `/rest/api/`). `call` also
 * carries the `call.*` namespace (`client.v3.call.followup.list(…)`).
 */
export function createV3Tree<M extends { call: object }>(caller: Caller, members: M): M {
  const index = v3ChildIndex()
  const roots = index.get('') ?? new Set<string>()
  const withCall = { ...members, call: withSubtree(caller, 'call', members.call, index) }
  return new Proxy(withCall, {
    get(target, property, receiver) {
      if (typeof property === 'string' && !(property in target) && roots.has(property))
        return nodeFor(caller, property, index)
      return Reflect.get(target, property, receiver)
    },
    has: (target, property) => (typeof property === 'string' && roots.has(property)) || Reflect.has(target, property),
  }) as M
}
