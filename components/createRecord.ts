import { z } from 'zod'
import type { Component } from '../runtime/types.ts'
import { evaluateObject, evaluatePairs, fieldPairs, idOf, pairExpressions, recordService } from './records/common.ts'
import { expr, variablePath } from './schema.ts'

const config = z
  .object({ catalogId: expr, values: fieldPairs.optional(), valuesJson: expr.optional(), saveTo: variablePath.optional() })
  .strict()
  .refine((c) => !(c.values && c.valuesJson), { message: 'give values either as pairs or as valuesJson', path: ['valuesJson'] })
export type CreateRecordConfig = z.infer<typeof config>

export function valueExpressions(c: { catalogId: string; recordId?: string; values?: CreateRecordConfig['values']; valuesJson?: string }) {
  const list: Array<{ path: Array<string | number>; source: string }> = [{ path: ['catalogId'], source: c.catalogId }]
  if (c.recordId) list.push({ path: ['recordId'], source: c.recordId })
  list.push(...pairExpressions('values', c.values))
  if (c.valuesJson) list.push({ path: ['valuesJson'], source: c.valuesJson })
  return list
}

/**
 * Создать запись (`bpiumAdd`): creates a record from `fieldId = value` pairs or one JSON object
 * (`valuesJson`); the new record's id to `saveTo`. Values are checked against the field types
 * (RECORD_INVALID names the field); the catalog's data-change events run (a `before` event may
 * refuse it: RECORD_CHANGE_REFUSED).
 */
export const createRecord: Component<CreateRecordConfig> = {
  type: 'createRecord',
  displayName: { ru: 'Создать запись', en: 'Create record' },
  kind: 'async',
  config,
  expressions: valueExpressions,
  run: async (ctx) => {
    const c = ctx.config
    const catalogId = idOf(ctx.evaluate(c.catalogId), 'catalogId')
    const values = c.valuesJson ? evaluateObject(ctx, c.valuesJson, 'valuesJson') : evaluatePairs(ctx, c.values)
    const record = await recordService(ctx, 'createRecord')({ catalogId, values, origin: ctx.process })
    return c.saveTo ? [{ path: c.saveTo, value: record.id }] : []
  },
}
