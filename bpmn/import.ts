/**
 * `importBpmn(xml)`: a Bpium scenario file (docs/bpmn.md) — or any BPMN 2.0 file in its
 * dialect, potok's own exports included — as a potok scenario plus a report of what could not
 * be mapped. Names, documentation and diagram positions are kept. An unsupported element is
 * reported by element id, name and connector id (never its parameters, which may hold
 * passwords) and becomes a node of type `bpium:<connectorId>` that validation names, or, with
 * `placeholders: true`, a placeholder that fails when reached (see `placeholder.ts`).
 *
 * @example
 * const { scenario, report } = importBpmn(readFileSync('form.bpmn', 'utf8'))
 * report.unsupported // [{ elementId: 'Task_mail', name: 'Письмо', connectorId: 'sendMail', … }]
 */
import { validateScenario, type Problem } from '../runtime/scenario.ts'
import type { Scenario, ScenarioEdge, ScenarioNode } from '../runtime/types.ts'
import { importAction, type ActionContext } from './actions.ts'
import { importEvent } from './events.ts'
import type { ConnectionToCreate } from './sendMail.ts'
import { canonicalScenario } from './canonical.ts'
import { fromXmlId, generatedEdgeId, isPotokId, sanitizeId } from './ids.ts'
import { NS } from './namespaces.ts'
import { expressionOf, readScriptText, readTaskParams } from './params.ts'
import { attrOf, bpmnError, childOf, childrenOf, parseXml, type XmlElement, type XmlLimits } from './parse.ts'
import { placeholderNode } from './placeholder.ts'
import { diagramBounds, dropAutomaticPositions } from './positions.ts'

export interface ImportOptions {
  /** Replace each unsupported element with a node that fails when reached, so the rest can run. */
  placeholders?: boolean
  /** The scenario id (default: the process id, when it is a valid potok id). */
  id?: string
  limits?: XmlLimits
}

export interface UnsupportedElement {
  /** The element's id in the file. */
  elementId: string
  /** The node it became in the scenario. */
  nodeId: string
  name?: string
  /** The BPMN element (`serviceTask`, `userTask`…). */
  element: string
  /** The connector id of a `serviceTask` (`sendMail`, `bpiumAdd`…); null when it has none. */
  connectorId?: string | null
  /** Replaced by a failing placeholder (`placeholders: true`). */
  placeholder: boolean
}

export interface ImportReport {
  scenarioId: string
  /** Every element was mapped. */
  complete: boolean
  /** The scenario passes `validateScenario`. */
  valid: boolean
  /** Validation problems by JSON path (none when valid). */
  problems: Problem[]
  unsupported: UnsupportedElement[]
  /** Things mapped with a loss or a guess (a row without a value left out…). */
  warnings: Array<{ elementId?: string; message: string }>
  /** Elements with no meaning to a process (text annotations, associations…). */
  ignored: Array<{ elementId?: string; element: string }>
  /** Element ids that are not potok ids, and the node ids they became. */
  renamed: Array<{ elementId: string; nodeId: string }>
  /** Connections to create (docs/connections.md): inline SMTP settings of «Отправка почты», without the password. */
  connections: ConnectionToCreate[]
}

export interface ImportResult {
  scenario: Scenario
  report: ImportReport
}

const FLOW_NODES = new Set([
  'startEvent',
  'endEvent',
  'intermediateCatchEvent',
  'intermediateThrowEvent',
  'boundaryEvent',
  'task',
  'serviceTask',
  'userTask',
  'scriptTask',
  'sendTask',
  'receiveTask',
  'manualTask',
  'businessRuleTask',
  'callActivity',
  'subProcess',
  'transaction',
  'adHocSubProcess',
  'exclusiveGateway',
  'parallelGateway',
  'inclusiveGateway',
  'eventBasedGateway',
  'complexGateway',
])
const EVENT_DEFINITIONS = [
  'timerEventDefinition',
  'errorEventDefinition',
  'messageEventDefinition',
  'signalEventDefinition',
  'terminateEventDefinition',
  'escalationEventDefinition',
  'conditionalEventDefinition',
  'compensateEventDefinition',
  'linkEventDefinition',
  'cancelEventDefinition',
]

