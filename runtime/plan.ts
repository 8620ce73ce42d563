/**
 * What each node of a scenario compiles into, asked of its component: a synchronous step (its
 * work and where it goes after), a wait, or an invoked activity. The component decides through
 * its `compile` hook and the narrow `NodeBuilder` below; the engine turns plans into states
 * (`compile.ts`) and never asks a node's type name.
 *
 * @example
 * // components/end.ts
 * compile: (_node, build) => build.step(null, 'endPath')
 */
import { durationMs } from './duration.ts'
import type { Graph } from './graph.ts'
import { getComponent } from './registry.ts'
import type { CompiledNode, Component, NodeBuilder, NodePlan, ScenarioNode, StepWork } from './types.ts'

/** The component's own `run` as a step's work. */
const runItself: StepWork = (step) => step.run()

/** The plan of every node of a (valid) graph, by node id. */
export function planNodes(graph: Graph): Map<string, NodePlan> {
  const plans = new Map<string, NodePlan>()
  for (const node of graph.byId.values()) plans.set(node.id, planOf(node, graph))
  return plans
}

function planOf(node: ScenarioNode, graph: Graph): NodePlan {
  const component = getComponent(node.type)!
  const build = builder(component, graph.outgoing.get(node.id) ?? [])
  if (component.compile) return component.compile(node as CompiledNode<unknown>, build)
  return component.kind === 'async' ? build.activity() : build.step()
}

function builder(component: Component<any>, outgoing: NodeBuilder['outgoing']): NodeBuilder {
  return {
    outgoing,
    step: (work, onwards = 'next') => ({ kind: 'step', work: work === undefined ? (component.run ? runItself : null) : work, onwards }),
    wait: (duration) => ({ kind: 'wait', ms: durationMs(duration) }),
    activity: () => ({ kind: 'activity' }),
  }
}
