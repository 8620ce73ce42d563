/**
 * Catalogs, records and files in the SQLite store. A record is a JSON document keyed by an
 * integer id; its index terms (`record_terms`, one row per term) let equality filters find
 * records through an index instead of reading the whole catalog. Files are BLOBs.
 */
import type Database from 'better-sqlite3'
import { PotokError } from '../runtime/errors.ts'
import type { Catalog, CatalogRecord, RecordPage, RecordRow, RecordTables, StoredFile } from './records-port.ts'

export const RECORDS_SCHEMA = `
CREATE TABLE IF NOT EXISTS catalogs (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (id INTEGER PRIMARY KEY, catalog_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS records_catalog ON records (catalog_id, id);
CREATE TABLE IF NOT EXISTS record_terms (catalog_id TEXT NOT NULL, term TEXT NOT NULL, record_id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS record_terms_term ON record_terms (catalog_id, term, record_id);
CREATE INDEX IF NOT EXISTS record_terms_record ON record_terms (record_id);
CREATE TABLE IF NOT EXISTS record_counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, doc TEXT NOT NULL, data BLOB NOT NULL);
`

export class SqliteRecordTables implements RecordTables {
  #statements: ReturnType<typeof prepare> | null = null
  #for: Database.Database | null = null

  /** `connection()` gives the open database (it commits queued process writes first). */
  constructor(private readonly connection: () => Database.Database) {}

  private get sql() {
    const db = this.connection()
    if (this.#for !== db) {
      this.#statements = prepare(db)
      this.#for = db
    }
    return this.#statements!
  }

  async putCatalog(catalog: Catalog): Promise<void> {
    this.sql.putCatalog.run(catalog.id, JSON.stringify(catalog))
  }

  async getCatalog(id: string): Promise<Catalog | null> {
    const doc = this.sql.getCatalog.get(id) as string | undefined
    return doc ? JSON.parse(doc) : null
  }

  async listCatalogs(): Promise<Catalog[]> {
    return (this.sql.listCatalogs.all() as string[]).map((doc) => JSON.parse(doc))
  }

  async deleteCatalog(id: string): Promise<boolean> {
    const sql = this.sql
    return this.connection().transaction(() => {
      sql.deleteCatalogTerms.run(id)
      sql.deleteCatalogRecords.run(id)
      return sql.deleteCatalog.run(id).changes > 0
    })()
  }

  async nextRecordId(): Promise<string> {
    return String(this.sql.nextId.get())
  }

  async insertRecord(row: RecordRow): Promise<void> {
    const sql = this.sql
    try {
      this.connection().transaction(() => {
        sql.insertRecord.run(Number(row.record.id), row.record.catalogId, JSON.stringify(row.record))
        for (const term of row.terms) sql.insertTerm.run(row.record.catalogId, term, Number(row.record.id))
      })()
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new PotokError('RECORD_ID_TAKEN', `record id ${row.record.id} is taken`)
      throw error
    }
  }

  async insertRecords(rows: RecordRow[]): Promise<void> {
    const sql = this.sql
    this.connection().transaction(() => {
      for (const row of rows) {
        sql.insertRecord.run(Number(row.record.id), row.record.catalogId, JSON.stringify(row.record))
        for (const term of row.terms) sql.insertTerm.run(row.record.catalogId, term, Number(row.record.id))
      }
    })()
  }

  async nextRecordIds(count: number): Promise<string[]> {
    const last = Number(this.sql.reserveIds.get(count))
    return Array.from({ length: count }, (_, i) => String(last - count + 1 + i))
  }

  async replaceRecord(row: RecordRow): Promise<boolean> {
    const sql = this.sql
    return this.connection().transaction(() => {
      const id = Number(row.record.id)
      if (sql.replaceRecord.run(JSON.stringify(row.record), id, row.record.catalogId).changes === 0) return false
      sql.deleteTerms.run(id)
      for (const term of row.terms) sql.insertTerm.run(row.record.catalogId, term, id)
      return true
    })()
  }

  async getRecord(catalogId: string, id: string): Promise<CatalogRecord | null> {
    if (!/^\d+$/.test(id)) return null
    const doc = this.sql.getRecord.get(Number(id), catalogId) as string | undefined
    return doc ? JSON.parse(doc) : null
  }

