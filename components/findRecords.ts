import { z } from 'zod'
import { PotokError } from '../runtime/errors.ts'
import type { Component } from '../runtime/types.ts'
import { evaluateFields, evaluateFilters, evaluateObject, fieldIds, fieldPairs, idOf, pairExpressions, recordService } from './records/common.ts'
import { expr, variablePath } from './schema.ts'

/** Bpium's component returns at most 1000 records. */
export const MAX_FIND_LIMIT = 1000
const count = z.union([z.number().int().min(0), expr])

const config = z
  .object({
    catalogId: expr,
    /** A Bpium view (0 or empty: none). potok has no views, so naming one fails (VIEW_UNSUPPORTED) rather than find too much. */
    viewId: expr.optional(),
    filters: fieldPairs.optional(),
    filtersJson: expr.optional(),
    searchText: expr.optional(),
    /** A field id, or `id` (the record id, the default order). */
    sortField: z
      .union([z.string().min(1), z.number()])
      .transform(String)
      .optional(),
    sortType: z.union([z.literal(1), z.literal(-1)]).default(1),
    fields: fieldIds.optional(),
    limit: count.default(100),
    offset: count.default(0),
    saveTo: variablePath,
    countTo: variablePath.optional(),
  })
  .strict()
  .refine((c) => !(c.filters && c.filtersJson), { message: 'give filters either as pairs or as filtersJson', path: ['filtersJson'] })
export type FindRecordsConfig = z.infer<typeof config>

function expressions(c: FindRecordsConfig) {
  const list = [{ path: ['catalogId'] as Array<string | number>, source: c.catalogId }, ...pairExpressions('filters', c.filters)]
  if (c.filtersJson) list.push({ path: ['filtersJson'], source: c.filtersJson })
  if (c.searchText) list.push({ path: ['searchText'], source: c.searchText })
  if (c.viewId) list.push({ path: ['viewId'], source: c.viewId })
  if (typeof c.fields === 'string') list.push({ path: ['fields'], source: c.fields })
  if (typeof c.limit === 'string') list.push({ path: ['limit'], source: c.limit })
  if (typeof c.offset === 'string') list.push({ path: ['offset'], source: c.offset })
  return list
}

function countOf(ctx: { evaluate(source: string): unknown }, value: number | string, what: string): number {
  const n = typeof value === 'number' ? value : Number(ctx.evaluate(value))
  if (!Number.isInteger(n) || n < 0) throw new PotokError('FILTER_INVALID', `${what} must be a whole number ≥ 0, not ${JSON.stringify(n)}`)
  return n
}

/**
 * Найти записи (`bpiumFindRecords`): the records of a catalog matching Bpium's filters (pairs
 * `fieldId = value`, or `filtersJson` in the array or JSON-object form), quick search, sort,
 * limit (≤ 1000) and offset; the list to `saveTo`, the number of all matches to `countTo`.
 */
export const findRecords: Component<FindRecordsConfig> = {
  type: 'findRecords',
  displayName: { ru: 'Найти записи', en: 'Find records' },
  kind: 'async',
  config,
  expressions,
  run: async (ctx) => {
    const c = ctx.config
    const viewId = c.viewId ? ctx.evaluate(c.viewId) : undefined
    if (viewId && viewId !== '0') throw new PotokError('VIEW_UNSUPPORTED', `view ${JSON.stringify(viewId)}: potok has no catalog views; express the view as filters`)
    const catalogId = idOf(ctx.evaluate(c.catalogId), 'catalogId')
    const filters = c.filtersJson ? ctx.evaluate(c.filtersJson) : c.filters ? evaluateFilters(ctx, c.filters) : undefined
    const parsed = typeof filters === 'string' ? evaluateObject(ctx, c.filtersJson!, 'filtersJson') : filters
    const searchText = c.searchText ? ctx.evaluate(c.searchText) : undefined
    const page = await recordService(
      ctx,
      'findRecords',
    )({
      catalogId,
      filters: parsed,
      searchText: searchText === undefined || searchText === null ? undefined : String(searchText),
      sortField: c.sortField,
      sortType: c.sortType,
      fields: evaluateFields(ctx, c.fields),
      limit: Math.min(countOf(ctx, c.limit, 'limit'), MAX_FIND_LIMIT),
      offset: countOf(ctx, c.offset, 'offset'),
    })
    return [{ path: c.saveTo, value: page.items }, ...(c.countTo ? [{ path: c.countTo, value: page.total }] : [])]
  },
}