/** Imports a BPMN document; throws `INVALID_BPMN` (400) / `BPMN_TOO_LARGE` (413) for documents it refuses. */
export function importBpmn(xml: string, options: ImportOptions = {}): ImportResult {
  const root = parseXml(xml, options.limits)
  if (root.uri !== NS.bpmn || root.local !== 'definitions') {
    throw bpmnError(`not a BPMN 2.0 document: the root element is <${root.local}>${root.uri ? ` in ${root.uri.slice(0, 100)}` : ' without a namespace'}, not <definitions> in ${NS.bpmn}`)
  }
  const processes = childrenOf(root, NS.bpmn, 'process')
  if (processes.length === 0) throw bpmnError('the document has no bpmn:process')
  if (processes.length > 1) throw bpmnError(`the document has ${processes.length} processes; a potok scenario is one process: split the file`)
  const process = processes[0]

  const report: ImportReport = { scenarioId: '', complete: true, valid: false, problems: [], unsupported: [], warnings: [], ignored: [], renamed: [], connections: [] }
  const warn = (elementId: string | undefined, message: string) => report.warnings.push({ ...(elementId ? { elementId } : {}), message })
  const shapes = diagramBounds(root)

  // Node ids first: flows and boundary events refer to them.
  const used = new Set<string>()
  const nodeIdOf = new Map<string, string>()
  const elements = process.children.filter((child) => child.uri === NS.bpmn && FLOW_NODES.has(child.local))
  for (const element of elements) {
    const xmlId = attrOf(element, 'id') ?? ''
    nodeIdOf.set(xmlId, potokId(xmlId, used, report))
  }
  const idOf = (xmlId: string) => nodeIdOf.get(xmlId) ?? fromXmlId(xmlId) ?? xmlId

  const nodes: ScenarioNode[] = []
  const defaultFlows = new Set<string>()
  for (const element of elements) {
    const xmlId = attrOf(element, 'id') ?? ''
    const node: ScenarioNode = { id: nodeIdOf.get(xmlId)!, type: '' }
    const name = attrOf(element, 'name')
    if (name) node.name = name
    const documentation = childOf(element, NS.bpmn, 'documentation')?.text
    if (documentation) node.documentation = documentation
    const bounds = shapes.get(xmlId)
    if (bounds) node.position = bounds
    const def = attrOf(element, 'default')
    if (def) defaultFlows.add(def)

    const mapped = mapElement(element, idOf, (message) => warn(xmlId, message), { elementId: printable(xmlId), connections: report.connections })
    if (mapped.type === null) {
      report.complete = false
      // A boundary event cannot become a placeholder task: it stays, and validation names it.
      const placeholder = Boolean(options.placeholders) && mapped.attachedTo === undefined
      const entry: UnsupportedElement = { elementId: printable(xmlId), nodeId: node.id, ...(name ? { name } : {}), element: element.local, placeholder }
      if (element.local === 'serviceTask') entry.connectorId = mapped.connectorId ?? null
      report.unsupported.push(entry)
      const label = entry.connectorId ?? element.local
      nodes.push(placeholder ? placeholderNode(node, label) : { ...node, type: `${element.local === 'serviceTask' ? 'bpium' : 'bpmn'}:${label}` })
      if (mapped.attachedTo !== undefined) nodes[nodes.length - 1].attachedTo = mapped.attachedTo
      continue
    }
    node.type = mapped.type
    if (mapped.attachedTo !== undefined) node.attachedTo = mapped.attachedTo
    if (mapped.config !== undefined) node.config = mapped.config
    nodes.push(node)
  }

  const edges = importFlows(process, idOf, defaultFlows, (id, message) => warn(id, message))
  for (const child of process.children) {
    if (child.uri !== NS.bpmn || FLOW_NODES.has(child.local) || ['sequenceFlow', 'documentation', 'extensionElements'].includes(child.local)) continue
    report.ignored.push({ ...(attrOf(child, 'id') ? { elementId: attrOf(child, 'id') } : {}), element: child.local })
  }

  const scenario: Scenario = { id: scenarioId(process, options, report), nodes, edges }
  const name = attrOf(process, 'name')
  if (name) scenario.name = name
  const description = childOf(process, NS.bpmn, 'documentation')?.text
  if (description) scenario.description = description
  dropAutomaticPositions(scenario)

  const result = canonicalScenario(scenario)
  report.scenarioId = result.id
  report.problems = validate(result)
  report.valid = report.problems.length === 0
  return { scenario: result, report }
}

