import { z } from 'zod'
import type { Component } from '../runtime/types.ts'
import { valueExpressions } from './createRecord.ts'
import { evaluateObject, evaluatePairs, fieldPairs, idOf, recordService } from './records/common.ts'
import { expr, variablePath } from './schema.ts'

const config = z
  .object({ catalogId: expr, recordId: expr, values: fieldPairs.optional(), valuesJson: expr.optional(), saveTo: variablePath.optional() })
  .strict()
  .refine((c) => !(c.values && c.valuesJson), { message: 'give values either as pairs or as valuesJson', path: ['valuesJson'] })
export type UpdateRecordConfig = z.infer<typeof config>

/**
 * Изменить запись (`bpiumEdit`): merges the given values into a record (fields not given keep
 * theirs); the updated record to `saveTo`. RECORD_NOT_FOUND when there is none; the catalog's
 * update events run.
 */
export const updateRecord: Component<UpdateRecordConfig> = {
  type: 'updateRecord',
  displayName: { ru: 'Изменить запись', en: 'Update record' },
  kind: 'async',
  config,
  expressions: valueExpressions,
  run: async (ctx) => {
    const c = ctx.config
    const [catalogId, recordId] = ctx.evaluateAll([c.catalogId, c.recordId])
    const values = c.valuesJson ? evaluateObject(ctx, c.valuesJson, 'valuesJson') : evaluatePairs(ctx, c.values)
    const record = await recordService(ctx, 'updateRecord')({ catalogId: idOf(catalogId, 'catalogId'), recordId: idOf(recordId, 'recordId'), values, origin: ctx.process })
    return c.saveTo ? [{ path: c.saveTo, value: record }] : []
  },
}
