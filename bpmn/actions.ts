/**
 * Actions (`serviceTask` + connector) ↔ potok nodes. Bpium's «Назначение переменных»
 * (`setvar`), «Код» (`code`), «Веб-запрос» (`webRequest`), «Отправка почты» (`sendMail`, SMTP)
 * and «Конвертер» (`convertDoc`) map onto `setVariables`, `code`, `webRequest`, `sendMail` and
 * `convert` in Bpium's own parameters. A potok component Bpium does not have (parser,
 * subProcess, respond, and any added later) is written with the connector id `potok.<type>`
 * (a control type without a BPMN element of its own too) and one parameter per config field — strings as `{ type: "const" }`, anything else as
 * `{ type: "json" }` — so it comes back exactly. Any other connector id is unsupported.
 */
import type { CodeConfig } from '../components/code.ts'
import type { ConvertConfig } from '../components/convert.ts'
import type { SendMailConfig } from '../components/sendMail.ts'
import { getComponent } from '../runtime/registry.ts'
import type { SetVariablesConfig } from '../components/setVariables.ts'
import type { WebRequestConfig } from '../components/webRequest.ts'
import type { ScenarioNode } from '../runtime/types.ts'
import { constantOf, expressionOf, listParam, mapParam, namedOf, outputParam, scriptParam, varsParam, type TaskParams } from './params.ts'
import { exportConvert, importConvert } from './convert.ts'
import { exportSendMail, importSendMail, isSmtpMail, type ConnectionToCreate } from './sendMail.ts'
import { exportRecordAction, importRecordAction } from './records.ts'
import { exportWebRequest, importWebRequest } from './webRequest.ts'
import type { XmlNode } from './xml.ts'

type Warn = (message: string) => void

/** What an action's import shares with the rest of the import: the element, the connections to create. */
export interface ActionContext {
  elementId: string
  connections: ConnectionToCreate[]
}

/** The connector-id prefix of potok's own components. */
export const POTOK_CONNECTOR = 'potok.'
const DEFAULT_CODE_TIMEOUT_MS = 5000

/** The potok node type and config of an action, or `null` when its connector is unsupported. */
export function importAction(params: TaskParams, warn: Warn, context: ActionContext = { elementId: '', connections: [] }): { type: string; config?: unknown } | null {
  switch (params.connectorId) {
    case 'setvar':
      return { type: 'setVariables', config: importSetvar(params, warn) }
    case 'code':
      return { type: 'code', config: importCode(params, warn) }
    case 'webRequest':
      return { type: 'webRequest', config: importWebRequest(params, warn) }
    case 'sendMail':
      return isSmtpMail(params) ? { type: 'sendMail', config: importSendMail(params, context.elementId, warn, context.connections) } : null
    case 'convertDoc':
      return { type: 'convert', config: importConvert(params, warn) }
  }
  const record = importRecordAction(params, warn)
  if (record) return record
  const id = params.connectorId ?? ''
  if (id.startsWith(POTOK_CONNECTOR)) {
    const type = id.slice(POTOK_CONNECTOR.length)
    // Any registered type that is not an event or gateway (those map by their own element).
    const component = getComponent(type)
    if (component && !component.bpmn) {
      const config = importGenericConfig(params, warn)
      return config === undefined ? { type } : { type, config }
    }
  }
  return null
}

function importSetvar(p: TaskParams, warn: Warn): Partial<SetVariablesConfig> {
  const assignments: SetVariablesConfig['assignments'] = []
  for (const row of p.outputs) {
    if (row.slot !== 'vars' && row.slot !== '') continue
    const value = expressionOf(row.value)
    if (!row.name) warn('a row without a variable name is left out')
    else if (value === undefined) warn(`the row for "${row.name}" has no value: left out`)
    else assignments.push({ name: row.name, value })
  }
  return { assignments }
}

function importCode(p: TaskParams, warn: Warn): Record<string, unknown> {
  const inputs: CodeConfig['inputs'] = []
  for (const item of namedOf(p.inputs.get('variables')).items) {
    if (item.value === undefined) warn(`input "${item.name}" has no value: left out`)
    else inputs.push({ name: item.name, value: item.value })
  }
  const config: Record<string, unknown> = { inputs, code: constantOf(p.inputs.get('source')) ?? '' }
  const saveTo = p.outputs.find((o) => o.slot === 'output' && o.name)?.name
  if (saveTo) config.saveTo = saveTo
  const timeout = constantOf(p.inputs.get('timeoutMs'))
  if (timeout !== undefined) config.timeoutMs = /^\d+$/.test(timeout) ? Number(timeout) : timeout
  return config
}

/** potok's own encoding: one parameter per config field (`const` strings, `json` anything else). */
export function importGenericConfig(p: TaskParams, warn: Warn): Record<string, unknown> | undefined {
  if (!p.inputs.size) return undefined
  const config: Record<string, unknown> = {}
  for (const [key, value] of p.inputs) {
    if (value.kind !== 'script' || key === '__proto__') continue
    if (value.type === 'json') {
      try {
        config[key] = JSON.parse(value.value)
      } catch {
        warn(`parameter "${key}" is not valid JSON: left out`)
      }
    } else {
      config[key] = value.value
    }
  }
  return config
}

/** The connector id and parameters of a potok action node (anything but control flow). */
export function exportAction(node: ScenarioNode): { connectorId: string; params: XmlNode[] } {
  if (node.type.startsWith('bpium:')) return { connectorId: node.type.slice('bpium:'.length), params: [] }
  switch (node.type) {
    case 'setVariables': {
      const c = node.config as SetVariablesConfig | undefined
      return { connectorId: 'setvar', params: (c?.assignments ?? []).map((a) => varsParam(a.name, a.value)) }
    }
    case 'code': {
      const c = node.config as CodeConfig
      const params = [c.inputs?.length ? mapParam('variables', c.inputs) : listParam('variables', []), scriptParam('source', c.code, 'const')]
      if (c.timeoutMs !== undefined && c.timeoutMs !== DEFAULT_CODE_TIMEOUT_MS) params.push(scriptParam('timeoutMs', String(c.timeoutMs), 'const'))
      if (c.saveTo) params.push(outputParam(c.saveTo, 'output'))
      return { connectorId: 'code', params }
    }
    case 'webRequest':
      return { connectorId: 'webRequest', params: exportWebRequest(node.config as WebRequestConfig) }
    case 'sendMail':
      return { connectorId: 'sendMail', params: exportSendMail(node.config as SendMailConfig) }
    case 'convert':
      return { connectorId: 'convertDoc', params: exportConvert(node.config as ConvertConfig) }
    default:
      return exportRecordAction(node.type, node.config) ?? { connectorId: POTOK_CONNECTOR + node.type, params: exportGenericConfig(node.config) }
  }
}

/** One `camunda:inputParameter` per config field. */
export function exportGenericConfig(config: unknown): XmlNode[] {
  if (!config || typeof config !== 'object' || Array.isArray(config)) return []
  return Object.entries(config as Record<string, unknown>)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => (typeof value === 'string' ? scriptParam(key, value, 'const') : genericJson(key, value)))
}

function genericJson(key: string, value: unknown): XmlNode {
  return {
    name: 'camunda:inputParameter',
    attrs: { name: key },
    children: [{ name: 'camunda:script', attrs: { scriptFormat: 'JavaScript' }, cdata: JSON.stringify({ type: 'json', value: JSON.stringify(value) }) }],
  }
}
