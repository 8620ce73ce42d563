/**
 * Catalogs and records (docs/catalogs.md): the shapes Bpium's API and data actions use, and the part of
 * the store port that keeps them. `records.ts` holds the behaviour both adapters share
 * (validation by field type, filters, search, sort, data-change hooks); an adapter only stores
 * rows (`RecordTables`: `sqlite-records.ts`, `mongo-records.ts`).
 */

export * from '../runtime/records.ts'
import type { Catalog, CatalogRecord, RecordPage, StoredFile } from '../runtime/records.ts'

/** One record row as an adapter keeps it: `terms` are index keys `<fieldId>\u0001<value>`. */
export interface RecordRow {
  record: CatalogRecord
  terms: string[]
}

/**
 * What an adapter stores. Rows are plain: validation, ids of fields, terms and the matching of
 * filters happen in `records.ts`, the same for every adapter.
 */
export interface RecordTables {
  /** Creates tables/collections and indexes (when the adapter's own `init` does not). */
  init?(): Promise<void>
  putCatalog(catalog: Catalog): Promise<void>
  getCatalog(id: string): Promise<Catalog | null>
  listCatalogs(): Promise<Catalog[]>
  /** Deletes the catalog and its records; false when there was none. */
  deleteCatalog(id: string): Promise<boolean>
  /** A new record id: digits, unique in the store, increasing. */
  nextRecordId(): Promise<string>
  /** RECORD_ID_TAKEN when a record with that id exists (ids are unique in the store). */
  insertRecord(row: RecordRow): Promise<void>
  /** Many new records at once (ids from `nextRecordIds`); one transaction / one insertMany. */
  insertRecords(rows: RecordRow[]): Promise<void>
  /** `count` consecutive new record ids. */
  nextRecordIds(count: number): Promise<string[]>
  replaceRecord(row: RecordRow): Promise<boolean>
  getRecord(catalogId: string, id: string): Promise<CatalogRecord | null>
  deleteRecord(catalogId: string, id: string): Promise<boolean>
  /**
   * Records of a catalog having, for each list in `anyOf`, at least one of its terms (all of them
   * when `anyOf` is empty); id order.
   */
  selectRecords(catalogId: string, anyOf: string[][]): Promise<CatalogRecord[]>
  /** One page in id order with the catalog's count (no filter). */
  pageRecords(catalogId: string, offset: number, limit: number, descending: boolean): Promise<RecordPage>
  putFile(file: StoredFile, data: Uint8Array): Promise<void>
  getFile(id: string): Promise<(StoredFile & { data: Uint8Array }) | null>
}
