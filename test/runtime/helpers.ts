import { readFileSync, readdirSync } from 'node:fs'
import type { Scenario } from '../../runtime/types.ts'

export const flowsDir = new URL('../../flows/', import.meta.url)

/** An example scenario from flows/ (a fresh copy each call). */
export function loadFlow(name: string): Scenario {
  return JSON.parse(readFileSync(new URL(`${name}.json`, flowsDir), 'utf8'))
}

export function flowNames(): string[] {
  return readdirSync(flowsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort()
}

let counter = 0
/** A scenario from nodes and edges given as `from>to` strings (conditions as `from>to?cond`, default as `from>to!`). */
export function scenario(nodes: Scenario['nodes'], edges: string[]): Scenario {
  return {
    id: `t${++counter}`,
    nodes,
    edges: edges.map((e) => {
      const [path, condition] = e.split('?')
      const isDefault = path.endsWith('!')
      const [from, to] = path.replace(/!$/, '').split('>')
      return { from, to, ...(condition !== undefined ? { condition } : {}), ...(isDefault ? { default: true } : {}) }
    }),
  }
}

export const set = (id: string, assignments: Record<string, string>) => ({ id, type: 'setVariables', config: { assignments: Object.entries(assignments).map(([name, value]) => ({ name, value })) } })
