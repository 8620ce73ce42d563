/**
 * Diagram positions on import: a node's `position` is the top-left corner of its shape's
 * bounds — unless it is exactly where the exporter's automatic layout put a node that had none
 * (`layout.ts`), so a scenario without positions comes back without them.
 */
import type { Scenario } from '../runtime/types.ts'
import { boundaryPosition, isBoundary, layoutPositions } from './layout.ts'
import { NS } from './namespaces.ts'
import { attrOf, childOf, childrenOf, type XmlElement } from './parse.ts'

/** Node positions from the diagram: the top-left corner of each shape's bounds. */
export function diagramBounds(root: XmlElement): Map<string, { x: number; y: number }> {
  const out = new Map<string, { x: number; y: number }>()
  for (const diagram of childrenOf(root, NS.bpmndi, 'BPMNDiagram')) {
    for (const plane of childrenOf(diagram, NS.bpmndi, 'BPMNPlane')) {
      for (const shape of childrenOf(plane, NS.bpmndi, 'BPMNShape')) {
        const element = attrOf(shape, 'bpmnElement')
        const bounds = childOf(shape, NS.dc, 'Bounds')
        if (!element || !bounds || out.has(element)) continue
        const x = Number(attrOf(bounds, 'x'))
        const y = Number(attrOf(bounds, 'y'))
        if (Number.isFinite(x) && Number.isFinite(y)) out.set(element, { x, y })
      }
    }
  }
  return out
}

/**
 * Drops the positions that are exactly where the automatic layout puts a node: the exporter
 * wrote them for nodes that had none. A designer's own position almost never falls there, and
 * if one does, the node is drawn in the same place anyway.
 */
export function dropAutomaticPositions(scenario: Scenario): void {
  const auto = layoutPositions(scenario)
  const hostPosition = new Map<string, { x: number; y: number }>()
  const automatic = new Set<string>()
  for (const node of scenario.nodes) {
    if (isBoundary(node)) continue
    const at = node.position ?? auto.get(node.id)
    if (at && !hostPosition.has(node.id)) hostPosition.set(node.id, at)
    const expected = auto.get(node.id)
    if (node.position && expected && samePoint(node.position, expected)) {
      delete node.position
      automatic.add(node.id)
    }
  }
  // A boundary event on a host placed by hand keeps its position (Bpium always draws it on the
  // corner); on an automatically placed host, the corner position was the exporter's.
  const perHost = new Map<string, number>()
  for (const node of scenario.nodes) {
    if (!isBoundary(node)) continue
    const host = node.attachedTo ?? ''
    const index = perHost.get(host) ?? 0
    perHost.set(host, index + 1)
    const expected = boundaryPosition(hostPosition.get(host) ?? { x: 100, y: 100 }, index)
    if (node.position && (automatic.has(host) || !hostPosition.has(host)) && samePoint(node.position, expected)) delete node.position
  }
}

function samePoint(a: { x: number; y: number }, b: { x: number; y: number }): boolean {
  return a.x === b.x && a.y === b.y
}
