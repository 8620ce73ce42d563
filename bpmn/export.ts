/**
 * `exportBpmn(scenario)`: BPMN 2.0 XML in Bpium's dialect (docs/bpmn.md) — one
 * `bpmn:process` (`isExecutable="false"`) and a `bpmndi:BPMNDiagram` with a 64×64 shape per
 * node (boundary events 24×24 on their host) and an edge with waypoints per flow. Positions are
 * the nodes' own, or laid out automatically (`layout.ts`). Importing the result gives back
 * `canonicalScenario(scenario)`.
 *
 * @example
 * const xml = exportBpmn(greet) // opens in bpmn-js based modelers and in Bpium
 */
import type { Scenario, ScenarioEdge, ScenarioNode } from '../runtime/types.ts'
import { exportAction } from './actions.ts'
import { bpmnMappingOf, exportEvent } from './events.ts'
import { freshId, generatedEdgeId, uniqueXmlId } from './ids.ts'
import { boundaryPosition, isBoundary, layoutPositions, waypoints, type Bounds } from './layout.ts'
import { BOUNDARY_SIZE, NODE_SIZE, NS, PREFIX } from './namespaces.ts'
import { extensionElements } from './params.ts'
import { serializeXml, type XmlNode } from './xml.ts'

export function exportBpmn(scenario: Scenario): string {
  const used = new Set<string>()
  const nodeXmlId = new Map<string, string>()
  for (const node of scenario.nodes) {
    const xmlId = uniqueXmlId(node.id, used)
    if (!nodeXmlId.has(node.id)) nodeXmlId.set(node.id, xmlId)
  }
  const edgeXmlIds = edgeIds(scenario.edges, used)
  const processId = uniqueXmlId(scenario.id, used)
  const ref = (id: string) => {
    if (!nodeXmlId.has(id)) nodeXmlId.set(id, uniqueXmlId(id, used)) // a dangling reference of an invalid scenario
    return nodeXmlId.get(id)!
  }

  const incoming = new Map<string, string[]>()
  const outgoing = new Map<string, string[]>()
  const defaultOf = new Map<string, string>()
  scenario.edges.forEach((edge, i) => {
    push(outgoing, edge.from, edgeXmlIds[i])
    push(incoming, edge.to, edgeXmlIds[i])
    if (edge.default && !defaultOf.has(edge.from)) defaultOf.set(edge.from, edgeXmlIds[i])
  })

  const elements: XmlNode[] = []
  if (scenario.description) elements.push({ name: 'bpmn:documentation', text: scenario.description })
  for (const node of scenario.nodes) elements.push(flowNode(node, ref, incoming, outgoing, defaultOf))
  scenario.edges.forEach((edge, i) => elements.push(sequenceFlow(edge, edgeXmlIds[i], ref)))

  const bounds = shapeBounds(scenario)
  const plane: XmlNode[] = []
  for (const node of scenario.nodes) {
    const b = bounds.get(node)!
    plane.push({
      name: 'bpmndi:BPMNShape',
      attrs: { id: freshId(`${nodeXmlId.get(node.id)}_di`, used), bpmnElement: nodeXmlId.get(node.id), isMarkerVisible: bpmnMappingOf(node.type)?.element === 'exclusiveGateway' ? 'true' : undefined },
      children: [{ name: 'dc:Bounds', attrs: { x: b.x, y: b.y, width: b.width, height: b.height } }],
    })
  }
  const boundsById = new Map(scenario.nodes.map((node) => [node.id, bounds.get(node)!]))
  const nodeById = new Map(scenario.nodes.map((node) => [node.id, node]))
  scenario.edges.forEach((edge, i) => {
    const from = boundsById.get(edge.from)
    const to = boundsById.get(edge.to)
    if (!from || !to) return
    const fromNode = nodeById.get(edge.from)!
    plane.push({
      name: 'bpmndi:BPMNEdge',
      attrs: { id: freshId(`${edgeXmlIds[i]}_di`, used), bpmnElement: edgeXmlIds[i] },
      children: waypoints(from, to, isBoundary(fromNode)).map((p) => ({ name: 'di:waypoint', attrs: { x: p.x, y: p.y } })),
    })
  })

  const definitions: XmlNode = {
    name: 'bpmn:definitions',
    attrs: {
      ...Object.fromEntries(Object.entries(NS).map(([key, uri]) => [`xmlns:${PREFIX[key as keyof typeof NS]}`, uri])),
      id: freshId('Definitions_1', used),
      targetNamespace: 'http://bpmn.io/schema/bpmn',
      exporter: 'potok',
      exporterVersion: '1',
    },
    children: [
      { name: 'bpmn:process', attrs: { id: processId, name: scenario.name || undefined, isExecutable: 'false' }, children: elements },
      {
        name: 'bpmndi:BPMNDiagram',
        attrs: { id: freshId('BPMNDiagram_1', used) },
        children: [{ name: 'bpmndi:BPMNPlane', attrs: { id: freshId('BPMNPlane_1', used), bpmnElement: processId }, children: plane }],
      },
    ],
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serializeXml(definitions)}\n`
}

function push(map: Map<string, string[]>, key: string, value: string) {
  if (!map.has(key)) map.set(key, [])
  map.get(key)!.push(value)
}

/** XML ids of the edges: their own, else `Flow_<from>_<to>` (which the importer drops again). */
function edgeIds(edges: ScenarioEdge[], used: Set<string>): string[] {
  const ids: Array<string | undefined> = edges.map((edge) => (edge.id !== undefined ? uniqueXmlId(edge.id, used) : undefined))
  const seen = new Map<string, number>()
  return edges.map((edge, i) => {
    const pair = `${edge.from}\u0000${edge.to}`
    const nth = (seen.get(pair) ?? 0) + 1
    seen.set(pair, nth)
    if (ids[i] !== undefined) return ids[i]!
    const candidate = generatedEdgeId(edge.from, edge.to, nth)
    if (/^[A-Za-z_][\w.-]*$/.test(candidate) && !used.has(candidate)) {
      used.add(candidate)
      return candidate
    }
    return freshId(`Flow_${i + 1}_x`, used)
  })
}

function shapeBounds(scenario: Scenario): Map<ScenarioNode, Bounds> {
  const auto = layoutPositions(scenario)
  const out = new Map<ScenarioNode, Bounds>()
  const byId = new Map<string, Bounds>()
  for (const node of scenario.nodes) {
    if (isBoundary(node)) continue
    const at = node.position ?? auto.get(node.id) ?? { x: 100, y: 100 }
    const b = { x: at.x, y: at.y, width: NODE_SIZE, height: NODE_SIZE }
    out.set(node, b)
    if (!byId.has(node.id)) byId.set(node.id, b)
  }
  const perHost = new Map<string, number>()
  for (const node of scenario.nodes) {
    if (!isBoundary(node)) continue
    const host = byId.get(node.attachedTo ?? '') ?? { x: 100, y: 100 }
    const index = perHost.get(node.attachedTo ?? '') ?? 0
    perHost.set(node.attachedTo ?? '', index + 1)
    const at = node.position ?? boundaryPosition(host, index)
    out.set(node, { x: at.x, y: at.y, width: BOUNDARY_SIZE, height: BOUNDARY_SIZE })
  }
  return out
}

function flowNode(node: ScenarioNode, ref: (id: string) => string, incoming: Map<string, string[]>, outgoing: Map<string, string[]>, defaultOf: Map<string, string>): XmlNode {
  const attrs: Record<string, string | undefined> = { id: ref(node.id), name: node.name || undefined }
  const children: XmlNode[] = []
  if (node.documentation) children.push({ name: 'bpmn:documentation', text: node.documentation })
  const definitions: XmlNode[] = []
  let name = 'bpmn:serviceTask'
  let extensions: XmlNode | undefined

  const mapping = bpmnMappingOf(node.type)
  const unsupported = /^bpmn:([A-Za-z]+)$/.exec(node.type)
  if (mapping) {
    const event = exportEvent(node, mapping, attrs, ref, defaultOf.get(node.id))
    name = event.name
    extensions = event.extensions
    definitions.push(...event.definitions)
  } else if (unsupported) {
    // An element an import could not map: written back as the element it was.
    name = `bpmn:${unsupported[1]}`
    if (node.attachedTo !== undefined) attrs.attachedToRef = ref(node.attachedTo)
  } else {
    const action = exportAction(node)
    extensions = extensionElements(action.connectorId, action.params)
    attrs.default = defaultOf.get(node.id)
  }
  if (extensions) children.push(extensions)
  for (const flow of incoming.get(node.id) ?? []) children.push({ name: 'bpmn:incoming', text: flow })
  // A boundary event has outgoing flows only; BPMN gives it no incoming ones.
  for (const flow of outgoing.get(node.id) ?? []) children.push({ name: 'bpmn:outgoing', text: flow })
  children.push(...definitions)
  return { name, attrs, children }
}

function sequenceFlow(edge: ScenarioEdge, id: string, ref: (id: string) => string): XmlNode {
  const children: XmlNode[] = []
  if (edge.condition !== undefined) {
    children.push({ name: 'bpmn:conditionExpression', attrs: { 'xsi:type': 'bpmn:tFormalExpression', language: 'JavaScript' }, cdata: JSON.stringify({ type: 'script', value: edge.condition }) })
  }
  return { name: 'bpmn:sequenceFlow', attrs: { id, name: edge.name || undefined, sourceRef: ref(edge.from), targetRef: ref(edge.to) }, children }
}
