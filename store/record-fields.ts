/**
 * Field types of a catalog (docs/catalogs.md): each value is checked and brought to Bpium's shape
 * (dropdown `["1"]`, contact `[{ contact, comment }]`, date an ISO string…), and gives the index
 * terms equality filters use. A wrong value is a `RECORD_INVALID` error naming the field.
 */
import { PotokError } from '../runtime/errors.ts'
import type { Catalog, CatalogField, FieldType, RecordValues } from './records-port.ts'

/** Looks up what a link value points at: the linked record's title, or null when there is none. */
export type LinkLookup = (catalogId: string, recordId: string) => Promise<{ title: string; catalogName: string } | null>
/** Looks up a stored file for a file value. */
export type FileLookup = (id: string) => Promise<{ id: string; name: string; contentType: string; size: number } | null>

export interface ValueContext {
  links: LinkLookup
  files: FileLookup
}

/** Types whose value is a list of item ids from `config.items`. */
export const ITEM_TYPES: ReadonlySet<FieldType> = new Set(['dropdown', 'radiobutton', 'checkboxes'])

function invalid(field: CatalogField, problem: string, value: unknown): PotokError {
  return new PotokError('RECORD_INVALID', `field "${field.name}" (${field.id}, ${field.type}): ${problem}, got ${describe(value)}`, {
    details: { fieldId: field.id, fieldName: field.name, fieldType: field.type },
  })
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

/** The items of a dropdown/radiobutton/checkboxes field: `[{ id, name }]`. */
export function itemsOf(field: CatalogField): Array<{ id: string; name: string }> {
  const items = field.config?.items
  return Array.isArray(items) ? (items as Array<{ id: string; name: string }>) : []
}

/** Types whose value is a list. */
export const LIST_TYPES: ReadonlySet<FieldType> = new Set(['dropdown', 'radiobutton', 'checkboxes', 'contact', 'user', 'object', 'file'])

const isEmpty = (value: unknown) => value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)

function toNumber(field: CatalogField, value: unknown): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value.trim().replace(',', '.')) : value
  if (typeof number !== 'number' || !Number.isFinite(number)) throw invalid(field, 'expected a number', value)
  return number
}

function toList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value]
}

/** One value in its stored shape; null for an empty one. */
export async function normalizeValue(field: CatalogField, value: unknown, ctx: ValueContext): Promise<unknown> {
  // Bpium's empty values: `[]` for the list types, null for the others.
  if (isEmpty(value)) return LIST_TYPES.has(field.type) ? [] : null
  const multiselect = field.config?.multiselect === true
  switch (field.type) {
    case 'text':
      if (typeof value === 'number') return String(value)
      if (typeof value !== 'string') throw invalid(field, 'expected text', value)
      return value
    case 'number':
      return toNumber(field, value)
    case 'progress': {
      const number = toNumber(field, value)
      if (number < 0 || number > 100) throw invalid(field, 'expected a percentage from 0 to 100', value)
      return number
    }
    case 'stars': {
      const number = toNumber(field, value)
      if (!Number.isInteger(number) || number < 0 || number > 5) throw invalid(field, 'expected 0 to 5 stars', value)
      return number
    }
    case 'date': {
      const time = typeof value === 'string' || typeof value === 'number' ? Date.parse(String(value)) : NaN
      if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString()
      if (!Number.isFinite(time)) throw invalid(field, 'expected an ISO 8601 date', value)
      return new Date(time).toISOString()
    }
    case 'switch':
      if (typeof value !== 'boolean') throw invalid(field, 'expected true or false', value)
      return value
    case 'dropdown':
    case 'radiobutton':
    case 'checkboxes': {
      const ids = toList(value).map((item) => (typeof item === 'number' ? String(item) : item))
      const known = new Set(itemsOf(field).map((item) => item.id))
      for (const id of ids) {
        if (typeof id !== 'string' || !known.has(id)) throw invalid(field, `expected item ids among [${[...known].join(', ')}]`, id)
      }
      if (field.type !== 'checkboxes' && !multiselect && ids.length > 1) throw invalid(field, 'expected one item', value)
      return [...new Set(ids as string[])]
    }
    case 'contact':
      return toList(value).map((item) => {
        if (typeof item === 'string') return { contact: item, comment: '' }
        if (item && typeof item === 'object' && typeof (item as { contact?: unknown }).contact === 'string') {
          const { contact, comment } = item as { contact: string; comment?: unknown }
          return { contact, comment: typeof comment === 'string' ? comment : '' }
        }
        throw invalid(field, 'expected contacts [{ contact, comment }]', item)
      })
    case 'user':
      return toList(value).map((item) => {
        const id = typeof item === 'string' || typeof item === 'number' ? String(item) : (item as { id?: unknown })?.id
        if (typeof id !== 'string' && typeof id !== 'number') throw invalid(field, 'expected users [{ id }]', item)
        const title = (item as { title?: unknown })?.title
        return { id: String(id), ...(typeof title === 'string' ? { title } : {}) }
      })
    case 'object':
      return linksOf(field, value, ctx)
    case 'file':
      return filesOf(field, value, ctx)
    case 'group':
      throw invalid(field, 'a group holds no value', value)
  }
}

