import { z } from 'zod'
import type { Component } from '../runtime/types.ts'
import { idOf, recordService } from './records/common.ts'
import { expr } from './schema.ts'

const config = z.object({ catalogId: expr, recordId: expr }).strict()
export type DeleteRecordConfig = z.infer<typeof config>

/**
 * Удалить запись (`bpiumDelete`): deletes a record; RECORD_NOT_FOUND when there is none. The
 * catalog's delete events run (a `before` event may refuse it).
 */
export const deleteRecord: Component<DeleteRecordConfig> = {
  type: 'deleteRecord',
  displayName: { ru: 'Удалить запись', en: 'Delete record' },
  kind: 'async',
  config,
  expressions: (c) => [
    { path: ['catalogId'], source: c.catalogId },
    { path: ['recordId'], source: c.recordId },
  ],
  run: async (ctx) => {
    const [catalogId, recordId] = ctx.evaluateAll([ctx.config.catalogId, ctx.config.recordId])
    await recordService(ctx, 'deleteRecord')({ catalogId: idOf(catalogId, 'catalogId'), recordId: idOf(recordId, 'recordId'), origin: ctx.process })
    return []
  },
}
