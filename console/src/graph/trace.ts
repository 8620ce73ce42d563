/**
 * The path a process took, from its steps: which nodes ran (with their step numbers, in order),
 * which edges were followed (an edge is followed into step j when its source ran last before j
 * among the sources of edges entering j's node), which nodes failed and which are still running.
 */
import type { ScenarioEdge, StepRecord } from '../types.ts'

export interface Trace {
  /** Step numbers (1-based) of each node, in order. */
  nodeSteps: Map<string, number[]>
  /** Step numbers (1-based) each edge led into, by edge index. */
  edgeSteps: Map<number, number[]>
  failed: Set<string>
  running: Set<string>
}

/** `active`: the process may still run; false (it ended) leaves no node running. */
export function traceOf(edges: readonly ScenarioEdge[], steps: readonly StepRecord[], failedNodeId?: string | null, active = true): Trace {
  const ordered = [...steps].sort((a, b) => a.index - b.index)
  const nodeSteps = new Map<string, number[]>()
  const edgeSteps = new Map<number, number[]>()
  const failed = new Set<string>()
  const running = new Set<string>()
  const lastStepOf = new Map<string, number>()
  const incoming = new Map<string, number[]>()
  edges.forEach((edge, index) => incoming.set(edge.to, [...(incoming.get(edge.to) ?? []), index]))

  for (const step of ordered) {
    const number = step.index + 1
    let best: { edge: number; at: number } | null = null
    for (const edgeIndex of incoming.get(step.nodeId) ?? []) {
      const at = lastStepOf.get(edges[edgeIndex].from)
      if (at !== undefined && (!best || at > best.at)) best = { edge: edgeIndex, at }
    }
    if (best) edgeSteps.set(best.edge, [...(edgeSteps.get(best.edge) ?? []), number])
    nodeSteps.set(step.nodeId, [...(nodeSteps.get(step.nodeId) ?? []), number])
    lastStepOf.set(step.nodeId, step.index)
    if (step.status === 'failed') failed.add(step.nodeId)
    if (step.status === 'running' && active) running.add(step.nodeId)
  }
  if (failedNodeId) failed.add(failedNodeId)
  return { nodeSteps, edgeSteps, failed, running }
}

/** "3" or "2, 4, 6 … 2000" — step numbers short enough for a badge. */
export function stepBadge(numbers: readonly number[]): string {
  if (numbers.length <= 3) return numbers.join(', ')
  return `${numbers.slice(0, 2).join(', ')} … ${numbers[numbers.length - 1]}`
}
