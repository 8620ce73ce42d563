import type { Component } from '../runtime/types.ts'
import { noConfig } from './schema.ts'

/** Конец процесса: ends the process (or its parallel branch); all variables are the result. */
export const end: Component = {
  type: 'end',
  displayName: { ru: 'Конец процесса', en: 'End' },
  kind: 'control',
  config: noConfig,
  graph: { ends: true },
  // The path ends: the process, or only its parallel branch (the others run on).
  compile: (_node, build) => build.step(null, 'endPath'),
  instant: true,
  bpmn: { element: 'endEvent', ignoredEvents: 'it is a plain end' },
}
