/**
 * What a process list holds: never the snapshot, and no value over `LIST_VALUE_BYTES` — a page
 * of big processes (uploads, large outputs) would otherwise be read, parsed and sent whole,
 * hundreds of megabytes at once. A list item names what it left out in `omitted`; the
 * process's own record (`getProcess`) has everything.
 */
import type { ProcessRecord } from './port.ts'
import { OUTPUT_CHANGES_MARK } from './compact.ts'

/** Largest input/output/response/error kept in a list item (its JSON text). */
export const LIST_VALUE_BYTES = 64 * 1024
/** The values a list item may leave out for their size. */
export const LIST_LARGE_FIELDS = ['input', 'output', 'response', 'error'] as const

/** SQLite: the columns of a list row, large values as NULL with their length beside them. */
export const SQLITE_LIST_COLUMNS = [
  'seq',
  'id',
  'status',
  'scenario_id',
  'scenario_version',
  'trigger_id',
  'parent_id',
  'replay_of',
  'started_at',
  'finished_at',
  'duration_ms',
  'lease_owner',
  'lease_expires_at',
  'trigger',
  'NULL AS snapshot',
  ...LIST_LARGE_FIELDS.flatMap((column) => [
    `CASE WHEN ${sqliteBytes(column)} > ${LIST_VALUE_BYTES} THEN ${column === 'input' ? "'{}'" : 'NULL'} ELSE ${column} END AS ${column}`,
    `${sqliteBytes(column)} AS ${column}_bytes`,
  ]),
].join(', ')

/** The length of a column's JSON; an output stored as its changes to the input counts the input too (compact.ts). */
function sqliteBytes(column: (typeof LIST_LARGE_FIELDS)[number]): string {
  if (column !== 'output') return `length(${column})`
  return `CASE WHEN substr(output, 1, 1) = '${OUTPUT_CHANGES_MARK}' THEN length(output) + length(input) ELSE length(output) END`
}

/** The list item of a record read with SQLITE_LIST_COLUMNS (or with its large values already dropped). */
export function listItem(record: ProcessRecord, bytes: Partial<Record<(typeof LIST_LARGE_FIELDS)[number], number | null>>): ProcessRecord {
  const omitted = LIST_LARGE_FIELDS.filter((field) => (bytes[field] ?? 0) > LIST_VALUE_BYTES)
  const { snapshot: _snapshot, ...item } = record
  return omitted.length ? { ...item, omitted: [...omitted] } : item
}

/** Strings of a stored document over the list limit, dropped before they are parsed (MongoDB). */
export function dropLarge<T extends Record<string, unknown>>(doc: T): { doc: T; bytes: Record<string, number> } {
  const bytes: Record<string, number> = {}
  const copy: Record<string, unknown> = { ...doc, snapshot: null }
  for (const field of LIST_LARGE_FIELDS) {
    const value = doc[field]
    if (typeof value !== 'string') continue
    bytes[field] = value.length
    if (value.length > LIST_VALUE_BYTES) copy[field] = field === 'input' ? '{}' : null
  }
  return { doc: copy as T, bytes }
}
