import type { Component } from '../runtime/types.ts'
import { noConfig } from './schema.ts'

/** Шлюз «И»: a split runs every outgoing edge; a join waits for all its branches. */
export const parallelGateway: Component = {
  type: 'parallelGateway',
  displayName: { ru: 'Шлюз «И»', en: 'Parallel gateway' },
  kind: 'control',
  config: noConfig,
  // Splitting is what any node with several outgoing edges does; a gateway adds the join.
  graph: { joins: true },
  instant: true,
  bpmn: { element: 'parallelGateway' },
}
