/**
 * Validation problems placed on the graph: `nodes[i]…` belongs to the i-th node of the document,
 * `edges[i]…` to the i-th edge; anything else (the document, `nodes`, `id`…) is general.
 */
import type { Problem } from '../types.ts'

export interface PlacedProblems {
  nodes: Map<string, Problem[]>
  edges: Map<number, Problem[]>
  general: Problem[]
}

export function placeProblems(document: unknown, problems: readonly Problem[]): PlacedProblems {
  const placed: PlacedProblems = { nodes: new Map(), edges: new Map(), general: [] }
  const nodes = (document as { nodes?: unknown })?.nodes
  for (const problem of problems) {
    const node = /^nodes\[(\d+)\]/.exec(problem.path)
    const edge = /^edges\[(\d+)\]/.exec(problem.path)
    const id = node && Array.isArray(nodes) ? (nodes[Number(node[1])] as { id?: unknown } | undefined)?.id : undefined
    if (typeof id === 'string') placed.nodes.set(id, [...(placed.nodes.get(id) ?? []), problem])
    else if (edge) placed.edges.set(Number(edge[1]), [...(placed.edges.get(Number(edge[1])) ?? []), problem])
    else placed.general.push(problem)
  }
  return placed
}
