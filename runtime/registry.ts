/**
 * The node types the engine knows: handed to it once, at start, by whoever assembles the program
 * (the server, the CLI, a worker thread, a test's setup) — `useComponents(components)` with the
 * list in `components/index.ts`. The engine itself names no component: it asks this registry
 * for a node's type and works from what the component declares (its kind, schema, behaviour).
 *
 * @example
 * import { components } from '../components/index.ts'
 * useComponents(components.values())
 * getComponent('setVariables')?.kind // 'sync'
 */
import { PotokError } from './errors.ts'
import type { Component } from './types.ts'

let registered: ReadonlyMap<string, Component<any>> = new Map()

/** Installs the node types (replacing any installed before); a type given twice is refused. */
export function useComponents(list: Iterable<Component<any>>): void {
  const next = new Map<string, Component<any>>()
  for (const component of list) {
    if (next.has(component.type)) throw new PotokError('DUPLICATE_COMPONENT', `component type "${component.type}" is registered twice`)
    next.set(component.type, component)
  }
  registered = next
}

export function getComponent(type: string): Component<any> | undefined {
  if (registered.size === 0) {
    throw new PotokError('NO_COMPONENTS', 'no components are registered: call useComponents(components) from components/index.ts before running scenarios')
  }
  return registered.get(type)
}

/** Every registered node type. */
export function registeredComponents(): ReadonlyMap<string, Component<any>> {
  return registered
}
