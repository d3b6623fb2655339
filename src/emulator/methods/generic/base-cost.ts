/** Method definitions that charge the base cost of a call before their handler runs. */
import type { MethodDefinition } from '../../kernel.js'
import type { PortalEnv } from '../env.js'

export type BaseCostMethod = (scope: string, handler: MethodDefinition['handler']) => MethodDefinition

export function baseCostMethods(env: PortalEnv): BaseCostMethod {
  return (scope, handler) => ({
    scope,
    handler: (params, ctx) => {
      ctx.cost(env.costs.base)
      return handler(params, ctx)
    },
  })
}
