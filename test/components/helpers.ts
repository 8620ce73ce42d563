import { readFileSync } from 'node:fs'
import type { Scenario, ScenarioEdge, ScenarioNode } from '../../runtime/types.ts'

/** An example scenario from flows/ (a fresh copy each call). */
export function loadFlow(name: string): Scenario {
  return JSON.parse(readFileSync(new URL(`../../flows/${name}.json`, import.meta.url), 'utf8'))
}

let counter = 0

/**
 * start → each of `steps` in turn → end. `extra` adds nodes and edges beside the chain
 * (boundaries and where they lead).
 */
export function chain(steps: ScenarioNode[], extra: { nodes?: ScenarioNode[]; edges?: ScenarioEdge[] } = {}): Scenario {
  const ids = ['start', ...steps.map((s) => s.id), 'end']
  return {
    id: `c${++counter}`,
    nodes: [{ id: 'start', type: 'start' }, ...steps, { id: 'end', type: 'end' }, ...(extra.nodes ?? [])],
    edges: [...ids.slice(1).map((to, i) => ({ from: ids[i], to })), ...(extra.edges ?? [])],
  }
}

/** A chain around one activity `act`, with an error boundary writing `err.code` / `err.message` and ending at `caughtEnd`. */
export function withErrorBoundary(act: ScenarioNode, before: ScenarioNode[] = []): Scenario {
  return chain([...before, act], {
    nodes: [
      { id: 'caught', type: 'errorBoundary', attachedTo: act.id, config: { codeTo: 'err.code', messageTo: 'err.message' } },
      { id: 'caughtEnd', type: 'end' },
    ],
    edges: [{ from: 'caught', to: 'caughtEnd' }],
  })
}

/** A chain around one activity with a timeout boundary after `after`, which sets `timedOut`. */
export function withTimeoutBoundary(act: ScenarioNode, after: string): Scenario {
  return chain([act], {
    nodes: [
      { id: 'slow', type: 'timeoutBoundary', attachedTo: act.id, config: { after } },
      { id: 'mark', type: 'setVariables', config: { assignments: [{ name: 'timedOut', value: 'true' }] } },
      { id: 'slowEnd', type: 'end' },
    ],
    edges: [
      { from: 'slow', to: 'mark' },
      { from: 'mark', to: 'slowEnd' },
    ],
  })
}

/** Resolves when `check` holds (polled), or fails after `ms`. */
export async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
