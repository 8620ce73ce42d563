import { z } from 'zod'
import type { Component, VariableWrite } from '../runtime/types.ts'
import { variablePath } from './schema.ts'

const config = z.object({ codeTo: variablePath.optional(), messageTo: variablePath.optional() }).strict().optional()
export type ErrorBoundaryConfig = z.infer<typeof config>

/**
 * Граничное событие «Ошибка»: attached to an activity (`attachedTo`); when the activity fails,
 * the process leaves it through this node's one outgoing edge, writing the error's code and
 * message to `codeTo` / `messageTo`.
 */
export const errorBoundary: Component<ErrorBoundaryConfig> = {
  type: 'errorBoundary',
  displayName: { ru: 'Обработка ошибки', en: 'Error boundary' },
  kind: 'boundary',
  config,
  boundary: { catches: 'error' },
  // Entered with the activity's error: writes its code and message, and handles it.
  compile: (node, build) =>
    build.step((step) => {
      const writes: VariableWrite[] = []
      if (node.config?.codeTo) writes.push({ path: node.config.codeTo, value: step.error?.code ?? null })
      if (node.config?.messageTo) writes.push({ path: node.config.messageTo, value: step.error?.message ?? null })
      return { writes, clearError: true }
    }),
  instant: true,
  bpmn: { element: 'boundaryEvent', event: 'error', errorVariables: { code: 'codeTo', message: 'messageTo' } },
}
