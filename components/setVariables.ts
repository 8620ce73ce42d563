import { z } from 'zod'
import type { Component } from '../runtime/types.ts'
import { expr, variablePath } from './schema.ts'

const config = z.object({ assignments: z.array(z.object({ name: variablePath, value: expr }).strict()).min(1, 'add at least one assignment') }).strict()
export type SetVariablesConfig = z.infer<typeof config>

/**
 * Назначение переменных: assignments evaluated top to bottom, each line seeing the ones before
 * (one sandbox call for the whole list); a dotted name creates missing objects and keeps their
 * other keys.
 */
export const setVariables: Component<SetVariablesConfig> = {
  type: 'setVariables',
  displayName: { ru: 'Назначение переменных', en: 'Set variables' },
  kind: 'sync',
  group: 'actions',
  config,
  expressions: (c) => c.assignments.map((a, i) => ({ path: ['assignments', i, 'value'], source: a.value })),
  run: (ctx) => ctx.assign(ctx.config.assignments.map((a) => ({ path: a.name, value: a.value }))),
}
