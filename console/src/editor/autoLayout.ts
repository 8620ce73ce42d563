/**
 * Where nodes go without a position of their own. `layeredPositions` is instant (columns by
 * the longest path from a start, rows in document order) and used for drawing until the
 * designer moves something; «Auto-layout» asks ELK (loaded only then — it is the largest
 * script of the console) for a proper layout and stores its positions.
 */
import { layoutGraph } from '../graph/layout.ts'
import { buildModel } from '../graph/model.ts'
import { centreOf, moveNodes, type EditorDocument, type Point } from './document.ts'

const COLUMN = 230
const ROW = 120

/** Centres for every node that is not a boundary event, layered left to right. */
export function layeredPositions(doc: EditorDocument): Map<string, Point> {
  const boundary = new Set(doc.nodes.filter((n) => n.attachedTo).map((n) => n.id))
  const outgoing = new Map<string, string[]>()
  const hostOf = new Map(doc.nodes.filter((n) => n.attachedTo).map((n) => [n.id, n.attachedTo!]))
  for (const e of doc.edges) {
    // An edge leaving a boundary event leaves its activity, as far as columns go.
    const from = hostOf.get(e.from) ?? e.from
    outgoing.set(from, [...(outgoing.get(from) ?? []), e.to])
  }
  const incoming = new Set(doc.edges.map((e) => e.to))
  const layer = new Map<string, number>()
  const roots = doc.nodes.filter((n) => !boundary.has(n.id) && !incoming.has(n.id)).map((n) => n.id)
  const queue: Array<[string, number]> = (roots.length ? roots : doc.nodes.slice(0, 1).map((n) => n.id)).map((id) => [id, 0])
  let guard = doc.nodes.length * doc.nodes.length + 10
  while (queue.length && guard-- > 0) {
    const [id, depth] = queue.shift()!
    if ((layer.get(id) ?? -1) >= depth) continue
    layer.set(id, depth)
    for (const next of outgoing.get(id) ?? []) if (depth + 1 < doc.nodes.length) queue.push([next, depth + 1])
  }
  const rows = new Map<number, number>()
  const out = new Map<string, Point>()
  for (const n of doc.nodes) {
    if (boundary.has(n.id)) continue
    const column = layer.get(n.id) ?? 0
    const row = rows.get(column) ?? 0
    rows.set(column, row + 1)
    out.set(n.id, { x: 120 + column * COLUMN, y: 100 + row * ROW })
  }
  return out
}

/** The document with every node placed by ELK (dynamic import: ELK loads on first use). */
export async function autoLayout(doc: EditorDocument, labelOf: (id: string) => string): Promise<EditorDocument> {
  const model = buildModel(doc)
  const layout = await layoutGraph(model, labelOf)
  const centres = new Map<string, Point>()
  for (const n of model.nodes) {
    if (n.host) continue
    const box = layout.nodes.get(n.node.id)
    if (box) centres.set(n.node.id, { x: 80 + box.x + box.width / 2, y: 80 + box.y + box.height / 2 })
  }
  return moveNodes(doc, centres)
}

/** Whether some node (not a boundary event) has no position yet. */
export function needsPositions(doc: EditorDocument): boolean {
  return doc.nodes.some((n) => !n.attachedTo && !centreOf(n))
}
