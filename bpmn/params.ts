/**
 * The parameters of Bpium's actions (docs/bpmn.md, "Bpium's dialect"): a `serviceTask` names its
 * component in `camunda:connector/camunda:connectorId` and keeps its parameters in its own
 * `camunda:inputOutput`. A value is a `camunda:script` holding JSON `{ type, value }` (`script`
 * = an expression, `""` meaning unset; `const` = a literal; `outputResult` = an output slot), a
 * `camunda:list` of chosen constants (empty = an empty collection), or a `camunda:map` of
 * `key = script`. This file reads and writes those values; it never logs or reports them.
 */
import { NS } from './namespaces.ts'
import { attrOf, childOf, childrenOf, type XmlElement } from './parse.ts'
import type { XmlNode } from './xml.ts'

export type ParamValue = { kind: 'script'; type: string; value: string } | { kind: 'list'; values: string[] } | { kind: 'map'; entries: Array<{ key: string; value: ParamValue }> } | { kind: 'none' }

export interface OutputParam {
  /** The variable (or dotted path) that receives the slot's value. */
  name: string
  /** The output slot (`configName`): `vars`, `output`, `output_body`… */
  slot: string
  value: ParamValue
}

export interface TaskParams {
  /** `null` when the element has no connector; `''` for an empty stub. */
  connectorId: string | null
  inputs: Map<string, ParamValue>
  outputs: OutputParam[]
  /** A `camunda:script` whose text is not the `{ type, value }` JSON (read as a plain script). */
  rawScripts: number
}

/** Reads the connector id and the `camunda:inputOutput` parameters of a flow element. */
export function readTaskParams(element: XmlElement): TaskParams {
  const extensions = childOf(element, NS.bpmn, 'extensionElements')
  const connector = childOf(extensions, NS.camunda, 'connector')
  const idElement = childOf(connector, NS.camunda, 'connectorId')
  const params: TaskParams = { connectorId: connector ? (idElement?.text.trim() ?? '') : null, inputs: new Map(), outputs: [], rawScripts: 0 }
  const io = childOf(extensions, NS.camunda, 'inputOutput')
  if (!io) return params
  for (const child of io.children) {
    if (child.uri !== NS.camunda) continue
    if (child.local === 'inputParameter') {
      const name = attrOf(child, 'name') ?? ''
      if (!params.inputs.has(name)) params.inputs.set(name, readValue(child, params))
    } else if (child.local === 'outputParameter') {
      params.outputs.push({ name: (attrOf(child, 'name') ?? '').trim(), slot: attrOf(child, 'configName') ?? '', value: readValue(child, params) })
    }
  }
  return params
}

function readValue(parameter: XmlElement, params: TaskParams): ParamValue {
  const script = childOf(parameter, NS.camunda, 'script')
  if (script) return readScript(script.text, params)
  const list = childOf(parameter, NS.camunda, 'list')
  if (list) {
    return { kind: 'list', values: list.children.filter((c) => c.uri === NS.camunda).map((c) => (c.local === 'script' ? scriptText(c.text) : c.text.trim())) }
  }
  const map = childOf(parameter, NS.camunda, 'map')
  if (map) {
    return {
      kind: 'map',
      entries: childrenOf(map, NS.camunda, 'entry').map((entry) => {
        const inner = childOf(entry, NS.camunda, 'script')
        return { key: attrOf(entry, 'key') ?? '', value: inner ? readScript(inner.text, params) : textValue(entry.text) }
      }),
    }
  }
  return textValue(parameter.text)
}

function textValue(text: string): ParamValue {
  return text.trim() ? { kind: 'script', type: 'script', value: text.trim() } : { kind: 'none' }
}

function scriptText(text: string): string {
  const value = readScript(text, { rawScripts: 0 })
  return value.kind === 'script' ? value.value : ''
}

/** A `{ type, value }` script text outside a parameter (a flow's `conditionExpression`). */
export function readScriptText(text: string): ParamValue {
  return readScript(text, { rawScripts: 0 })
}

