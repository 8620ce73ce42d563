/**
 * Catalogs and records as the engine and the components see them: the shapes of Bpium's API and
 * data actions (docs/catalogs.md). The store keeps them (`store/records-port.ts`); components reach them
 * through `RuntimeServices.records`.
 */

export const FIELD_TYPES = ['text', 'number', 'date', 'dropdown', 'radiobutton', 'checkboxes', 'switch', 'contact', 'object', 'user', 'file', 'progress', 'stars', 'group'] as const
export type FieldType = (typeof FIELD_TYPES)[number]

export interface CatalogField {
  id: string
  name: string
  type: FieldType
  required?: boolean
  /** Per type: `items` (dropdown, radiobutton, checkboxes), `multiselect`, `catalogs` (object)… */
  config?: Record<string, unknown>
  /** Bpium's other field properties (`hint`, `comment`, `apiOnly`…) are kept as given. */
  [extra: string]: unknown
}

export type EventKind = 'create' | 'update' | 'delete'
export type EventPhase = 'before' | 'after'

/** A data-change event bound to a scenario (Bpium «Изменение данных»). */
export interface CatalogEvent {
  on: EventKind
  phase: EventPhase
  scenarioId: string
}

export interface Catalog {
  id: string
  name: string
  fields: CatalogField[]
  events?: CatalogEvent[]
  icon?: string
  sectionId?: string
  createdAt: string
  updatedAt: string
}

/** Values keyed by field id, in Bpium's shapes (dropdown `["1"]`, contact `[{ contact, comment }]`…). */
export type RecordValues = Record<string, unknown>

export interface CatalogRecord {
  id: string
  catalogId: string
  title: string
  values: RecordValues
  createdAt: string
  updatedAt: string
}

/** A record search (Bpium's `GET /catalogs/{id}/records` parameters). */
export interface RecordQuery {
  /** Array form `[{ fieldId, value }]` or the JSON-object form with `$and` / `$or`. */
  filters?: unknown
  searchText?: string
  sortField?: string
  /** 1 ascending (default), -1 descending. */
  sortType?: 1 | -1
  /** Field ids to return (default all). */
  fields?: string[]
  limit?: number
  offset?: number
}

export interface RecordPage {
  items: CatalogRecord[]
  total: number
}

/** A stored file's description (the bytes are read with `getFile`). */
export interface StoredFile {
  id: string
  name: string
  contentType: string
  size: number
  createdAt: string
}