  async deleteRecord(catalogId: string, id: string): Promise<boolean> {
    if (!/^\d+$/.test(id)) return false
    const sql = this.sql
    return this.connection().transaction(() => {
      const deleted = sql.deleteRecord.run(Number(id), catalogId).changes > 0
      if (deleted) sql.deleteTerms.run(Number(id))
      return deleted
    })()
  }

  async selectRecords(catalogId: string, anyOf: string[][]): Promise<CatalogRecord[]> {
    const params: unknown[] = [catalogId]
    let where = 'catalog_id = ?'
    for (const terms of anyOf) {
      where += ` AND id IN (SELECT record_id FROM record_terms WHERE catalog_id = ? AND term IN (${terms.map(() => '?').join(', ')}))`
      params.push(catalogId, ...terms)
    }
    const rows = this.connection()
      .prepare(`SELECT doc FROM records WHERE ${where} ORDER BY id`)
      .pluck()
      .all(...params) as string[]
    return rows.map((doc) => JSON.parse(doc))
  }

  async pageRecords(catalogId: string, offset: number, limit: number, descending: boolean): Promise<RecordPage> {
    const sql = this.sql
    const rows = (descending ? sql.pageDesc : sql.pageAsc).all(catalogId, limit, offset) as string[]
    return { items: rows.map((doc) => JSON.parse(doc)), total: sql.countRecords.get(catalogId) as number }
  }

  async putFile(file: StoredFile, data: Uint8Array): Promise<void> {
    this.sql.putFile.run(file.id, JSON.stringify(file), Buffer.from(data.buffer, data.byteOffset, data.byteLength))
  }

  async getFile(id: string): Promise<(StoredFile & { data: Uint8Array }) | null> {
    const row = this.sql.getFile.get(id) as { doc: string; data: Buffer } | undefined
    return row ? { ...JSON.parse(row.doc), data: new Uint8Array(row.data) } : null
  }
}

function prepare(db: Database.Database) {
  db.prepare(`INSERT OR IGNORE INTO record_counter (name, value) VALUES ('record', 0)`).run()
  return {
    putCatalog: db.prepare('INSERT INTO catalogs (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc'),
    getCatalog: db.prepare('SELECT doc FROM catalogs WHERE id = ?').pluck(),
    listCatalogs: db.prepare('SELECT doc FROM catalogs ORDER BY CAST(id AS INTEGER), id').pluck(),
    deleteCatalog: db.prepare('DELETE FROM catalogs WHERE id = ?'),
    deleteCatalogRecords: db.prepare('DELETE FROM records WHERE catalog_id = ?'),
    deleteCatalogTerms: db.prepare('DELETE FROM record_terms WHERE catalog_id = ?'),
    // One statement, so two writers never get the same id; seeded ids (given explicitly) are skipped.
    nextId: db
      .prepare(`UPDATE record_counter SET value = MAX(value, (SELECT COALESCE(MAX(id), 0) FROM records)) + 1
      WHERE name = 'record' RETURNING value`)
      .pluck(),
    reserveIds: db
      .prepare(`UPDATE record_counter SET value = MAX(value, (SELECT COALESCE(MAX(id), 0) FROM records)) + ?
      WHERE name = 'record' RETURNING value`)
      .pluck(),
    insertRecord: db.prepare('INSERT INTO records (id, catalog_id, doc) VALUES (?, ?, ?)'),
    replaceRecord: db.prepare('UPDATE records SET doc = ? WHERE id = ? AND catalog_id = ?'),
    getRecord: db.prepare('SELECT doc FROM records WHERE id = ? AND catalog_id = ?').pluck(),
    deleteRecord: db.prepare('DELETE FROM records WHERE id = ? AND catalog_id = ?'),
    insertTerm: db.prepare('INSERT INTO record_terms (catalog_id, term, record_id) VALUES (?, ?, ?)'),
    deleteTerms: db.prepare('DELETE FROM record_terms WHERE record_id = ?'),
    pageAsc: db.prepare('SELECT doc FROM records WHERE catalog_id = ? ORDER BY id LIMIT ? OFFSET ?').pluck(),
    pageDesc: db.prepare('SELECT doc FROM records WHERE catalog_id = ? ORDER BY id DESC LIMIT ? OFFSET ?').pluck(),
    countRecords: db.prepare('SELECT COUNT(*) FROM records WHERE catalog_id = ?').pluck(),
    putFile: db.prepare('INSERT INTO files (id, doc, data) VALUES (?, ?, ?)'),
    getFile: db.prepare('SELECT doc, data FROM files WHERE id = ?'),
  }
}
