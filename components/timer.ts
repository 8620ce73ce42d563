import { z } from 'zod'
import type { Component } from '../runtime/types.ts'
import { isoDuration } from './schema.ts'

const config = z.object({ pause: isoDuration }).strict()
export type TimerConfig = z.infer<typeof config>

/**
 * Таймер: waits an ISO 8601 duration. The deadline is kept in the process context, so a process
 * restored from a snapshot waits only the rest.
 */
export const timer: Component<TimerConfig> = {
  type: 'timer',
  displayName: { ru: 'Таймер', en: 'Timer' },
  kind: 'control',
  config,
  compile: (node, build) => build.wait(node.config.pause),
  bpmn: { element: 'intermediateCatchEvent', event: 'timer', duration: 'pause' },
}
