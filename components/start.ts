import type { Component } from '../runtime/types.ts'
import { noConfig } from './schema.ts'

/** Начало процесса: the entry point. Compiled by the runtime as control flow. */
export const start: Component = {
  type: 'start',
  displayName: { ru: 'Начало процесса', en: 'Start' },
  kind: 'control',
  config: noConfig,
}
