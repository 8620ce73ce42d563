/**
 * `RecordStore`: catalogs, records and files over an adapter's `RecordTables` — the behaviour
 * both adapters share, so one contract suite holds them to it. Values are validated and
 * normalised by field type (`record-fields.ts`); finds narrow the candidates through the index
 * terms of their equality filters, then apply Bpium's filter semantics, quick search, sort and
 * paging (`record-filters.ts`). Writes to one record are serialised within this store, so an
 * update's merge never loses a concurrent one's fields.
 *
 * @example
 * const catalog = await store.records.saveCatalog({ name: 'Leads', fields: [{ name: 'Name', type: 'text' }] })
 * const record = await store.records.createRecord(catalog.id, { '1': 'Ann' })
 */
import { randomUUID } from 'node:crypto'
import { PotokError } from '../runtime/errors.ts'
import { toStoreError } from './store-error.ts'
import { catalogSchema, nextId, toCatalog, type CatalogInput } from './catalog-schema.ts'
import { LIST_TYPES, checkRequired, normalizeValues, termsOf, titleOf, type ValueContext } from './record-fields.ts'
import { compileFilters, recordOrder, searchTest } from './record-filters.ts'
import type { Catalog, CatalogRecord, RecordPage, RecordQuery, RecordTables, RecordValues, StoredFile } from './records-port.ts'

export const DEFAULT_RECORD_LIMIT = 100
export const MAX_RECORD_LIMIT = 10_000

export function catalogNotFound(id: string): PotokError {
  return new PotokError('CATALOG_NOT_FOUND', `there is no catalog "${id}"`, { details: { catalogId: id } })
}

export function recordNotFound(catalogId: string, id: string): PotokError {
  return new PotokError('RECORD_NOT_FOUND', `there is no record "${id}" in catalog "${catalogId}"`, { details: { catalogId, recordId: id } })
}

export class RecordStore {
  readonly #writing = new Map<string, Promise<unknown>>()

  private readonly tables: RecordTables

  constructor(tables: RecordTables) {
    this.tables = guardTables(tables)
  }

  /** Creates what the adapter needs (called by the store's `init`). */
  async init(): Promise<void> {
    await this.tables.init?.()
  }

  // Catalogs

