import { z } from 'zod'
import type { Component } from '../runtime/types.ts'
import { isoDuration } from './schema.ts'

const config = z.object({ after: isoDuration }).strict()
export type TimeoutBoundaryConfig = z.infer<typeof config>

/**
 * Граничное событие «Таймер»: attached to an activity; when the activity runs longer than
 * `after`, it is aborted and the process leaves through this node's one outgoing edge.
 */
export const timeoutBoundary: Component<TimeoutBoundaryConfig> = {
  type: 'timeoutBoundary',
  displayName: { ru: 'Таймаут', en: 'Timeout boundary' },
  kind: 'boundary',
  config,
  // The engine arms the deadline when its activity starts; this node itself only goes on.
  boundary: { timeout: (c) => c.after },
  instant: true,
  bpmn: { element: 'boundaryEvent', event: 'timer', duration: 'after' },
}