function validate(scenario: Scenario): Problem[] {
  try {
    const validation = validateScenario(scenario)
    return validation.ok ? [] : validation.problems
  } catch (error) {
    // A graph too large or deep for the validator (a stack overflow) must not fail the import.
    return [{ path: '(root)', message: `the scenario could not be validated: ${(error as Error)?.message ?? error}` }]
  }
}

type Mapped = { type: string | null; config?: unknown; attachedTo?: string; connectorId?: string | null }

function mapElement(element: XmlElement, idOf: (xmlId: string) => string, warn: (message: string) => void, context: ActionContext): Mapped {
  const definitions = EVENT_DEFINITIONS.filter((local) => childOf(element, NS.bpmn, local))
  // Events and gateways: as the node types that declare them (components' `bpmn` mapping).
  const event = importEvent(element, definitions, idOf, warn)
  if (event) return event
  if (element.local === 'serviceTask') {
    const params = readTaskParams(element)
    if (params.rawScripts) warn(`${params.rawScripts} parameter value(s) are not Bpium's { type, value } JSON: read as plain expressions`)
    const action = importAction(params, warn, context)
    return action ?? { type: null, connectorId: params.connectorId ? printable(params.connectorId) : null }
  }
  return { type: null }
}

function importFlows(process: XmlElement, idOf: (xmlId: string) => string, defaults: Set<string>, warn: (id: string, message: string) => void): ScenarioEdge[] {
  const seen = new Map<string, number>()
  return childrenOf(process, NS.bpmn, 'sequenceFlow').map((flow) => {
    const xmlId = attrOf(flow, 'id') ?? ''
    const from = idOf(attrOf(flow, 'sourceRef') ?? '')
    const to = idOf(attrOf(flow, 'targetRef') ?? '')
    const pair = `${from}\u0000${to}`
    const nth = (seen.get(pair) ?? 0) + 1
    seen.set(pair, nth)
    const id = fromXmlId(xmlId) ?? xmlId
    const edge: ScenarioEdge = id && id !== generatedEdgeId(from, to, nth) ? { id, from, to } : { from, to }
    const name = attrOf(flow, 'name')
    if (name) edge.name = name
    const condition = childOf(flow, NS.bpmn, 'conditionExpression')
    if (condition) {
      const value = expressionOf(readScriptText(condition.text))
      if (value !== undefined) edge.condition = value
      else warn(xmlId, 'the condition is empty: the flow has none')
    }
    if (defaults.has(xmlId)) edge.default = true
    return edge
  })
}

function potokId(xmlId: string, used: Set<string>, report: ImportReport): string {
  const decoded = fromXmlId(xmlId)
  for (const candidate of [decoded, xmlId]) {
    if (candidate !== undefined && isPotokId(candidate) && !used.has(candidate)) {
      used.add(candidate)
      return candidate
    }
  }
  const id = sanitizeId(decoded ?? xmlId, used)
  report.renamed.push({ elementId: printable(xmlId), nodeId: id })
  return id
}

function scenarioId(process: XmlElement, options: ImportOptions, report: ImportReport): string {
  if (options.id) return options.id
  const xmlId = attrOf(process, 'id') ?? ''
  const decoded = fromXmlId(xmlId) ?? xmlId
  if (isPotokId(decoded)) return decoded
  const id = sanitizeId(decoded, new Set())
  report.renamed.push({ elementId: printable(xmlId), nodeId: id })
  return id
}

/** An id or name from the file, safe to print: no control characters, at most 100 characters. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001F\u007F]/g, '?')
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean
}
