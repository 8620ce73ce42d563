/**
 * The failing placeholder of an unsupported element (`importBpmn(xml, { placeholders: true })`):
 * a «Назначение переменных» node whose one row throws an error naming the element and its
 * connector. It fails exactly where the original action would have run — the way Bpium's own
 * authors fail a process on purpose — so an error boundary attached to the original catches it
 * (code `EXPRESSION_ERROR`, the message naming the connector), and every other branch runs. It
 * needs no component of its own and exports as an ordinary `setvar` task.
 */
import type { ScenarioNode } from '../runtime/types.ts'

export const PLACEHOLDER_VARIABLE = '$unsupported'

export function placeholderNode(node: ScenarioNode, connector: string): ScenarioNode {
  const what = `${node.name ? `«${node.name}» ` : ''}(${connector}, element ${node.id})`
  const message = `${what} is not supported by potok: it was replaced by a failing placeholder at BPMN import`
  return { ...node, type: 'setVariables', config: { assignments: [{ name: PLACEHOLDER_VARIABLE, value: `(() => { throw new Error(${JSON.stringify(message)}) })()` }] } }
}
