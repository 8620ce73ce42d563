/**
 * The layout of a scenario whose nodes carry diagram positions (imported from BPMN): each node is
 * drawn where its author put it, instead of where ELK would. Used when every node that is not a
 * boundary event has a `position`; otherwise `positionedLayout` answers null and ELK lays it out.
 *
 * A position is the top-left corner of the node's BPMN shape, and Bpium draws every node 64×64
 * (boundary events 24×24), so the shape's centre is what is kept. The console's activities are
 * wider than Bpium's squares, so the drawing is stretched (never shrunk) just enough that
 * neighbours in a row — or a column — do not touch. Boundary events sit on the edge of their
 * activity the author put them on (top or bottom), or on the lower edge when they have no
 * position. Edges are routed orthogonally between the sides that face each other, the way BPMN
 * modelers connect shapes; one that would cross another node goes around it, above or below
 * (the file's own waypoints are not kept on import).
 *
 * @example
 * const layout = positionedLayout(buildModel(scenario)) ?? await layoutGraph(model, labelOf)
 */
import { edgeLabelText, type Box, type Layout, type Point } from './layout.ts'
import type { GraphModel, GraphNode } from './model.ts'

const BPMN_NODE = 64
const BPMN_BOUNDARY = 24
/** Room kept between two neighbours in a row, and the space an edge label needs beside it. */
const GAP_X = 56
const GAP_Y = 44
/** Height of the label under an event or a gateway (up to three lines). */
const OUTSIDE_LABEL = 46
const MAX_STRETCH = 4
const STUB = 20
const PADDING = 24
const CHAR = 6.4

type Side = 'N' | 'S' | 'E' | 'W'

function positionOf(node: { position?: unknown }): Point | null {
  const p = node.position as { x?: unknown; y?: unknown } | undefined
  if (!p || typeof p !== 'object') return null
  const { x, y } = p
  return typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y) ? { x, y } : null
}

/** Whether `model` can be drawn from its positions: every node but boundary events has one. */
export function hasPositions(model: GraphModel): boolean {
  const placed = model.nodes.filter((n) => !n.host)
  return placed.length > 0 && placed.every((n) => positionOf(n.node) !== null)
}

/** A key of the positions, for deciding when to lay out again. */
export function positionsKey(model: GraphModel): string {
  return model.nodes
    .map((n) => {
      const p = positionOf(n.node)
      return p ? `${p.x},${p.y}` : '-'
    })
    .join(';')
}

const outsideLabel = (n: GraphNode) => (n.shape === 'event' || n.shape === 'gateway' ? OUTSIDE_LABEL : 0)

/** How much to stretch BPMN coordinates so that the console's shapes keep clear of each other. */
function stretch(nodes: Array<{ n: GraphNode; c: Point }>, labelled: Map<string, number>): { sx: number; sy: number } {
  let sx = 1
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const [a, b] = [nodes[i], nodes[j]]
      const dx = Math.abs(a.c.x - b.c.x)
      const dy = Math.abs(a.c.y - b.c.y)
      if (dx < 1 || dy >= (a.n.height + b.n.height) / 2 + 8) continue // not in one row
      const label = Math.max(labelled.get(`${a.n.node.id}\n${b.n.node.id}`) ?? 0, labelled.get(`${b.n.node.id}\n${a.n.node.id}`) ?? 0)
      const need = (a.n.width + b.n.width) / 2 + Math.max(GAP_X, label + 2 * STUB)
      sx = Math.max(sx, need / dx)
    }
  }
  sx = Math.min(sx, MAX_STRETCH)
  let sy = 1
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const [a, b] = [nodes[i], nodes[j]]
      const dx = Math.abs(a.c.x - b.c.x) * sx
      const dy = Math.abs(a.c.y - b.c.y)
      if (dy < 1 || dx >= (a.n.width + b.n.width) / 2 + 8) continue // not in one column
      const upper = a.c.y < b.c.y ? a.n : b.n
      const need = (a.n.height + b.n.height) / 2 + outsideLabel(upper) + GAP_Y
      sy = Math.max(sy, need / dy)
    }
  }
  return { sx, sy: Math.min(sy, MAX_STRETCH) }
}

const centre = (box: Box): Point => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 })

function port(box: Box, side: Side): Point {
  const c = centre(box)
  if (side === 'E') return { x: box.x + box.width, y: c.y }
  if (side === 'W') return { x: box.x, y: c.y }
  if (side === 'N') return { x: c.x, y: box.y }
  return { x: c.x, y: box.y + box.height }
}

/** Drops repeated points and the middle of three in a line. */
function simplify(points: Point[]): Point[] {
  const out: Point[] = []
  for (const p of points) {
    const last = out[out.length - 1]
    if (last && Math.abs(last.x - p.x) < 0.5 && Math.abs(last.y - p.y) < 0.5) continue
    const before = out[out.length - 2]
    if (before && last && ((before.x === last.x && last.x === p.x) || (before.y === last.y && last.y === p.y))) out.pop()
    out.push(p)
  }
  return out
}

