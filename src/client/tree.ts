/**
 * The method tree: `client.crm.deal.get(params)` is `client.call('crm.deal.get', params)`. Nodes are made on
 * first access and cached per client; a node exists only for catalogued names and their prefixes, and every
 * node is callable, so a name that is both a method and a prefix (`crm.automation.trigger`) works both ways.
 */
import { methodNames } from '../methods/index.js'

interface Caller {
  call(method: string, params?: Record<string, unknown>, options?: object): unknown
}

let childrenByPath: Map<string, Set<string>> | undefined

/** path → names of its children, built once from the catalogue. */
function childIndex(): Map<string, Set<string>> {
  if (childrenByPath) return childrenByPath
  const index = new Map<string, Set<string>>()
  for (const name of methodNames()) {
    const parts = name.split('.')
    let path = ''
    for (const part of parts) {
      const children = index.get(path) ?? new Set<string>()
      index.set(path, children)
      children.add(part)
      path = path === '' ? part : `${path}.${part}`
    }
  }
  childrenByPath = index
  return index
}

const nodeCache = new WeakMap<object, Map<string, unknown>>()

function nodeFor(client: Caller, path: string): unknown {
  const cache = nodeCache.get(client) ?? new Map<string, unknown>()
  nodeCache.set(client, cache)
  const cached = cache.get(path)
  if (cached) return cached
  const children = childIndex().get(path)
  const invoke = (params?: Record<string, unknown>, options?: object) => client.call(path, params, options)
  const node = new Proxy(invoke, {
    get(target, property, receiver) {
      if (typeof property === 'string' && children?.has(property)) return nodeFor(client, `${path}.${property}`)
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
export function withSubtree<F extends object>(client: Caller, root: string, member: F): F {
  const children = childIndex().get(root)
  if (!children) return member
  return new Proxy(member, {
    get(target, property, receiver) {
      if (typeof property === 'string' && children.has(property)) return nodeFor(client, `${root}.${property}`)
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
        return nodeFor(this, root)
      },
    })
  }
  return Base
}