  /** Creates (no id, or a new one) or replaces a catalog; a parsed and numbered copy is stored. */
  async saveCatalog(input: CatalogInput): Promise<Catalog> {
    const parsed = catalogSchema.safeParse(input)
    if (!parsed.success) {
      throw new PotokError('CATALOG_INVALID', `invalid catalog: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(catalog)'}: ${i.message}`).join('; ')}`)
    }
    const id = parsed.data.id ?? nextId((await this.tables.listCatalogs()).map((c) => c.id))
    const previous = await this.tables.getCatalog(id)
    const catalog = toCatalog(parsed.data, id, previous)
    await this.tables.putCatalog(catalog)
    return catalog
  }

  getCatalog(id: string): Promise<Catalog | null> {
    return this.tables.getCatalog(id)
  }

  /** The catalog, or CATALOG_NOT_FOUND. */
  async requireCatalog(id: string): Promise<Catalog> {
    const catalog = await this.tables.getCatalog(String(id))
    if (!catalog) throw catalogNotFound(String(id))
    return catalog
  }

  listCatalogs(): Promise<Catalog[]> {
    return this.tables.listCatalogs()
  }

  deleteCatalog(id: string): Promise<boolean> {
    return this.tables.deleteCatalog(id)
  }

  // Records

  /** Checks and normalises values for `catalog` (what a `before` event sees and may change). */
  async normalize(catalog: Catalog, values: RecordValues): Promise<RecordValues> {
    return normalizeValues(catalog, values, this.#valueContext)
  }

  async createRecord(catalogId: string, values: RecordValues, options: { id?: string } = {}): Promise<CatalogRecord> {
    const catalog = await this.requireCatalog(catalogId)
    const normalized = { ...emptyValues(catalog), ...(await this.normalize(catalog, values)) }
    checkRequired(catalog, normalized)
    const now = new Date().toISOString()
    for (let attempt = 1; ; attempt++) {
      const id = options.id ?? (await this.tables.nextRecordId())
      const record: CatalogRecord = { id, catalogId: catalog.id, title: titleOf(catalog, normalized), values: normalized, createdAt: now, updatedAt: now }
      try {
        await this.tables.insertRecord({ record, terms: termsOf(catalog, normalized) })
        return record
      } catch (error) {
        // Another server took the id first (MongoDB): take the next one.
        if ((error as PotokError).code !== 'RECORD_ID_TAKEN' || options.id || attempt >= 20) throw error
      }
    }
  }

  /**
   * Many records at once (seeding, imports): each checked like `createRecord`, written in one
   * transaction (SQLite) or one insertMany (MongoDB); no data-change events. The new records.
   */
  async importRecords(catalogId: string, list: RecordValues[]): Promise<CatalogRecord[]> {
    const catalog = await this.requireCatalog(catalogId)
    const rows = []
    const ids = await this.tables.nextRecordIds(list.length)
    const now = new Date().toISOString()
    for (const [i, values] of list.entries()) {
      const normalized = { ...emptyValues(catalog), ...(await this.normalize(catalog, values)) }
      checkRequired(catalog, normalized)
      const record: CatalogRecord = { id: ids[i], catalogId: catalog.id, title: titleOf(catalog, normalized), values: normalized, createdAt: now, updatedAt: now }
      rows.push({ record, terms: termsOf(catalog, normalized) })
    }
    await this.tables.insertRecords(rows)
    return rows.map((row) => row.record)
  }

  getRecord(catalogId: string, id: string): Promise<CatalogRecord | null> {
    return this.tables.getRecord(String(catalogId), String(id))
  }

  async requireRecord(catalogId: string, id: string): Promise<CatalogRecord> {
    await this.requireCatalog(catalogId)
    const record = await this.tables.getRecord(String(catalogId), String(id))
    if (!record) throw recordNotFound(String(catalogId), String(id))
    return record
  }

  /** Merges `values` into the record (Bpium's PATCH); RECORD_NOT_FOUND when there is none. */
  updateRecord(catalogId: string, id: string, values: RecordValues): Promise<CatalogRecord> {
    return this.#serial(`${catalogId}:${id}`, async () => {
      const catalog = await this.requireCatalog(catalogId)
      const previous = await this.tables.getRecord(catalog.id, String(id))
      if (!previous) throw recordNotFound(catalog.id, String(id))
      const merged = { ...previous.values, ...(await this.normalize(catalog, values)) }
      checkRequired(catalog, merged)
      const record: CatalogRecord = { ...previous, title: titleOf(catalog, merged), values: merged, updatedAt: new Date().toISOString() }
      if (!(await this.tables.replaceRecord({ record, terms: termsOf(catalog, merged) }))) throw recordNotFound(catalog.id, String(id))
      return record
    })
  }

  deleteRecord(catalogId: string, id: string): Promise<boolean> {
    return this.#serial(`${catalogId}:${id}`, () => this.tables.deleteRecord(String(catalogId), String(id)))
  }

  /** Bpium's record search: `{ items, total }` (total before limit/offset). */
  async findRecords(catalogId: string, query: RecordQuery = {}): Promise<RecordPage> {
    const catalog = await this.requireCatalog(catalogId)
    const limit = Math.min(Math.max(0, Math.trunc(query.limit ?? DEFAULT_RECORD_LIMIT)), MAX_RECORD_LIMIT)
    const offset = Math.max(0, Math.trunc(query.offset ?? 0))
    const sortType = query.sortType === -1 ? -1 : 1
    const filter = compileFilters(catalog, query.filters)
    const search = searchTest(catalog, query.searchText)
    const order = recordOrder(catalog, query.sortField, sortType)
    let page: RecordPage
    const unfiltered = query.filters === undefined || query.filters === null || query.filters === '' || (typeof query.filters === 'object' && Object.keys(query.filters as object).length === 0)
    if (unfiltered && !query.searchText?.trim() && (!query.sortField || query.sortField === 'id')) {
      page = await this.tables.pageRecords(catalog.id, offset, limit, sortType === -1)
    } else {
      const found = (await this.tables.selectRecords(catalog.id, filter.anyOf)).filter((r) => filter.test(r) && search(r))
      found.sort(order)
      page = { items: found.slice(offset, offset + limit), total: found.length }
    }
    if (query.fields?.length) page.items = page.items.map((record) => project(record, query.fields!))
    return page
  }

  // Files

  async putFile(file: { name: string; contentType?: string; data: Uint8Array }): Promise<StoredFile> {
    const stored: StoredFile = {
      id: randomUUID(),
      name: file.name || 'file',
      contentType: file.contentType || 'application/octet-stream',
      size: file.data.byteLength,
      createdAt: new Date().toISOString(),
    }
    await this.tables.putFile(stored, file.data)
    return stored
  }

  getFile(id: string): Promise<(StoredFile & { data: Uint8Array }) | null> {
    return this.tables.getFile(id)
  }

  readonly #valueContext: ValueContext = {
    links: async (catalogId, recordId) => {
      const catalog = await this.tables.getCatalog(catalogId)
      const record = catalog && (await this.tables.getRecord(catalogId, recordId))
      return record ? { title: record.title, catalogName: catalog!.name } : null
    },
    files: async (id) => {
      const file = await this.tables.getFile(id)
      return file ? { id: file.id, name: file.name, contentType: file.contentType, size: file.size } : null
    },
  }

  #serial<T>(key: string, write: () => Promise<T>): Promise<T> {
    const previous = this.#writing.get(key) ?? Promise.resolve()
    const next = previous.then(write, write)
    const settled = next.then(
      () => {},
      () => {},
    )
    this.#writing.set(key, settled)
    settled.then(() => {
      if (this.#writing.get(key) === settled) this.#writing.delete(key)
    })
    return next
  }
}

/** Driver errors leave as STORE_ERROR (without connection strings), as the rest of the port's. */
function guardTables(tables: RecordTables): RecordTables {
  return new Proxy(tables, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver)
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args)
        } catch (error) {
          throw toStoreError(error)
        }
      }
    },
  })
}

/** Every field's empty value (as Bpium answers a record: all fields, `[]` or null when empty). */
function emptyValues(catalog: Catalog): RecordValues {
  const values: RecordValues = {}
  for (const field of catalog.fields) if (field.type !== 'group') values[field.id] = LIST_TYPES.has(field.type) ? [] : null
  return values
}

function project(record: CatalogRecord, fields: string[]): CatalogRecord {
  const values: RecordValues = {}
  for (const id of fields) if (id in record.values) values[id] = record.values[id]
  return { ...record, values }
}
