/**
 * Bpium's record filters (`filters.md`, `api-records.md`): the array form `[{ fieldId, value }]`
 * (all must hold) and the JSON-object form `{ [fieldId]: value, $and: [...], $or: [...] }`, where
 * a field's value may itself be `{ $or: [v1, v2] }` or `{ $and: [v1, v2] }`. Per field type:
 * text and contacts match by substring (case-insensitive; phone punctuation ignored), numbers,
 * progress and dates by range `{ at, to }` (or one exact number), dropdowns, radio buttons,
 * users, links and stars by any of the given values, checkboxes by all of them, switches by
 * equality, files by presence (`true` / `false`); `null` finds records where the field is empty.
 *
 * `compileFilters` checks a filter against the catalog (an unknown field is a FILTER_INVALID
 * error naming it) and gives the matcher plus the index terms that narrow the candidates.
 */
import { PotokError } from '../runtime/errors.ts'
import { term } from './record-fields.ts'
import type { Catalog, CatalogField, CatalogRecord } from './records-port.ts'

type Test = (record: CatalogRecord) => boolean

export interface CompiledFilter {
  test: Test
  /** Every record that passes has, for each list, at least one of its terms. */
  anyOf: string[][]
}

const ALWAYS: CompiledFilter = { test: () => true, anyOf: [] }

function filterError(message: string, details?: Record<string, unknown>): PotokError {
  return new PotokError('FILTER_INVALID', message, { details })
}

export function compileFilters(catalog: Catalog, filters: unknown): CompiledFilter {
  if (filters === undefined || filters === null || filters === '') return ALWAYS
  if (Array.isArray(filters)) {
    return all(
      filters.map((item, index) => {
        if (!item || typeof item !== 'object' || !('fieldId' in item)) throw filterError(`filters[${index}] must be { fieldId, value }`)
        const { fieldId, value } = item as { fieldId: unknown; value: unknown }
        return fieldFilter(catalog, String(fieldId), value)
      }),
    )
  }
  if (typeof filters === 'object') return objectFilter(catalog, filters as Record<string, unknown>)
  throw filterError('filters must be a list [{ fieldId, value }] or an object { fieldId: value, $and, $or }')
}

function all(parts: CompiledFilter[]): CompiledFilter {
  const tests = parts.map((p) => p.test)
  return { test: (record) => tests.every((t) => t(record)), anyOf: parts.flatMap((p) => p.anyOf) }
}

function any(parts: CompiledFilter[]): CompiledFilter {
  const tests = parts.map((p) => p.test)
  // One term list for the whole "or" when every branch is a single list.
  const single = parts.every((p) => p.anyOf.length === 1)
  return { test: (record) => tests.some((t) => t(record)), anyOf: single && parts.length ? [parts.flatMap((p) => p.anyOf[0])] : [] }
}

function listOf(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw filterError(`${what} must be a list`)
  return value
}

function objectFilter(catalog: Catalog, filter: Record<string, unknown>): CompiledFilter {
  const parts: CompiledFilter[] = []
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and') parts.push(all(listOf(value, '$and').map((f) => objectFilter(catalog, f as Record<string, unknown>))))
    else if (key === '$or') parts.push(any(listOf(value, '$or').map((f) => objectFilter(catalog, f as Record<string, unknown>))))
    else if (value && typeof value === 'object' && !Array.isArray(value) && ('$or' in value || '$and' in value)) {
      const combine = value as { $or?: unknown; $and?: unknown }
      if (combine.$or !== undefined) parts.push(any(listOf(combine.$or, `${key}.$or`).map((v) => fieldFilter(catalog, key, v))))
      if (combine.$and !== undefined) parts.push(all(listOf(combine.$and, `${key}.$and`).map((v) => fieldFilter(catalog, key, v))))
    } else {
      parts.push(fieldFilter(catalog, key, value))
    }
  }
  return all(parts)
}

