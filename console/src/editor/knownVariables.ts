/**
 * The variables an expression can use at a node: the input variables every process starts
 * with (docs/scenarios.md), the answer variables, and what the nodes that can run before it write —
 * found by walking the graph backwards and reading each config's variable targets
 * (`assignments[].name` of «Назначение переменных», and any `…To` setting such as `statusTo`).
 */
import type { EditorDocument } from './document.ts'

export const INPUT_VARIABLES = ['event', 'script', 'user', 'url', 'method', 'headers', 'cookies', 'query', 'body'] as const
export const ANSWER_VARIABLES = ['$status', '$headers', '$body'] as const

/** The lodash functions offered after `_.` (the sandbox has all of lodash; these are the common ones). */
export const LODASH = [
  'get',
  'set',
  'has',
  'pick',
  'omit',
  'map',
  'filter',
  'find',
  'reduce',
  'groupBy',
  'keyBy',
  'sortBy',
  'orderBy',
  'uniq',
  'uniqBy',
  'sum',
  'sumBy',
  'max',
  'min',
  'meanBy',
  'flatten',
  'chunk',
  'compact',
  'merge',
  'cloneDeep',
  'isEmpty',
  'isEqual',
  'isNil',
  'toNumber',
  'toString',
  'trim',
  'camelCase',
  'kebabCase',
  'capitalize',
  'padStart',
  'round',
  'range',
  'zip',
  'countBy',
  'partition',
  'difference',
  'intersection',
  'mapValues',
  'fromPairs',
  'toPairs',
  'keys',
  'values',
]
export const MOMENT = ['utc', 'unix', 'duration', 'isMoment', 'isDate', 'min', 'max']

/** Variable paths a node writes, from its config. */
export function writtenBy(config: unknown): string[] {
  const out: string[] = []
  const visit = (value: unknown, key?: string, parentKey?: string) => {
    if (Array.isArray(value)) value.forEach((item) => visit(item, undefined, key))
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'name' && typeof v === 'string' && parentKey === 'assignments') out.push(v)
        else visit(v, k, key)
      }
    } else if (typeof value === 'string' && key && /To$/.test(key) && value) out.push(value)
  }
  visit(config)
  return out
}

/** Every variable path known when `nodeId` runs (input, answer, and upstream writes). */
export function knownVariables(doc: EditorDocument, nodeId: string): string[] {
  const incoming = new Map<string, string[]>()
  for (const e of doc.edges) incoming.set(e.to, [...(incoming.get(e.to) ?? []), e.from])
  const byId = new Map(doc.nodes.map((n) => [n.id, n]))
  // A boundary event runs after its activity: what leads to the activity leads to it.
  const before = (id: string) => [...(incoming.get(id) ?? []), ...(byId.get(id)?.attachedTo ? [byId.get(id)!.attachedTo!] : [])]
  const seen = new Set<string>()
  const queue = [...before(nodeId)]
  const written: string[] = []
  while (queue.length) {
    const id = queue.shift()!
    if (seen.has(id)) continue
    seen.add(id)
    written.push(...writtenBy(byId.get(id)?.config))
    queue.push(...before(id))
  }
  // A node may read what it wrote earlier in a loop, and its own earlier lines (assignments).
  written.push(...writtenBy(byId.get(nodeId)?.config))
  return [...new Set([...INPUT_VARIABLES, ...ANSWER_VARIABLES, ...written])]
}
