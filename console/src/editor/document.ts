/**
 * Edits of a scenario document, as pure functions: each takes the document and answers a new
 * one, so the editor's undo history is a list of documents and the canvas, the forms and the
 * JSON view all read the same value.
 *
 * Positions are kept in `node.position` the way BPMN import writes them (the top-left corner of
 * Bpium's 64×64 shape, so its centre is `position + 32`); the read-only graph then draws the
 * scenario where its designer put each node.
 */
import type { ScenarioEdge, ScenarioNode } from '../types.ts'

export interface EditorDocument {
  id: string
  name?: string
  description?: string
  nodes: ScenarioNode[]
  edges: ScenarioEdge[]
  [key: string]: unknown
}

export interface Point {
  x: number
  y: number
}

const HALF = 32

/** The centre of a node on the canvas (null without a position). */
export function centreOf(node: ScenarioNode): Point | null {
  const p = node.position
  return p && Number.isFinite(p.x) && Number.isFinite(p.y) ? { x: p.x + HALF, y: p.y + HALF } : null
}

/** The stored position for a centre on the canvas (whole numbers keep the JSON tidy). */
export function positionFor(centre: Point): Point {
  return { x: Math.round(centre.x - HALF), y: Math.round(centre.y - HALF) }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** A document the editor can work on, from any parsed JSON (null when it is not an object). */
export function normalize(value: unknown): EditorDocument | null {
  if (!isObject(value)) return null
  const nodes = Array.isArray(value.nodes) ? value.nodes.filter((n): n is ScenarioNode => isObject(n) && typeof n.id === 'string') : []
  const edges = Array.isArray(value.edges) ? value.edges.filter((e): e is ScenarioEdge => isObject(e) && typeof e.from === 'string' && typeof e.to === 'string') : []
  return { ...value, id: typeof value.id === 'string' ? value.id : '', nodes, edges }
}

/** A node id not used in `doc`: `base`, `base2`, `base3`… */
export function freeId(doc: EditorDocument, base: string, taken: ReadonlySet<string> = new Set()): string {
  const used = new Set([...doc.nodes.map((n) => n.id), ...taken])
  const stem = base.replace(/[^A-Za-z0-9_-]/g, '') || 'node'
  if (!used.has(stem)) return stem
  for (let i = 2; ; i++) if (!used.has(`${stem}${i}`)) return `${stem}${i}`
}

export function addNode(doc: EditorDocument, node: ScenarioNode): EditorDocument {
  return { ...doc, nodes: [...doc.nodes, node] }
}

export function updateNode(doc: EditorDocument, id: string, patch: (node: ScenarioNode) => ScenarioNode): EditorDocument {
  return { ...doc, nodes: doc.nodes.map((n) => (n.id === id ? patch(n) : n)) }
}

/** Renames a node, following it in edges and boundary attachments. */
export function renameNode(doc: EditorDocument, from: string, to: string): EditorDocument {
  if (from === to || !to || doc.nodes.some((n) => n.id === to)) return doc
  return {
    ...doc,
    nodes: doc.nodes.map((n) => ({ ...n, ...(n.id === from ? { id: to } : {}), ...(n.attachedTo === from ? { attachedTo: to } : {}) })),
    edges: doc.edges.map((e) => ({ ...e, from: e.from === from ? to : e.from, to: e.to === from ? to : e.to })),
  }
}

export function moveNodes(doc: EditorDocument, centres: ReadonlyMap<string, Point>): EditorDocument {
  return { ...doc, nodes: doc.nodes.map((n) => (centres.has(n.id) ? { ...n, position: positionFor(centres.get(n.id)!) } : n)) }
}

/** Adds the edge `from → to` unless it exists or would loop on one node. */
export function connect(doc: EditorDocument, from: string, to: string): EditorDocument {
  if (from === to || doc.edges.some((e) => e.from === from && e.to === to)) return doc
  return { ...doc, edges: [...doc.edges, { from, to }] }
}

export function updateEdge(doc: EditorDocument, index: number, patch: (edge: ScenarioEdge) => ScenarioEdge): EditorDocument {
  return { ...doc, edges: doc.edges.map((e, i) => (i === index ? patch(e) : e)) }
}

/** Removes nodes (with their edges and the boundary events attached to them) and edges by index. */
export function removeElements(doc: EditorDocument, nodeIds: ReadonlySet<string>, edgeIndexes: ReadonlySet<number> = new Set()): EditorDocument {
  const gone = new Set(nodeIds)
  for (const n of doc.nodes) if (n.attachedTo && gone.has(n.attachedTo)) gone.add(n.id)
  return { ...doc, nodes: doc.nodes.filter((n) => !gone.has(n.id)), edges: doc.edges.filter((e, i) => !edgeIndexes.has(i) && !gone.has(e.from) && !gone.has(e.to)) }
}

/** What Ctrl+C keeps: the chosen nodes, their boundary events, and the edges between them. */
export interface Clipboard {
  nodes: ScenarioNode[]
  edges: ScenarioEdge[]
}

export function copyElements(doc: EditorDocument, nodeIds: ReadonlySet<string>): Clipboard {
  const chosen = new Set(nodeIds)
  for (const n of doc.nodes) if (n.attachedTo && chosen.has(n.attachedTo)) chosen.add(n.id)
  return { nodes: structuredClone(doc.nodes.filter((n) => chosen.has(n.id))), edges: structuredClone(doc.edges.filter((e) => chosen.has(e.from) && chosen.has(e.to))) }
}

/** Pastes a clipboard with fresh ids, shifted by `offset`; answers the document and the new ids. */
export function pasteElements(doc: EditorDocument, clip: Clipboard, offset: Point): { doc: EditorDocument; ids: string[] } {
  const renamed = new Map<string, string>()
  const taken = new Set<string>()
  for (const n of clip.nodes) {
    const id = freeId(doc, n.id.replace(/\d+$/, ''), taken)
    taken.add(id)
    renamed.set(n.id, id)
  }
  const nodes = clip.nodes.map((n) => ({
    ...structuredClone(n),
    id: renamed.get(n.id)!,
    ...(n.attachedTo ? { attachedTo: renamed.get(n.attachedTo) ?? n.attachedTo } : {}),
    ...(n.position ? { position: { x: n.position.x + offset.x, y: n.position.y + offset.y } } : {}),
  }))
  const edges = clip.edges.map((e) => ({ ...structuredClone(e), from: renamed.get(e.from)!, to: renamed.get(e.to)! }))
  return { doc: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] }, ids: nodes.map((n) => n.id) }
}

/** The scenario as it is saved: the document without empty optional fields the editor leaves. */
export function pretty(doc: unknown): string {
  return JSON.stringify(doc, null, 2)
}