function fieldFilter(catalog: Catalog, fieldId: string, value: unknown): CompiledFilter {
  const field = catalog.fields.find((f) => f.id === fieldId)
  if (!field) throw filterError(`catalog "${catalog.name}" (${catalog.id}) has no field "${fieldId}" to filter by`, { fieldId })
  const get = (record: CatalogRecord) => record.values[field.id]
  // NULL_DATE: Bpium's "no date" filter.
  if (value === null || value === '' || value === 'NULL_DATE' || (Array.isArray(value) && value.length === 0)) {
    return { test: (r) => isEmpty(get(r)), anyOf: [[term(field.id, '')]] }
  }
  switch (field.type) {
    case 'text':
      return textFilter(field, value, (v) => (typeof v === 'string' ? [v] : []))
    case 'contact':
      return textFilter(field, value, (v) => (Array.isArray(v) ? v.map((c) => String((c as { contact?: unknown }).contact ?? '')) : []))
    case 'number':
    case 'progress':
      return rangeFilter(field, value, (v) => (typeof v === 'number' ? v : null), Number)
    case 'date':
      return rangeFilter(
        field,
        value,
        (v) => (typeof v === 'string' ? Date.parse(v) : null),
        (v) => Date.parse(String(v)),
      )
    case 'stars': {
      const wanted = toList(value).map((v) => Number(v))
      return { test: (r) => wanted.includes(get(r) as number), anyOf: [wanted.map((n) => term(field.id, `n:${n}`))] }
    }
    case 'switch': {
      const wanted = value === true || value === 'true' || value === '1' || value === 1
      return { test: (r) => (get(r) === true) === wanted, anyOf: wanted ? [[term(field.id, 'b:true')]] : [] }
    }
    case 'file': {
      const wanted = value === true || value === 'true' || value === '1' || value === 1
      return { test: (r) => !isEmpty(get(r)) === wanted, anyOf: wanted ? [] : [[term(field.id, '')]] }
    }
    case 'dropdown':
    case 'radiobutton':
    case 'checkboxes': {
      const ids = toList(value).map(String)
      const has = (r: CatalogRecord) => new Set((get(r) as string[] | null) ?? [])
      if (field.type === 'checkboxes') {
        return {
          test: (r) => {
            const set = has(r)
            return ids.every((id) => set.has(id))
          },
          anyOf: ids.map((id) => [term(field.id, `i:${id}`)]),
        }
      }
      return {
        test: (r) => {
          const set = has(r)
          return ids.some((id) => set.has(id))
        },
        anyOf: [ids.map((id) => term(field.id, `i:${id}`))],
      }
    }
    case 'user': {
      const ids = toList(value).map((u) => String(u && typeof u === 'object' ? (u as { id?: unknown }).id : u))
      return { test: (r) => ((get(r) as Array<{ id: string }> | null) ?? []).some((u) => ids.includes(u.id)), anyOf: [ids.map((id) => term(field.id, `u:${id}`))] }
    }
    case 'object': {
      const links = toList(value).map((link) => {
        const { catalogId, recordId } = (link ?? {}) as { catalogId?: unknown; recordId?: unknown }
        if (catalogId === undefined || recordId === undefined) throw filterError(`field "${field.name}" (${field.id}) filters by links [{ catalogId, recordId }]`, { fieldId: field.id })
        return `${catalogId}:${recordId}`
      })
      return {
        test: (r) => ((get(r) as Array<{ catalogId: string; recordId: string }> | null) ?? []).some((l) => links.includes(`${l.catalogId}:${l.recordId}`)),
        anyOf: [links.map((key) => term(field.id, `o:${key}`))],
      }
    }
    case 'group':
      throw filterError(`field "${field.name}" (${field.id}) is a group and holds no value`, { fieldId: field.id })
  }
}