/** The `{ type, value }` JSON of a `camunda:script`; other text is taken as a plain script. */
function readScript(text: string, params: Pick<TaskParams, 'rawScripts'>): ParamValue {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { type?: unknown; value?: unknown }
      if (parsed && typeof parsed === 'object' && typeof parsed.type === 'string') {
        const value = parsed.value
        return { kind: 'script', type: parsed.type, value: typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value) }
      }
    } catch {
      // not the JSON wrapper: a plain script below
    }
  }
  if (!trimmed) return { kind: 'script', type: 'script', value: '' }
  params.rawScripts++
  return { kind: 'script', type: 'script', value: trimmed }
}

/** The expression a value stands for; `undefined` when unset (`""`) or not an expression. */
export function expressionOf(value: ParamValue | undefined): string | undefined {
  if (value?.kind !== 'script') return undefined
  if (value.type === 'const' || value.type === 'json') return JSON.stringify(value.value)
  if (value.type === 'outputResult') return undefined
  return value.value.trim() === '' ? undefined : value.value
}

/** The literal a value stands for: a constant, a script's text, or a list's first choice. */
export function constantOf(value: ParamValue | undefined): string | undefined {
  if (!value) return undefined
  if (value.kind === 'script') return value.value === '' ? undefined : value.value
  if (value.kind === 'list') return value.values[0] || undefined
  return undefined
}

/**
 * An ordered `key = expression` collection: a map, or an empty list (Bpium writes an empty
 * `camunda:list` where a map has no entries). `isMap` tells an explicit (possibly empty) map.
 */
export function namedOf(value: ParamValue | undefined): { items: Array<{ name: string; value: string | undefined }>; isMap: boolean } {
  if (value?.kind === 'map') return { items: value.entries.map((e) => ({ name: e.key, value: expressionOf(e.value) })), isMap: true }
  return { items: [], isMap: false }
}

// ——— writing ———

const SCRIPT_FORMAT = 'JavaScript'

function scriptNode(type: string, value: string): XmlNode {
  return { name: 'camunda:script', attrs: { scriptFormat: SCRIPT_FORMAT }, cdata: JSON.stringify({ type, value }) }
}

/** `<camunda:inputParameter name>` holding a `{ type: "script" | "const", value }` script. */
export function scriptParam(name: string, value: string, type: 'script' | 'const' = 'script'): XmlNode {
  return { name: 'camunda:inputParameter', attrs: { name }, children: [scriptNode(type, value)] }
}

/** `<camunda:inputParameter name>` holding a list of chosen constants (empty list when none). */
export function listParam(name: string, values: string[]): XmlNode {
  return { name: 'camunda:inputParameter', attrs: { name }, children: [{ name: 'camunda:list', children: values.map((value) => ({ name: 'camunda:value', attrs: { type: 'const' }, text: value })) }] }
}

/** `<camunda:inputParameter name>` holding a map of `key = expression` (an empty map stays a map). */
export function mapParam(name: string, entries: ReadonlyArray<{ name: string; value: string }>): XmlNode {
  return {
    name: 'camunda:inputParameter',
    attrs: { name },
    children: [{ name: 'camunda:map', children: entries.map((e) => ({ name: 'camunda:entry', attrs: { key: e.name }, children: [scriptNode('script', e.value)] })) }],
  }
}

/** `<camunda:outputParameter name=variable configName=slot>`. */
export function outputParam(variable: string, slot: string): XmlNode {
  return { name: 'camunda:outputParameter', attrs: { name: variable, configName: slot }, children: [scriptNode('outputResult', slot)] }
}

/** A row of «Назначение переменных»: `<camunda:outputParameter name configName="vars">`. */
export function varsParam(variable: string, expression: string): XmlNode {
  return { name: 'camunda:outputParameter', attrs: { name: variable, configName: 'vars' }, children: [scriptNode('script', expression)] }
}

/** The `bpmn:extensionElements` of an action: connector plus parameters. */
export function extensionElements(connectorId: string | undefined, parameters: XmlNode[]): XmlNode | undefined {
  const children: XmlNode[] = []
  if (connectorId !== undefined) children.push({ name: 'camunda:connector', children: [{ name: 'camunda:connectorId', text: connectorId }] })
  if (parameters.length) children.push({ name: 'camunda:inputOutput', children: parameters })
  return children.length ? { name: 'bpmn:extensionElements', children } : undefined
}