async function linksOf(field: CatalogField, value: unknown, ctx: ValueContext) {
  const allowed = Array.isArray(field.config?.catalogs) ? (field.config.catalogs as Array<{ id: string }>).map((c) => String(c.id)) : []
  const links = []
  for (const item of toList(value)) {
    const link = item as { catalogId?: unknown; recordId?: unknown }
    if (!link || typeof link !== 'object' || link.catalogId === undefined || link.recordId === undefined) throw invalid(field, 'expected links [{ catalogId, recordId }]', item)
    const catalogId = String(link.catalogId)
    const recordId = String(link.recordId)
    if (allowed.length && !allowed.includes(catalogId)) throw invalid(field, `expected links to catalogs ${allowed.join(', ')}`, item)
    const target = await ctx.links(catalogId, recordId)
    if (!target) throw invalid(field, `there is no record ${recordId} in catalog ${catalogId}`, item)
    links.push({ catalogId, recordId, catalogTitle: target.catalogName, recordTitle: target.title })
  }
  if (field.config?.multiselect === false && links.length > 1) throw invalid(field, 'expected one link', value)
  return links
}

async function filesOf(field: CatalogField, value: unknown, ctx: ValueContext) {
  const files = []
  for (const item of toList(value)) {
    const id = typeof item === 'string' ? item : (item as { id?: unknown })?.id
    if (typeof id !== 'string' && typeof id !== 'number') throw invalid(field, 'expected stored files [{ id }] (upload with fileUpload or POST /api/v1/files)', item)
    const file = await ctx.files(String(id))
    if (!file) throw invalid(field, `there is no stored file ${id}`, item)
    files.push(fileValue(file))
  }
  return files
}

/** A stored file as a file field holds it. */
export function fileValue(file: { id: string; name: string; contentType: string; size: number }) {
  return { id: file.id, title: file.name, mimeType: file.contentType, size: file.size, url: `/api/v1/files/${file.id}` }
}

/**
 * Checks `values` against the catalog and returns them in their stored shapes. Unknown field
 * ids are errors; `complete` (a create, or the merged values of an update) also checks
 * `required` fields.
 */
export async function normalizeValues(catalog: Catalog, values: RecordValues, ctx: ValueContext): Promise<RecordValues> {
  if (!values || typeof values !== 'object' || Array.isArray(values)) {
    throw new PotokError('RECORD_INVALID', `values must be an object keyed by field id, not ${describe(values)}`)
  }
  const byId = new Map(catalog.fields.map((field) => [field.id, field]))
  const out: RecordValues = {}
  for (const [id, value] of Object.entries(values)) {
    const field = byId.get(id)
    if (!field) {
      throw new PotokError('RECORD_INVALID', `catalog "${catalog.name}" (${catalog.id}) has no field "${id}"; its fields: ${catalog.fields.map((f) => `${f.id} ${f.name}`).join(', ')}`, {
        details: { fieldId: id, catalogId: catalog.id },
      })
    }
    out[id] = await normalizeValue(field, value, ctx)
  }
  return out
}

/** Refuses a record missing a `required` field. */
export function checkRequired(catalog: Catalog, values: RecordValues): void {
  for (const field of catalog.fields) {
    if (field.required && isEmpty(values[field.id])) {
      throw new PotokError('RECORD_INVALID', `field "${field.name}" (${field.id}) is required`, { details: { fieldId: field.id, fieldName: field.name } })
    }
  }
}

/** Bpium's record title: the value of the first text field. */
export function titleOf(catalog: Catalog, values: RecordValues): string {
  const field = catalog.fields.find((f) => f.type === 'text')
  const value = field ? values[field.id] : undefined
  return typeof value === 'string' ? value : ''
}

/** Index terms `<fieldId>\u0001<key>` of the values equality filters find (text is matched by substring: no term). */
export function termsOf(catalog: Catalog, values: RecordValues): string[] {
  const terms: string[] = []
  for (const field of catalog.fields) {
    for (const key of termKeys(field, values[field.id])) terms.push(term(field.id, key))
  }
  return terms
}

export const term = (fieldId: string, key: string) => `${fieldId}\u0001${key}`

/** Equality keys of one stored value ('' stands for "empty"). */
export function termKeys(field: CatalogField, value: unknown): string[] {
  if (isEmpty(value)) return field.type === 'group' ? [] : ['']
  switch (field.type) {
    case 'dropdown':
    case 'radiobutton':
    case 'checkboxes':
      return (value as string[]).map((id) => `i:${id}`)
    case 'number':
    case 'progress':
    case 'stars':
      return [`n:${value}`]
    case 'switch':
      return [`b:${value}`]
    case 'user':
      return (value as Array<{ id: string }>).map((user) => `u:${user.id}`)
    case 'object':
      return (value as Array<{ catalogId: string; recordId: string }>).map((link) => `o:${link.catalogId}:${link.recordId}`)
    default:
      return []
  }
}
