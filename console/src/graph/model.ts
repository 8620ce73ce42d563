/**
 * What the canvas draws for a scenario, before layout: each node's shape (by kind), its size,
 * and the edges that can be drawn. Works on any document the editor holds — half-written ones
 * included: nodes without an id are skipped, duplicates keep the first, edges to unknown nodes
 * are left out (validation reports them).
 */
import type { ScenarioEdge, ScenarioNode } from '../types.ts'

export type Shape = 'event' | 'gateway' | 'activity' | 'boundary'

export interface GraphNode {
  /** Index in `scenario.nodes` (validation problems name nodes by index). */
  index: number
  node: ScenarioNode
  shape: Shape
  width: number
  height: number
  /** The activity a boundary event is drawn on (when that activity exists). */
  host?: string
}

export interface GraphEdge {
  /** Index in `scenario.edges`. */
  index: number
  edge: ScenarioEdge
  /** "default", the condition, or the edge's name. */
  label?: string
}

export interface GraphModel {
  nodes: GraphNode[]
  edges: GraphEdge[]
}

const EVENTS = new Set(['start', 'end', 'errorEnd', 'timer'])
const GATEWAYS = new Set(['exclusiveGateway', 'parallelGateway'])
const BOUNDARIES = new Set(['errorBoundary', 'timeoutBoundary'])

export const SIZES: Record<Shape, { width: number; height: number }> = {
  event: { width: 44, height: 44 },
  gateway: { width: 52, height: 52 },
  activity: { width: 192, height: 60 },
  boundary: { width: 26, height: 26 },
}

export function shapeOf(type: string): Shape {
  if (EVENTS.has(type)) return 'event'
  if (GATEWAYS.has(type)) return 'gateway'
  if (BOUNDARIES.has(type)) return 'boundary'
  return 'activity'
}

/** The label an edge carries: its condition, "default", or its name. */
export function edgeLabel(edge: ScenarioEdge, defaultWord: string): string | undefined {
  if (typeof edge.condition === 'string' && edge.condition.trim()) return edge.condition.trim()
  if (edge.default === true) return defaultWord
  return typeof edge.name === 'string' && edge.name ? edge.name : undefined
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Builds the drawable model of a (possibly invalid) scenario document. */
export function buildModel(document: unknown, defaultWord = 'default'): GraphModel {
  const doc = isObject(document) ? document : {}
  const rawNodes = Array.isArray(doc.nodes) ? doc.nodes : []
  const rawEdges = Array.isArray(doc.edges) ? doc.edges : []
  const nodes: GraphNode[] = []
  const byId = new Map<string, GraphNode>()
  rawNodes.forEach((raw, index) => {
    if (!isObject(raw) || typeof raw.id !== 'string' || !raw.id || byId.has(raw.id)) return
    const node = { ...raw, type: typeof raw.type === 'string' ? raw.type : '' } as ScenarioNode
    const shape = shapeOf(node.type)
    const graphNode: GraphNode = { index, node, shape, ...SIZES[shape] }
    nodes.push(graphNode)
    byId.set(node.id, graphNode)
  })
  for (const graphNode of nodes) {
    const host = graphNode.node.attachedTo
    if (graphNode.shape === 'boundary' && typeof host === 'string' && byId.get(host)?.shape === 'activity') graphNode.host = host
  }
  const edges: GraphEdge[] = []
  rawEdges.forEach((raw, index) => {
    if (!isObject(raw) || typeof raw.from !== 'string' || typeof raw.to !== 'string') return
    if (!byId.has(raw.from) || !byId.has(raw.to)) return
    const edge = raw as unknown as ScenarioEdge
    edges.push({ index, edge, label: edgeLabel(edge, defaultWord) })
  })
  return { nodes, edges }
}