/** Whether an axis-parallel path crosses any of `boxes` (touching an edge does not count). */
function crosses(points: readonly Point[], boxes: readonly Box[]): boolean {
  for (let i = 1; i < points.length; i++) {
    const [p, q] = [points[i - 1], points[i]]
    const x1 = Math.min(p.x, q.x)
    const x2 = Math.max(p.x, q.x)
    const y1 = Math.min(p.y, q.y)
    const y2 = Math.max(p.y, q.y)
    for (const box of boxes) {
      if (x2 > box.x - 2 && x1 < box.x + box.width + 2 && y2 > box.y - 2 && y1 < box.y + box.height + 2) return true
    }
  }
  return false
}

const pathLength = (points: readonly Point[]) => points.slice(1).reduce((sum, p, i) => sum + Math.abs(p.x - points[i].x) + Math.abs(p.y - points[i].y), 0)

/**
 * A way around what is in the way: out of the source (`head`), along a free lane above or below
 * everything between the two ends, and into the target's west side.
 */
function detour(head: Point[], b: Box, obstacles: readonly Box[], ends: readonly Box[]): Point[][] {
  const out = head[head.length - 1]
  const to = port(b, 'W')
  const entry = { x: to.x - STUB, y: to.y }
  const x1 = Math.min(out.x, entry.x)
  const x2 = Math.max(out.x, entry.x)
  const between = [...ends, ...obstacles.filter((o) => o.x < x2 && o.x + o.width > x1)]
  const above = Math.min(...between.map((o) => o.y)) - STUB
  const below = Math.max(...between.map((o) => o.y + o.height)) + STUB + 8
  return [above, below].map((lane) => simplify([...head, { x: out.x, y: lane }, { x: entry.x, y: lane }, entry, to]))
}

/** The first of `candidates` that crosses nothing, the shortest such; else the first. */
function firstClear(candidates: Point[][], obstacles: readonly Box[]): Point[] {
  const clear = candidates.filter((c) => !crosses(c, obstacles))
  if (!clear.length) return candidates[0]
  return clear.slice(1).reduce((best, c) => (pathLength(c) < pathLength(best) ? c : best), clear[0])
}

/** An orthogonal route from box `a` to box `b` between the sides that face each other, around `obstacles`. */
function route(a: Box, b: Box, obstacles: readonly Box[]): Point[] {
  const ca = centre(a)
  const cb = centre(b)
  const sameRow = Math.abs(ca.y - cb.y) < (a.height + b.height) / 2
  const direct: Point[][] = []
  if (b.x >= a.x + a.width + STUB) {
    // Forward: out east, in west, turning halfway.
    const from = port(a, 'E')
    const to = port(b, 'W')
    const mid = (from.x + to.x) / 2
    direct.push(simplify([from, { x: mid, y: from.y }, { x: mid, y: to.y }, to]))
  } else if (sameRow && b.x + b.width + STUB <= a.x) {
    // Backward in one row: out west, in east.
    const from = port(a, 'W')
    const to = port(b, 'E')
    const mid = (from.x + to.x) / 2
    direct.push(simplify([from, { x: mid, y: from.y }, { x: mid, y: to.y }, to]))
  }
  if (b.y >= a.y + a.height + STUB) {
    // Below: out south, in north.
    const from = port(a, 'S')
    const to = port(b, 'N')
    const mid = (from.y + to.y) / 2
    direct.push(simplify([from, { x: from.x, y: mid }, { x: to.x, y: mid }, to]))
  } else if (b.y + b.height + STUB <= a.y) {
    // Above: out north, in south.
    const from = port(a, 'N')
    const to = port(b, 'S')
    const mid = (from.y + to.y) / 2
    direct.push(simplify([from, { x: from.x, y: mid }, { x: to.x, y: mid }, to]))
  }
  const from = port(a, 'E')
  const around = detour([from, { x: from.x + STUB, y: from.y }], b, obstacles, [a, b])
  // A direct way is taken when it is clear; otherwise around, above or below.
  const clearDirect = direct.find((d) => !crosses(d, obstacles))
  return clearDirect ?? firstClear([...around, ...direct], obstacles)
}

/** From a boundary event on the top or bottom edge of its activity, out that way, then to `b`. */
function routeFromBoundary(boundary: Box, host: Box, b: Box, obstacles: readonly Box[]): Point[] {
  const onTop = centre(boundary).y < centre(host).y
  const from = port(boundary, onTop ? 'N' : 'S')
  const out = { x: from.x, y: from.y + (onTop ? -STUB : STUB) }
  const cb = centre(b)
  const candidates: Point[][] = []
  if (b.x >= host.x + host.width + STUB) {
    // Out a little, then along beside the host, and into the west side.
    const to = port(b, 'W')
    const mid = (host.x + host.width + to.x) / 2
    const outward = onTop ? cb.y < out.y : cb.y > out.y
    if (outward) candidates.push(simplify([from, { x: from.x, y: cb.y }, to]))
    candidates.push(simplify([from, out, { x: mid, y: out.y }, { x: mid, y: to.y }, to]))
  }
  if (onTop ? b.y + b.height + STUB <= out.y : b.y >= out.y + STUB) {
    // Straight on into the side that faces it.
    const to = port(b, onTop ? 'S' : 'N')
    const mid = (out.y + to.y) / 2
    candidates.push(simplify([from, { x: from.x, y: mid }, { x: to.x, y: mid }, to]))
  }
  candidates.push(...detour([from, out], b, obstacles, [host, b]))
  return firstClear(candidates, obstacles)
}

