import { z } from 'zod'
import type { Component } from '../runtime/types.ts'
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
}
