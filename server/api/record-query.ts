/**
 * Bpium's record search parameters from a query string (`GET /api/v1/catalogs/{id}/records`):
 * `filters` as a JSON array or object, or in bracket form (`filters[0][fieldId]=4&filters[0][value][at]=…`);
 * `fields` as a JSON array (`["2","3"]`, Bpium's objects `{ fieldId, fields }` keep their
 * `fieldId`) or `2,3`; `searchText`, `sortField`, `sortType` (1 / -1), `limit`, `offset`.
 */
import { PotokError } from '../../runtime/index.ts'
import type { RecordQuery } from '../../store/records-port.ts'

function invalid(name: string, message: string): PotokError {
  return new PotokError('INVALID_QUERY', `${name}: ${message}`, { details: { parameter: name } })
}

/** `name[a][0][b]=v` parameters as one nested value (numeric keys make lists). */
export function bracketValue(params: URLSearchParams, name: string): unknown {
  let root: unknown
  for (const [key, value] of params) {
    if (!key.startsWith(`${name}[`)) continue
    const path = [...key.slice(name.length).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1])
    if (!path.length) continue
    root ??= /^\d+$/.test(path[0]) ? [] : {}
    let node = root as Record<string, unknown>
    path.forEach((part, i) => {
      if (i === path.length - 1) {
        node[part] = value
      } else {
        node[part] ??= /^\d+$/.test(path[i + 1]) ? [] : {}
        node = node[part] as Record<string, unknown>
      }
    })
  }
  return root
}

function jsonParam(params: URLSearchParams, name: string): unknown {
  const text = params.get(name)
  if (text === null || text.trim() === '') return bracketValue(params, name)
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function count(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name)
  if (text === null || text === '') return undefined
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0) throw invalid(name, 'must be a whole number ≥ 0')
  return value
}

export function recordQueryOf(params: URLSearchParams): RecordQuery {
  const filters = jsonParam(params, 'filters')
  if (params.get('filters') && filters === undefined) throw invalid('filters', 'must be JSON (a list [{ fieldId, value }] or an object)')
  const fieldsText = params.get('fields')
  let fields: string[] | undefined
  if (fieldsText) {
    const parsed = fieldsText.trim().startsWith('[') ? jsonParam(params, 'fields') : fieldsText.split(',')
    if (!Array.isArray(parsed)) throw invalid('fields', 'must be a JSON list of field ids')
    fields = parsed.map((f) => String(f && typeof f === 'object' ? (f as { fieldId?: unknown }).fieldId : f).trim())
  }
  const sortType = params.get('sortType')
  if (sortType && sortType !== '1' && sortType !== '-1') throw invalid('sortType', 'must be 1 or -1')
  return {
    ...(filters !== undefined ? { filters } : {}),
    ...(fields ? { fields } : {}),
    ...(params.get('searchText') ? { searchText: params.get('searchText')! } : {}),
    ...(params.get('sortField') ? { sortField: params.get('sortField')! } : {}),
    ...(sortType ? { sortType: Number(sortType) as 1 | -1 } : {}),
    limit: count(params, 'limit'),
    offset: count(params, 'offset'),
  }
}