/** Where an edge's label goes: on the segment entering the target when it fits, else on the longest. */
function labelBox(points: Point[], text: string): Box {
  const width = text.length * CHAR + 12
  const height = 18
  const segments = points.slice(1).map((p, i) => ({ a: points[i], b: p, length: Math.hypot(p.x - points[i].x, p.y - points[i].y) }))
  const last = segments[segments.length - 1]
  const horizontal = (s: typeof last) => Math.abs(s.a.y - s.b.y) < 0.5
  const fits = (s: typeof last) => (horizontal(s) ? s.length >= width + 12 : s.length >= height + 12)
  const pick = fits(last) ? last : segments.reduce((best, s) => (s.length > best.length ? s : best), segments[0])
  const x = (pick.a.x + pick.b.x) / 2
  const y = (pick.a.y + pick.b.y) / 2
  return { x: x - width / 2, y: y - height / 2, width, height }
}

/** Lays out `model` from its nodes' positions; null when some node has none (use ELK then). */
export function positionedLayout(model: GraphModel): Layout | null {
  if (!hasPositions(model)) return null
  const main = model.nodes
    .filter((n) => !n.host)
    .map((n) => {
      const p = positionOf(n.node)!
      return { n, c: { x: p.x + BPMN_NODE / 2, y: p.y + BPMN_NODE / 2 } }
    })
  const hostOf = new Map(model.nodes.filter((n) => n.host).map((n) => [n.node.id, n.host!]))
  const labelled = new Map<string, number>()
  for (const e of model.edges) {
    if (!e.label) continue
    const key = `${hostOf.get(e.edge.from) ?? e.edge.from}\n${hostOf.get(e.edge.to) ?? e.edge.to}`
    labelled.set(key, Math.max(labelled.get(key) ?? 0, edgeLabelText(e.label).length * CHAR + 12))
  }
  const { sx, sy } = stretch(main, labelled)

  const nodes = new Map<string, Box>()
  for (const { n, c } of main) nodes.set(n.node.id, { x: c.x * sx - n.width / 2, y: c.y * sy - n.height / 2, width: n.width, height: n.height })

  // Boundary events: on the edge of the host where the author drew them (Bpium: a corner).
  const perHost = new Map<string, number>()
  for (const n of model.nodes) {
    if (!n.host) continue
    const host = nodes.get(n.host)
    if (!host) continue
    const k = perHost.get(n.host) ?? 0
    perHost.set(n.host, k + 1)
    const hostAt = positionOf(model.nodes.find((h) => h.node.id === n.host)!.node)!
    const at = positionOf(n.node)
    let x = host.x + host.width - 24 - k * 32
    let y = host.y + host.height
    if (at) {
      const fx = Math.min(1, Math.max(0, (at.x + BPMN_BOUNDARY / 2 - hostAt.x) / BPMN_NODE))
      const fy = (at.y + BPMN_BOUNDARY / 2 - hostAt.y) / BPMN_NODE
      x = host.x + 18 + fx * (host.width - 36)
      y = fy < 0.5 ? host.y : host.y + host.height
    }
    nodes.set(n.node.id, { x: x - n.width / 2, y: y - n.height / 2, width: n.width, height: n.height })
  }

  // Everything moved so that the drawing starts at the padding.
  let minX = Infinity
  let minY = Infinity
  for (const box of nodes.values()) {
    minX = Math.min(minX, box.x)
    minY = Math.min(minY, box.y)
  }
  const shiftX = PADDING - minX
  const shiftY = PADDING - minY
  for (const box of nodes.values()) {
    box.x += shiftX
    box.y += shiftY
  }

  const edges = new Map<number, { points: Point[]; label?: Box }>()
  const boxes = main.map(({ n }) => [n.node.id, nodes.get(n.node.id)!] as const)
  for (const e of model.edges) {
    const a = nodes.get(e.edge.from)
    const b = nodes.get(e.edge.to)
    if (!a || !b || e.edge.from === e.edge.to) continue
    const fromHost = hostOf.get(e.edge.from)
    const skip = new Set([fromHost ?? e.edge.from, hostOf.get(e.edge.to) ?? e.edge.to])
    const obstacles = boxes.filter(([id]) => !skip.has(id)).map(([, box]) => box)
    const points = fromHost ? routeFromBoundary(a, nodes.get(fromHost)!, b, obstacles) : route(a, b, obstacles)
    edges.set(e.index, { points, label: e.label ? labelBox(points, edgeLabelText(e.label)) : undefined })
  }

  let width = 0
  let height = 0
  for (const box of nodes.values()) {
    width = Math.max(width, box.x + box.width + PADDING)
    height = Math.max(height, box.y + box.height + PADDING + OUTSIDE_LABEL)
  }
  return { nodes, edges, width, height }
}
