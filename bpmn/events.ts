/**
 * Events and gateways ↔ node types, by the `bpmn` mapping each component declares (its element,
 * event definition, and which config fields the definition carries). The BPMN code names BPMN
 * elements, never potok node types: a new control type maps by declaring its element.
 *
 * @example
 * // components/timer.ts declares { element: 'intermediateCatchEvent', event: 'timer', duration: 'pause' }
 * importEvent(<intermediateCatchEvent><timerEventDefinition><timeDuration>PT5S…) // { type: 'timer', config: { pause: 'PT5S' } }
 */
import { registeredComponents } from '../runtime/registry.ts'
import type { BpmnMapping, Component, ScenarioNode } from '../runtime/types.ts'
import { exportGenericConfig, importGenericConfig } from './actions.ts'
import { NS } from './namespaces.ts'
import { extensionElements, readTaskParams } from './params.ts'
import { attrOf, childOf, type XmlElement } from './parse.ts'
import type { XmlNode } from './xml.ts'

type Warn = (message: string) => void
type Mapped = { type: string | null; config?: unknown; attachedTo?: string }
type Mapping = { type: string; bpmn: BpmnMapping }

function mappingsOf(element: string): Mapping[] {
  return [...registeredComponents().values()].filter((c): c is Component<any> & Mapping => c.bpmn?.element === element)
}

/** The mapping a node type declares (undefined: an action, written as a `serviceTask`). */
export function bpmnMappingOf(type: string): BpmnMapping | undefined {
  return registeredComponents().get(type)?.bpmn
}

/**
 * The node an event or gateway element becomes: the type whose event definition it carries (the
 * only one, unless a plain mapping of the element takes the others), else the element's plain
 * type (ignoring its definitions, with a warning); `{ type: null }` when none fits; undefined
 * when no type maps the element at all.
 */
export function importEvent(element: XmlElement, definitions: string[], idOf: (xmlId: string) => string, warn: Warn): Mapped | undefined {
  const mappings = mappingsOf(element.local)
  if (!mappings.length) return undefined
  const attachedTo = element.local === 'boundaryEvent' ? idOf(attrOf(element, 'attachedToRef') ?? '') : undefined
  const at = attachedTo === undefined ? {} : { attachedTo }
  const plain = mappings.find((m) => !m.bpmn.event)
  for (const { type, bpmn } of mappings) {
    if (!bpmn.event || !definitions.includes(`${bpmn.event}EventDefinition`)) continue
    if (!plain && definitions.length !== 1) continue
    const config = eventConfig(element, bpmn, warn)
    if (config === null) continue
    return { type, ...at, ...(config === undefined ? {} : { config }) }
  }
  if (plain) {
    if (definitions.length && plain.bpmn.ignoredEvents) warn(`the ${words(element.local)}'s ${definitions.join(', ')} is ignored: ${plain.bpmn.ignoredEvents}`)
    return { type: plain.type, ...at }
  }
  return { type: null, ...at }
}

/** The config an event's definition carries; null when the definition lacks what the type needs. */
function eventConfig(element: XmlElement, bpmn: BpmnMapping, warn: Warn): Record<string, unknown> | null | undefined {
  if (bpmn.params) return importGenericConfig(readTaskParams(element), warn)
  if (bpmn.event === 'timer') {
    const duration = childOf(childOf(element, NS.bpmn, 'timerEventDefinition'), NS.bpmn, 'timeDuration')?.text.trim()
    if (duration === undefined || !bpmn.duration) return null
    if (element.local === 'boundaryEvent' && attrOf(element, 'cancelActivity') === 'false') warn('a non-interrupting timer boundary becomes an interrupting timeout boundary')
    return { [bpmn.duration]: duration }
  }
  if (bpmn.event === 'error' && bpmn.errorVariables) {
    const definition = childOf(element, NS.bpmn, 'errorEventDefinition')!
    const config: Record<string, string> = {}
    const code = attrOf(definition, 'errorCodeVariable', NS.camunda)?.trim()
    const message = attrOf(definition, 'errorMessageVariable', NS.camunda)?.trim()
    if (code) config[bpmn.errorVariables.code] = code
    if (message) config[bpmn.errorVariables.message] = message
    if (attrOf(definition, 'errorRef')) warn('the error boundary catches every error: potok does not filter by errorRef')
    return Object.keys(config).length ? config : undefined
  }
  return undefined
}

/** `startEvent` → `start event`. */
function words(local: string): string {
  return local.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`)
}

/** The element a node of a mapped type is written as: its name, attributes, extensions and event definitions. */
export function exportEvent(
  node: ScenarioNode,
  bpmn: BpmnMapping,
  attrs: Record<string, string | undefined>,
  ref: (id: string) => string,
  defaultFlow: string | undefined,
): { name: string; extensions?: XmlNode; definitions: XmlNode[] } {
  const config = (node.config ?? {}) as Record<string, unknown>
  const definitions: XmlNode[] = []
  if (bpmn.element === 'boundaryEvent') attrs.attachedToRef = ref(node.attachedTo ?? '')
  // BPMN's gateway that takes one flow names the flow taken when no condition holds.
  if (bpmn.element === 'exclusiveGateway') attrs.default = defaultFlow
  const extensions = bpmn.params ? extensionElements(undefined, exportGenericConfig(node.config)) : undefined
  if (bpmn.event === 'error') {
    const variables = bpmn.errorVariables
    definitions.push(
      variables
        ? {
            name: 'bpmn:errorEventDefinition',
            attrs: { 'camunda:errorCodeVariable': config[variables.code] as string | undefined, 'camunda:errorMessageVariable': config[variables.message] as string | undefined },
          }
        : { name: 'bpmn:errorEventDefinition' },
    )
  }
  if (bpmn.event === 'timer') definitions.push(timerDefinition(String(config[bpmn.duration ?? ''] ?? '')))
  return { name: `bpmn:${bpmn.element}`, ...(extensions ? { extensions } : {}), definitions }
}

function timerDefinition(duration: string): XmlNode {
  return { name: 'bpmn:timerEventDefinition', children: [{ name: 'bpmn:timeDuration', attrs: { 'xsi:type': 'bpmn:tFormalExpression' }, text: duration }] }
}
