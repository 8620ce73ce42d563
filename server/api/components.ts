/**
 * `GET /api/v1/components`: the component registry as the console's palette and settings
 * forms need it — type, display names, kind, Bpium's group, and the config's JSON Schema made
 * by zod 4 from the very schema that validates it (expression fields carry
 * `format: "expression"`). A component added to the registry appears here with no other change.
 */
import type { H3 } from 'h3'
import { z } from 'zod'
import { components } from '../../components/index.ts'
import type { Component } from '../../runtime/index.ts'
import type { ServerContext } from '../context.ts'
import { admin, list } from './http.ts'

export type ComponentGroup = NonNullable<Component['group']>

export interface ComponentInfo {
  type: string
  displayName: { ru: string; en: string }
  kind: Component['kind']
  group: ComponentGroup
  /** JSON Schema (draft 2020-12) of the node's `config`, as the input it accepts. */
  configSchema: Record<string, unknown>
}

/**
 * The palette group — Bpium's: system (flow control), actions, data (catalogs, conversion),
 * communications — the component names, or the one its type and kind suggest.
 */
export function groupOf(component: Pick<Component, 'type' | 'kind' | 'group'>): ComponentGroup {
  if (component.group) return component.group
  if (component.kind === 'control' || component.kind === 'boundary') return 'system'
  if (/record|catalog|convert|parse|file/i.test(component.type)) return 'data'
  if (/mail|sms|message|notify|request|http/i.test(component.type)) return 'communications'
  return 'actions'
}

function configSchemaOf(component: Component<unknown>): Record<string, unknown> {
  const schema = z.toJSONSchema(component.config, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>
  delete schema.$schema
  return schema
}

/** Every registered component, in registry order. */
export function componentCatalog(): ComponentInfo[] {
  return [...components.values()].map((component) => ({
    type: component.type,
    displayName: component.displayName,
    kind: component.kind,
    group: groupOf(component),
    configSchema: configSchemaOf(component),
  }))
}

export function registerComponentRoutes(app: H3, ctx: ServerContext): void {
  let catalog: ComponentInfo[] | undefined
  // The registry is fixed for the life of the process: built once, on first use.
  app.get(
    '/api/v1/components',
    admin(ctx, () => list((catalog ??= componentCatalog()))),
  )
}
