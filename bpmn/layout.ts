/**
 * Automatic diagram positions for nodes that have none: a left-to-right layered layout. Layers
 * are longest paths from the start over the graph without its back edges (loops point left);
 * within a layer nodes follow the mean row of their predecessors. It depends only on the nodes,
 * the edges and their order — never on positions — so the importer can recompute it and tell an
 * automatic position from one a designer chose. Boundary events sit on their host's top-right
 * corner, as in Bpium's editor.
 *
 * @example
 * const at = layoutPositions(scenario)
 * at.get('start') // { x: 100, y: 100 }
 */
import { getComponent } from '../runtime/registry.ts'
import type { Scenario } from '../runtime/types.ts'
import { BOUNDARY_SIZE, NODE_SIZE } from './namespaces.ts'

export const LAYER_GAP = 160
export const ROW_GAP = 140
const ORIGIN = { x: 100, y: 100 }

type Point = { x: number; y: number }

/** A boundary event (or anything attached to an activity): placed on its host, not in a layer. */
export const isBoundary = (node: { attachedTo?: string; type: string }) => node.attachedTo !== undefined || node.type.endsWith('Boundary')

/** Top-left positions of every node that is not a boundary event. */
export function layoutPositions(scenario: Pick<Scenario, 'nodes' | 'edges'>): Map<string, Point> {
  const hostOf = new Map<string, string>()
  for (const node of scenario.nodes) if (isBoundary(node) && node.attachedTo) hostOf.set(node.id, node.attachedTo)
  const ids = scenario.nodes.filter((n) => !isBoundary(n)).map((n) => n.id)
  const known = new Set(ids)
  const out = new Map<string, string[]>(ids.map((id) => [id, []]))
  for (const edge of scenario.edges) {
    const from = hostOf.get(edge.from) ?? edge.from
    if (known.has(from) && known.has(edge.to) && from !== edge.to) out.get(from)!.push(edge.to)
  }

  // Depth-first from the start (then from anything left), marking back edges.
  const state = new Map<string, 'open' | 'done'>()
  const forward = new Map<string, string[]>(ids.map((id) => [id, []]))
  const visit = (root: string) => {
    const stack: Array<{ id: string; next: number }> = [{ id: root, next: 0 }]
    state.set(root, 'open')
    while (stack.length) {
      const top = stack[stack.length - 1]
      const targets = out.get(top.id)!
      if (top.next >= targets.length) {
        state.set(top.id, 'done')
        stack.pop()
        continue
      }
      const to = targets[top.next++]
      if (state.get(to) === 'open') continue // a back edge: a loop
      forward.get(top.id)!.push(to)
      if (!state.has(to)) {
        state.set(to, 'open')
        stack.push({ id: to, next: 0 })
      }
    }
  }
  const start = scenario.nodes.find((n) => getComponent(n.type)?.graph?.starts && known.has(n.id))
  if (start) visit(start.id)
  for (const id of ids) if (!state.has(id)) visit(id)

  // Longest-path layers over the forward edges (Kahn's order).
  const indegree = new Map<string, number>(ids.map((id) => [id, 0]))
  for (const targets of forward.values()) for (const to of targets) indegree.set(to, indegree.get(to)! + 1)
  const layer = new Map<string, number>(ids.map((id) => [id, 0]))
  const preds = new Map<string, string[]>(ids.map((id) => [id, []]))
  const queue = ids.filter((id) => indegree.get(id) === 0)
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]
    for (const to of forward.get(id)!) {
      layer.set(to, Math.max(layer.get(to)!, layer.get(id)! + 1))
      preds.get(to)!.push(id)
      indegree.set(to, indegree.get(to)! - 1)
      if (indegree.get(to) === 0) queue.push(to)
    }
  }

  // Rows: layer by layer, ordered by the mean row of predecessors, then by node order.
  const byLayer = new Map<number, string[]>()
  for (const id of ids) {
    const l = layer.get(id)!
    if (!byLayer.has(l)) byLayer.set(l, [])
    byLayer.get(l)!.push(id)
  }
  const row = new Map<string, number>()
  const order = new Map(ids.map((id, i) => [id, i]))
  const positions = new Map<string, Point>()
  for (const l of [...byLayer.keys()].sort((a, b) => a - b)) {
    const members = byLayer.get(l)!
    const wish = new Map(
      members.map((id) => {
        const rows = preds
          .get(id)!
          .map((p) => row.get(p))
          .filter((r): r is number => r !== undefined)
        return [id, rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : 0]
      }),
    )
    members.sort((a, b) => wish.get(a)! - wish.get(b)! || order.get(a)! - order.get(b)!)
    // Wishes ascend, so the next free row is always past the last one taken: linear, not quadratic.
    let last = -1
    for (const id of members) {
      const r = Math.max(0, Math.round(wish.get(id)!), last + 1)
      last = r
      row.set(id, r)
      positions.set(id, { x: ORIGIN.x + l * LAYER_GAP, y: ORIGIN.y + r * ROW_GAP })
    }
  }
  return positions
}

/** Where the `index`-th boundary event of a host at `host` sits: on its top-right corner, then leftwards. */
export function boundaryPosition(host: Point, index: number): Point {
  return { x: host.x + NODE_SIZE - BOUNDARY_SIZE / 2 - index * (BOUNDARY_SIZE + 6), y: host.y - BOUNDARY_SIZE / 2 }
}

export type Bounds = { x: number; y: number; width: number; height: number }

/** Waypoints of a flow between two shapes: right side to left side, around when it goes back. */
export function waypoints(from: Bounds, to: Bounds, fromBoundary: boolean): Point[] {
  const fromMid = { x: from.x + from.width / 2, y: from.y + from.height / 2 }
  const toMid = { x: to.x + to.width / 2, y: to.y + to.height / 2 }
  if (fromBoundary && to.x > from.x + from.width) {
    // Right out of the boundary event, down (or up) between the columns, into the target's side.
    const midX = (from.x + from.width + to.x) / 2
    return [
      { x: from.x + from.width, y: fromMid.y },
      { x: midX, y: fromMid.y },
      { x: midX, y: toMid.y },
      { x: to.x, y: toMid.y },
    ]
  }
  if (fromBoundary) {
    // Up from the boundary event, across, then into the target's top (or bottom when it is above).
    const above = to.y + to.height < from.y
    const lane = Math.min(from.y, to.y) - 30
    return above
      ? [
          { x: fromMid.x, y: from.y },
          { x: fromMid.x, y: to.y + to.height + 20 },
          { x: toMid.x, y: to.y + to.height + 20 },
          { x: toMid.x, y: to.y + to.height },
        ]
      : [
          { x: fromMid.x, y: from.y },
          { x: fromMid.x, y: lane },
          { x: toMid.x, y: lane },
          { x: toMid.x, y: to.y },
        ]
  }
  const exit = from.x + from.width
  if (to.x > exit) {
    if (fromMid.y === toMid.y)
      return [
        { x: exit, y: fromMid.y },
        { x: to.x, y: toMid.y },
      ]
    const midX = (exit + to.x) / 2
    return [
      { x: exit, y: fromMid.y },
      { x: midX, y: fromMid.y },
      { x: midX, y: toMid.y },
      { x: to.x, y: toMid.y },
    ]
  }
  // Back (a loop) or same column: under both shapes.
  const lane = Math.max(from.y + from.height, to.y + to.height) + 40
  return [
    { x: fromMid.x, y: from.y + from.height },
    { x: fromMid.x, y: lane },
    { x: toMid.x, y: lane },
    { x: toMid.x, y: to.y + to.height },
  ]
}
