import { PotokError } from '../runtime/errors.ts'
import type { Component } from '../runtime/types.ts'
import { noConfig } from './schema.ts'

/**
 * Шлюз «ИЛИ»: the outgoing edges carry `condition` or `default: true`; the first true condition
 * in edge order wins, else the default; none → NO_BRANCH_MATCHED. Branches of a parallel split
 * may also merge here: the first to arrive goes on (Bpium's "any one").
 */
export const exclusiveGateway: Component = {
  type: 'exclusiveGateway',
  displayName: { ru: 'Шлюз «ИЛИ»', en: 'Exclusive gateway' },
  kind: 'control',
  config: noConfig,
  graph: { chooses: true },
  compile: (node, build) => {
    const conditional = build.outgoing.map((edge, i) => ({ edge, i })).filter(({ edge }) => edge.default !== true)
    const conditions = conditional.map(({ edge }) => edge.condition!)
    const fallback = build.outgoing.findIndex((edge) => edge.default === true)
    // Every condition in one sandbox call; the route is the index of the edge taken.
    return build.step((step) => {
      const chosen = step.firstTrue(conditions)
      const route = chosen >= 0 ? conditional[chosen].i : fallback
      if (route < 0) {
        throw new PotokError('NO_BRANCH_MATCHED', `no condition of gateway "${node.id}" holds and it has no default edge`, { nodeId: node.id })
      }
      return { route }
    }, 'route')
  },
  instant: true,
  bpmn: { element: 'exclusiveGateway' },
}
