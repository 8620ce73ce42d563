import { z } from 'zod'
import type { Component } from '../runtime/types.ts'
import { evaluateFields, fieldIds, idOf, recordService } from './records/common.ts'
import { expr, variablePath } from './schema.ts'

const config = z
  .object({
    catalogId: expr,
    recordId: expr,
    /** Field ids to read, or an expression giving them (default all). */
    fields: fieldIds.optional(),
    saveTo: variablePath,
  })
  .strict()
export type GetRecordConfig = z.infer<typeof config>

/**
 * Получить запись (`bpiumGetRecord`): reads one record of a catalog into `saveTo` as
 * `{ id, catalogId, title, values, createdAt, updatedAt }`. A missing catalog or record is an
 * error of the node (CATALOG_NOT_FOUND, RECORD_NOT_FOUND) an error boundary can catch.
 */
export const getRecord: Component<GetRecordConfig> = {
  type: 'getRecord',
  displayName: { ru: 'Получить запись', en: 'Get record' },
  kind: 'async',
  config,
  expressions: (c) => [{ path: ['catalogId'], source: c.catalogId }, { path: ['recordId'], source: c.recordId }, ...(typeof c.fields === 'string' ? [{ path: ['fields'], source: c.fields }] : [])],
  run: async (ctx) => {
    const [catalogId, recordId] = ctx.evaluateAll([ctx.config.catalogId, ctx.config.recordId])
    const record = await recordService(ctx, 'getRecord')({ catalogId: idOf(catalogId, 'catalogId'), recordId: idOf(recordId, 'recordId'), fields: evaluateFields(ctx, ctx.config.fields) })
    return [{ path: ctx.config.saveTo, value: record }]
  },
}