function textFilter(field: CatalogField, value: unknown, texts: (v: unknown) => string[]): CompiledFilter {
  if (typeof value !== 'string' && typeof value !== 'number') throw filterError(`field "${field.name}" (${field.id}) filters by text`, { fieldId: field.id })
  const needle = String(value).toLowerCase()
  // Phones are found in any format: only digits count when the filter is a phone number.
  const phone = /^[\d\s()+\-.]+$/.test(needle) && /\d/.test(needle) ? needle.replace(/\D/g, '') : null
  return {
    test: (r) =>
      texts(r.values[field.id]).some((text) => {
        const hay = text.toLowerCase()
        return hay.includes(needle) || (phone !== null && hay.replace(/\D/g, '').includes(phone))
      }),
    anyOf: [],
  }
}

function rangeFilter(field: CatalogField, value: unknown, read: (v: unknown) => number | null, parse: (v: unknown) => number): CompiledFilter {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const { at, to } = value as { at?: unknown; to?: unknown }
    const low = at === undefined || at === null || at === '' ? -Infinity : parse(at)
    const high = to === undefined || to === null || to === '' ? Infinity : parse(to)
    if (Number.isNaN(low) || Number.isNaN(high))
      throw filterError(`field "${field.name}" (${field.id}) filters by a range { at, to } of ${field.type === 'date' ? 'dates' : 'numbers'}`, { fieldId: field.id })
    return {
      test: (r) => {
        const v = read(r.values[field.id])
        return v !== null && v >= low && v <= high
      },
      anyOf: [],
    }
  }
  const exact = parse(value)
  if (Number.isNaN(exact)) throw filterError(`field "${field.name}" (${field.id}) filters by { at, to } or one value`, { fieldId: field.id })
  const anyOf = field.type === 'date' ? [] : [[term(field.id, `n:${exact}`)]]
  return { test: (r) => read(r.values[field.id]) === exact, anyOf }
}

function toList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value]
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)
}

/** Bpium's quick search: a substring of any text or contact field (or the title), case-insensitive. */
export function searchTest(catalog: Catalog, searchText: string | undefined): Test {
  const needle = searchText?.trim().toLowerCase()
  if (!needle) return () => true
  const fields = catalog.fields.filter((f) => f.type === 'text' || f.type === 'contact')
  return (record) =>
    record.title.toLowerCase().includes(needle) ||
    fields.some((field) => {
      const value = record.values[field.id]
      if (typeof value === 'string') return value.toLowerCase().includes(needle)
      return Array.isArray(value) && value.some((c) => `${c?.contact ?? ''} ${c?.comment ?? ''}`.toLowerCase().includes(needle))
    })
}

/** Order of records by a field (by its type), empty values last; ties by id. */
export function recordOrder(catalog: Catalog, sortField: string | undefined, sortType: 1 | -1): (a: CatalogRecord, b: CatalogRecord) => number {
  const byId = (a: CatalogRecord, b: CatalogRecord) => sortType * (Number(a.id) - Number(b.id))
  if (!sortField || sortField === 'id') return byId
  const field = catalog.fields.find((f) => f.id === sortField)
  if (!field) throw filterError(`catalog "${catalog.name}" (${catalog.id}) has no field "${sortField}" to sort by`, { fieldId: sortField })
  const key = (record: CatalogRecord): number | string | null => {
    const value = record.values[field.id]
    if (isEmpty(value)) return null
    if (typeof value === 'number' || typeof value === 'string') return field.type === 'date' ? Date.parse(value as string) : value
    if (typeof value === 'boolean') return value ? 1 : 0
    return Array.isArray(value) ? String((value[0] as { recordTitle?: string; contact?: string })?.recordTitle ?? (value[0] as { contact?: string })?.contact ?? value[0]) : String(value)
  }
  return (a, b) => {
    const x = key(a)
    const y = key(b)
    if (x === null || y === null) return x === y ? byId(a, b) : x === null ? 1 : -1
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))
    return order === 0 ? byId(a, b) : sortType * order
  }
}
