import type { Component } from '../runtime/types.ts'
import { noConfig } from './schema.ts'

/** Начало процесса: the entry point — one per scenario, nothing leads to it; it does nothing itself. */
export const start: Component = {
  type: 'start',
  displayName: { ru: 'Начало процесса', en: 'Start' },
  kind: 'control',
  config: noConfig,
  graph: { starts: true },
  instant: true,
  bpmn: { element: 'startEvent', ignoredEvents: 'potok processes start from web requests' },
}
