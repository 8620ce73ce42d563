import { z } from 'zod'
import type { Component } from '../runtime/types.ts'
import { expr } from './schema.ts'

const config = z.object({ code: z.string().optional(), message: expr.optional() }).strict().optional()
export type ErrorEndConfig = z.infer<typeof config>

/**
 * Ошибка (end): ends the whole process as `completed`, marking a logical error in `$error`
 * (`{ code, message }`) — the caller still gets the scenario's answer.
 */
export const errorEnd: Component<ErrorEndConfig> = {
  type: 'errorEnd',
  displayName: { ru: 'Ошибка', en: 'Error end' },
  kind: 'control',
  config,
  expressions: (c) => (c?.message ? [{ path: ['message'], source: c.message }] : []),
  run: (ctx) => {
    const message = ctx.config?.message ? ctx.evaluate(ctx.config.message) : undefined
    return [{ path: '$error', value: { code: ctx.config?.code ?? 'ERROR', message: message === undefined ? null : message } }]
  },
  graph: { ends: true },
  // The whole process completes here, parallel branches still running included.
  compile: (_node, build) => build.step(undefined, 'endProcess'),
  instant: true,
  bpmn: { element: 'endEvent', event: 'error', params: true },
}
