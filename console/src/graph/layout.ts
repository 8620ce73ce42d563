/**
 * Automatic layout with elkjs (layered, left to right, orthogonal edges). Every node gets one
 * entry port (west) and one exit port (east), so edges meet a circle or a diamond at its tip;
 * a boundary event is a port on the south side of its activity, and its edge leaves from there.
 * Outside labels (under events and gateways) and edge labels are sized so ELK keeps room for them.
 */
import type { ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs/lib/elk-api.js'
import type { GraphModel } from './model.ts'

export interface Point {
  x: number
  y: number
}

export interface Box extends Point {
  width: number
  height: number
}

export interface Layout {
  /** Top-left corner and size of each node, by node id (boundaries included). */
  nodes: Map<string, Box>
  /** Route of each drawable edge, by edge index. */
  edges: Map<number, { points: Point[]; label?: Box }>
  width: number
  height: number
}

const CHAR = 6.4
const LABEL_WRAP = 132
const LABEL_LINE = 14
const EDGE_LABEL_MAX = 36

/** The text of an edge label as drawn (long conditions are cut; the full one is in the tooltip). */
export function edgeLabelText(label: string): string {
  const oneLine = label.replace(/\s+/g, ' ')
  return oneLine.length > EDGE_LABEL_MAX ? `${oneLine.slice(0, EDGE_LABEL_MAX - 1)}…` : oneLine
}

function outsideLabelSize(text: string): { width: number; height: number } {
  const width = Math.min(LABEL_WRAP, Math.max(20, text.length * CHAR))
  const lines = Math.min(3, Math.ceil((text.length * CHAR) / LABEL_WRAP))
  return { width, height: lines * LABEL_LINE }
}

type ElkInstance = { layout(graph: ElkNode): Promise<ElkNode> }
let elk: Promise<ElkInstance> | null = null
function loadElk(): Promise<ElkInstance> {
  // ELK is large; load it when the first graph is drawn.
  elk ??= import('elkjs/lib/elk.bundled.js').then((module) => {
    const ELK = (module as unknown as { default: new () => ElkInstance }).default
    return new ELK()
  })
  return elk
}

const portId = (node: string, name: string) => `${node}::${name}`

/** Lays out `model`; `labelOf(nodeId)` is the label drawn under events and gateways. */
export async function layoutGraph(model: GraphModel, labelOf: (id: string) => string): Promise<Layout> {
  const attached = new Map<string, string[]>()
  for (const n of model.nodes) if (n.host) attached.set(n.host, [...(attached.get(n.host) ?? []), n.node.id])
  const hostOf = new Map(model.nodes.filter((n) => n.host).map((n) => [n.node.id, n.host!]))

  const children: ElkNode[] = model.nodes
    .filter((n) => !n.host)
    .map((n) => {
      const { width, height } = n
      const ports: ElkPort[] = [
        { id: portId(n.node.id, 'in'), x: 0, y: height / 2, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'WEST' } },
        { id: portId(n.node.id, 'out'), x: width, y: height / 2, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'EAST' } },
      ]
      ;(attached.get(n.node.id) ?? []).forEach((boundary, k) => {
        ports.push({ id: portId(n.node.id, `b:${boundary}`), x: width - 24 - k * 32, y: height, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'SOUTH' } })
      })
      const outside = n.shape === 'event' || n.shape === 'gateway'
      const label = outside ? labelOf(n.node.id) : ''
      return {
        id: n.node.id,
        width,
        height,
        ports,
        labels: label ? [{ text: label, ...outsideLabelSize(label) }] : [],
        layoutOptions: { 'elk.portConstraints': 'FIXED_POS', 'elk.nodeLabels.placement': 'OUTSIDE V_BOTTOM H_CENTER' },
      }
    })

  const source = (id: string) => (hostOf.has(id) ? portId(hostOf.get(id)!, `b:${id}`) : portId(id, 'out'))
  const target = (id: string) => (hostOf.has(id) ? portId(hostOf.get(id)!, `b:${id}`) : portId(id, 'in'))
  const edges: ElkExtendedEdge[] = model.edges.map((e) => ({
    id: `e${e.index}`,
    sources: [source(e.edge.from)],
    targets: [target(e.edge.to)],
    labels: e.label ? [{ text: edgeLabelText(e.label), width: edgeLabelText(e.label).length * CHAR + 12, height: 18 }] : [],
  }))

  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '64',
      'elk.layered.spacing.edgeNodeBetweenLayers': '28',
      'elk.spacing.nodeNode': '40',
      'elk.spacing.edgeNode': '24',
      'elk.spacing.edgeEdge': '16',
      'elk.spacing.edgeLabel': '4',
      'elk.spacing.labelNode': '6',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      // Loops: the edge back to a node already on the path from start is the one drawn backwards.
      'elk.layered.cycleBreaking.strategy': 'DEPTH_FIRST',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.padding': '[top=24,left=24,bottom=24,right=24]',
    },
    children,
    edges,
  }

  const result = await (await loadElk()).layout(graph)
  const nodes = new Map<string, Box>()
  for (const child of result.children ?? []) {
    const box = { x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? 0, height: child.height ?? 0 }
    nodes.set(child.id, box)
    for (const port of child.ports ?? []) {
      const [, name] = port.id.split('::')
      if (!name?.startsWith('b:')) continue
      const boundary = model.nodes.find((n) => n.node.id === name.slice(2))
      if (!boundary) continue
      nodes.set(boundary.node.id, { x: box.x + (port.x ?? 0) - boundary.width / 2, y: box.y + (port.y ?? 0) - boundary.height / 2, width: boundary.width, height: boundary.height })
    }
  }
  const routes = new Map<number, { points: Point[]; label?: Box }>()
  for (const edge of (result.edges ?? []) as ElkExtendedEdge[]) {
    const section = edge.sections?.[0]
    if (!section) continue
    const label = edge.labels?.[0]
    routes.set(Number(edge.id.slice(1)), {
      points: [section.startPoint, ...(section.bendPoints ?? []), section.endPoint],
      label: label ? { x: label.x ?? 0, y: label.y ?? 0, width: label.width ?? 0, height: label.height ?? 0 } : undefined,
    })
  }
  return { nodes, edges: routes, width: result.width ?? 0, height: result.height ?? 0 }
}
