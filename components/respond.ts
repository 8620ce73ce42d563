import type { Component } from '../runtime/types.ts'
import { noConfig } from './schema.ts'

/**
 * Ответ (new in potok): answers the waiting caller now from the current `$status`, `$headers`
 * and `$body`; the process goes on, and later answers are skipped. Outside a synchronous web
 * request it does nothing.
 */
export const respond: Component = {
  type: 'respond',
  displayName: { ru: 'Ответить', en: 'Respond' },
  kind: 'sync',
  group: 'actions',
  config: noConfig,
  run: (ctx) => {
    ctx.services.respond?.(ctx.vars)
    return []
  },
}
