import type { Component } from '../runtime/types.ts'
import { noConfig } from './schema.ts'

/**
 * Шлюз «ИЛИ»: the outgoing edges carry `condition` or `default: true`; the first true condition
 * in edge order wins, else the default; none → NO_BRANCH_MATCHED. Compiled as guarded transitions.
 */
export const exclusiveGateway: Component = {
  type: 'exclusiveGateway',
  displayName: { ru: 'Шлюз «ИЛИ»', en: 'Exclusive gateway' },
  kind: 'control',
  config: noConfig,
}
