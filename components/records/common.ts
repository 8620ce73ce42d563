/**
 * What the data actions (getRecord, findRecords, createRecord, updateRecord, deleteRecord,
 * catalogStructure, fileUpload) share: reaching the host's catalogs-and-records services, and
 * Bpium's two ways of giving values or filters — `fieldId = value` pairs (a field id may be a
 * `${expression}` template) or one JSON expression.
 */
import { z } from 'zod'
import { PotokError } from '../../runtime/errors.ts'
import type { ComponentContext, RuntimeServices } from '../../runtime/types.ts'
import { expr } from '../schema.ts'

/** `[{ fieldId, value: expr }]`: a field id, or `${expression}` giving one. */
export const fieldPairs = z.array(z.object({ fieldId: z.string().min(1), value: expr }).strict())
export type FieldPairs = z.infer<typeof fieldPairs>

/** The fields to return: a list of field ids, or an expression giving one (Bpium's `fieldsSpecified`). */
export const fieldIds = z.union([z.array(z.union([z.string().min(1), z.number()]).transform(String)), expr])

/** The field ids of a `fields` config (evaluated when it is an expression). */
export function evaluateFields(ctx: ComponentContext<unknown>, fields: string[] | string | undefined): string[] | undefined {
  if (fields === undefined || Array.isArray(fields)) return fields
  const value = ctx.evaluate(fields)
  if (value === null || value === undefined || value === '') return undefined
  if (!Array.isArray(value)) throw new PotokError('FILTER_INVALID', `fields must evaluate to a list of field ids, not ${typeof value}`)
  // Bpium's `{ fieldId, fields }` items (fields of linked records) keep their field id.
  return value.map((f) => String(f && typeof f === 'object' ? (f as { fieldId?: unknown }).fieldId : f))
}

const TEMPLATE = /^\$\{([\s\S]+)\}$/

type Expression = { path: Array<string | number>; source: string }

/** Every expression of a pair list (templated field ids included). */
export function pairExpressions(key: string, pairs: FieldPairs | undefined): Expression[] {
  const list: Expression[] = []
  pairs?.forEach((pair, i) => {
    const template = TEMPLATE.exec(pair.fieldId)
    if (template) list.push({ path: [key, i, 'fieldId'], source: template[1] })
    list.push({ path: [key, i, 'value'], source: pair.value })
  })
  return list
}

/** The pairs as an object keyed by field id. */
export function evaluatePairs(ctx: ComponentContext<unknown>, pairs: FieldPairs | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const pair of pairs ?? []) {
    const template = TEMPLATE.exec(pair.fieldId)
    const fieldId = template ? String(ctx.evaluate(template[1])) : pair.fieldId
    out[fieldId] = ctx.evaluate(pair.value)
  }
  return out
}

/** The pairs as Bpium's array-form filters. */
export function evaluateFilters(ctx: ComponentContext<unknown>, pairs: FieldPairs): Array<{ fieldId: string; value: unknown }> {
  return Object.entries(evaluatePairs(ctx, pairs)).map(([fieldId, value]) => ({ fieldId, value }))
}

/** A JSON-expression value that must be an object. */
export function evaluateObject(ctx: ComponentContext<unknown>, source: string, what: string): Record<string, unknown> {
  let value = ctx.evaluate(source)
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      // reported below
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new PotokError('RECORD_INVALID', `${what} must evaluate to an object keyed by field id, not ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}`)
  }
  return value as Record<string, unknown>
}

/** A catalog or record id from an expression: a non-empty string or a number. */
export function idOf(value: unknown, what: 'catalogId' | 'recordId'): string {
  if ((typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value))) return String(value).trim()
  const code = what === 'catalogId' ? 'CATALOG_NOT_FOUND' : 'RECORD_NOT_FOUND'
  throw new PotokError(code, `${what} must evaluate to an id (a non-empty string or a number), not ${value === null ? 'null' : (JSON.stringify(value) ?? typeof value)}`)
}

/** The host's records service `name`, or RECORDS_UNAVAILABLE (e.g. `potok run` without a store). */
export function recordService<K extends keyof RuntimeServices>(ctx: ComponentContext<unknown>, name: K): NonNullable<RuntimeServices[K]> {
  const service = ctx.services[name]
  if (!service) throw new PotokError('RECORDS_UNAVAILABLE', `catalogs and records are not available here: the host provides no ${String(name)} service (run the scenario in a potok server)`)
  return service as NonNullable<RuntimeServices[K]>
}
