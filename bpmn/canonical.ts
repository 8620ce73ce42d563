/**
 * The canonical form of a scenario — what BPMN import gives and what export/import round trips
 * keep: every node config as its component's schema reads it (defaults written out), and
 * nothing that means nothing: no empty `name`/`documentation`/`description`, no empty config,
 * no `auth: { type: "none" }`, no `default: false`; a boundary event without a position on a
 * host that has one is placed where it is drawn, on the host's corner; the flow file's `webrequests` (catalog
 * records with secrets, not the scenario's graph) and the stored `version` are left out.
 *
 * `importBpmn(exportBpmn(s)).scenario` deep-equals `canonicalScenario(s)` for every scenario.
 *
 * @example
 * canonicalScenario(greet).nodes[1].config // { assignments: [...] } unchanged
 * canonicalScenario(webRequestFlow).nodes[1].config.timeoutMs // 60000 (the default, written out)
 */
import { getComponent } from '../runtime/registry.ts'
import type { Scenario, ScenarioEdge, ScenarioNode } from '../runtime/types.ts'
import { boundaryPosition, isBoundary } from './layout.ts'

export function canonicalScenario(input: Scenario): Scenario {
  const out: Scenario = { id: input.id, nodes: placeBoundaries(input.nodes.map(canonicalNode)), edges: input.edges.map(canonicalEdge) }
  if (input.name) out.name = input.name
  if (input.description) out.description = input.description
  return out
}

/**
 * A boundary event without a position, on a host that has one, is drawn on the host's corner
 * (as Bpium's editor draws it): that position is its canonical one.
 */
function placeBoundaries(nodes: ScenarioNode[]): ScenarioNode[] {
  const hosts = new Map<string, { x: number; y: number } | undefined>()
  for (const node of nodes) if (!isBoundary(node) && !hosts.has(node.id)) hosts.set(node.id, node.position)
  const perHost = new Map<string, number>()
  for (const node of nodes) {
    if (!isBoundary(node)) continue
    const host = node.attachedTo ?? ''
    const index = perHost.get(host) ?? 0
    perHost.set(host, index + 1)
    const at = hosts.get(host)
    if (!node.position && at) node.position = boundaryPosition(at, index)
  }
  return nodes
}

export function canonicalNode(input: ScenarioNode): ScenarioNode {
  const node: ScenarioNode = { id: input.id, type: input.type }
  if (input.name) node.name = input.name
  if (input.documentation) node.documentation = input.documentation
  if (input.position) node.position = { x: input.position.x, y: input.position.y }
  if (input.attachedTo !== undefined) node.attachedTo = input.attachedTo
  const config = canonicalConfig(input.type, input.config)
  if (config !== undefined) node.config = config
  return node
}

function canonicalConfig(type: string, config: unknown): unknown {
  const parsed = getComponent(type)?.config.safeParse(config)
  let value = parsed?.success ? parsed.data : config
  if (value === undefined || value === null) return undefined
  if (typeof value === 'object' && !Array.isArray(value)) {
    value = { ...(value as Record<string, unknown>) }
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key]
    if (type === 'webRequest' && (record.auth as { type?: string } | undefined)?.type === 'none') delete record.auth
    if (!Object.keys(record).length) return undefined
  }
  return value
}

export function canonicalEdge(input: ScenarioEdge): ScenarioEdge {
  const edge: ScenarioEdge = input.id !== undefined ? { id: input.id, from: input.from, to: input.to } : { from: input.from, to: input.to }
  if (input.name) edge.name = input.name
  if (input.condition !== undefined) edge.condition = input.condition
  if (input.default) edge.default = true
  return edge
}
