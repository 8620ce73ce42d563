/**
 * A catalog declaration as the API and `FLOWS_DIR/catalogs/*.json` take it (docs/catalogs.md): fields and
 * their items may leave out their ids (they are numbered as Bpium does), and a declaration may
 * carry seed records. Checked with zod at the edge; `toCatalog` numbers what has no id.
 */
import { z } from 'zod'
import { PotokError } from '../runtime/errors.ts'
import { FIELD_TYPES, type Catalog, type CatalogField } from './records-port.ts'

const id = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^[A-Za-z0-9_$-]{1,64}$/, 'ids are 1–64 letters, digits, _, - or $'))

const field = z.object({ id: id.optional(), name: z.string().min(1), type: z.enum(FIELD_TYPES), required: z.boolean().optional(), config: z.record(z.string(), z.unknown()).optional() }).passthrough()

export const catalogEventSchema = z.object({ on: z.enum(['create', 'update', 'delete']), phase: z.enum(['before', 'after']), scenarioId: z.string().min(1) }).strict()

export const catalogSchema = z
  .object({
    id: id.optional(),
    name: z.string().min(1),
    icon: z.string().optional(),
    sectionId: z.string().optional(),
    fields: z.array(field).default([]),
    events: z.array(catalogEventSchema).optional(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
  })
  .strict()

/** A `FLOWS_DIR/catalogs/*.json` file: a catalog with an id and optional seed records. */
export const catalogFileSchema = catalogSchema.extend({ id: id, records: z.array(z.object({ id: id.optional(), values: z.record(z.string(), z.unknown()) }).strict()).optional() })

export type CatalogInput = z.input<typeof catalogSchema>

/** Next free numeric id among `ids` (Bpium numbers from 1). */
export function nextId(ids: Iterable<string>): string {
  let max = 0
  for (const value of ids) if (/^\d+$/.test(value)) max = Math.max(max, Number(value))
  return String(max + 1)
}

/** The stored catalog for a parsed declaration: ids for new fields and items, types kept on replace. */
export function toCatalog(input: z.output<typeof catalogSchema>, id: string, previous: Catalog | null): Catalog {
  const now = new Date().toISOString()
  const fields: CatalogField[] = []
  const known = [...(previous?.fields ?? []).map((f) => f.id), ...input.fields.flatMap((f) => (f.id ? [f.id] : []))]
  for (const declared of input.fields) {
    const fieldId = declared.id ?? nextId(known)
    if (!declared.id) known.push(fieldId)
    if (fields.some((f) => f.id === fieldId)) throw catalogError(`field id "${fieldId}" is used twice`)
    const before = previous?.fields.find((f) => f.id === fieldId)
    if (before && before.type !== declared.type) {
      throw catalogError(`field "${declared.name}" (${fieldId}) is ${before.type}: a field's type cannot change (add a new field instead)`)
    }
    fields.push({ ...declared, id: fieldId, ...(declared.config ? { config: withItemIds(declared.config, declared.name) } : {}) } as CatalogField)
  }
  return {
    id,
    name: input.name,
    fields,
    ...(input.events ? { events: input.events } : {}),
    ...(input.icon ? { icon: input.icon } : {}),
    ...(input.sectionId ? { sectionId: input.sectionId } : {}),
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  }
}

function withItemIds(config: Record<string, unknown>, fieldName: string): Record<string, unknown> {
  if (config.items === undefined) return config
  if (!Array.isArray(config.items)) throw catalogError(`field "${fieldName}": config.items must be a list of { id?, name }`)
  const ids: string[] = config.items.flatMap((item: { id?: unknown }) => (item?.id !== undefined ? [String(item.id)] : []))
  const items = config.items.map((item: unknown) => {
    if (!item || typeof item !== 'object' || typeof (item as { name?: unknown }).name !== 'string') throw catalogError(`field "${fieldName}": every item needs a name`)
    const given = (item as { id?: unknown }).id
    const itemId = given !== undefined ? String(given) : nextId(ids)
    if (given === undefined) ids.push(itemId)
    return { ...(item as object), id: itemId }
  })
  return { ...config, items }
}

function catalogError(message: string): PotokError {
  return new PotokError('CATALOG_INVALID', message)
}
