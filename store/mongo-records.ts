/**
 * Catalogs, records and files in the MongoDB store (FerretDB 1.24 included). As with processes
 * (see `mongo.ts`), documents are kept as JSON text — values may hold any key — and only what is
 * queried is a real field: a record's `_id` (its id; the unique insert is what makes a new id safe
 * between servers) and `n` (the id as a number, for order), `catalogId`, and `terms`, the index keys equality filters match
 * through a multikey index. Files go to GridFS (bucket `files`).
 *
 * One record is read, replaced and deleted by `_id` alone, its catalog checked on the document:
 * FerretDB 1.24 (SQLite handler) hands a filter on `_id` alone to SQLite, while any other filter
 * is applied in FerretDB to every document of the collection (measured at 10⁵ records: ~2.6 s
 * per read by `{ _id, catalogId }`, see docs/catalogs.md). On MongoDB both are index lookups.
 */
import { GridFSBucket, type Collection, type Db } from 'mongodb'
import { PotokError } from '../runtime/errors.ts'
import type { Catalog, CatalogRecord, RecordPage, RecordRow, RecordTables, StoredFile } from './records-port.ts'

interface CatalogDoc {
  _id: string
  doc: string
}
/** `_id` is the record id as text (FerretDB looks up text ids in SQL, numbers it scans); `n` the same as a number, for order. */
interface RecordDoc {
  _id: string
  n: number
  catalogId: string
  terms: string[]
  doc: string
}

export class MongoRecordTables implements RecordTables {
  readonly #catalogs: Collection<CatalogDoc>
  readonly #records: Collection<RecordDoc>
  readonly #files: GridFSBucket
  readonly #db: Db
  /**
   * The last id this server handed out. Read from the collection once (and again after a
   * collision with another server's insert): asking for the highest id on every create costs
   * a sorted query each time (measured: ~20 ms on FerretDB at 10⁴ records).
   */
  #lastId = 0
  #synced = false

  constructor(db: Db) {
    this.#db = db
    this.#catalogs = db.collection('catalogs')
    this.#records = db.collection('records')
    this.#files = new GridFSBucket(db, { bucketName: 'files' })
  }

  async init(): Promise<void> {
    await this.#records.createIndex({ catalogId: 1, n: 1 }, { name: 'catalog_n' })
    await this.#records.createIndex({ n: -1 }, { name: 'n' })
    await this.#records.createIndex({ catalogId: 1, terms: 1 }, { name: 'catalog_terms' })
    await this.#db.collection('files.files').createIndex({ filename: 1, uploadDate: 1 }, { name: 'filename_uploadDate' })
    await this.#db.collection('files.chunks').createIndex({ files_id: 1, n: 1 }, { unique: true, name: 'files_id_n' })
  }

  async putCatalog(catalog: Catalog): Promise<void> {
    const write = () => this.#catalogs.replaceOne({ _id: catalog.id }, { doc: JSON.stringify(catalog) }, { upsert: true })
    try {
      await write()
    } catch (error) {
      // Two servers upserting the same new catalog at start: one inserts, the other replaces.
      if ((error as { code?: number }).code !== 11000) throw error
      await write()
    }
  }

  async getCatalog(id: string): Promise<Catalog | null> {
    const found = await this.#catalogs.findOne({ _id: id })
    return found ? JSON.parse(found.doc) : null
  }

  async listCatalogs(): Promise<Catalog[]> {
    const all = (await this.#catalogs.find({}).toArray()).map((d) => JSON.parse(d.doc) as Catalog)
    return all.sort((a, b) => Number(a.id) - Number(b.id) || a.id.localeCompare(b.id))
  }

  async deleteCatalog(id: string): Promise<boolean> {
    const { deletedCount } = await this.#catalogs.deleteOne({ _id: id })
    await this.#records.deleteMany({ catalogId: id })
    return deletedCount > 0
  }

  async nextRecordId(): Promise<string> {
    if (!this.#synced) {
      const [last] = await this.#records
        .find({}, { projection: { n: 1 } })
        .sort({ n: -1 })
        .limit(1)
        .toArray()
      this.#lastId = Math.max(this.#lastId, last?.n ?? 0)
      this.#synced = true
    }
    return String(++this.#lastId)
  }

  async insertRecord(row: RecordRow): Promise<void> {
    try {
      await this.#records.insertOne(recordDoc(row))
    } catch (error) {
      if ((error as { code?: number }).code === 11000) {
        this.#synced = false
        throw new PotokError('RECORD_ID_TAKEN', `record id ${row.record.id} is taken`)
      }
      throw error
    }
  }

  async insertRecords(rows: RecordRow[]): Promise<void> {
    if (!rows.length) return
    await this.#records.insertMany(rows.map(recordDoc))
  }

  async nextRecordIds(count: number): Promise<string[]> {
    const first = Number(await this.nextRecordId())
    this.#lastId = first + count - 1
    return Array.from({ length: count }, (_, i) => String(first + i))
  }

  async replaceRecord(row: RecordRow): Promise<boolean> {
    if (!(await this.getRecord(row.record.catalogId, row.record.id))) return false
    const { _id, ...fields } = recordDoc(row)
    const { matchedCount } = await this.#records.replaceOne({ _id }, fields)
    return matchedCount > 0
  }

  async getRecord(catalogId: string, id: string): Promise<CatalogRecord | null> {
    if (!/^\d+$/.test(id)) return null
    const found = await this.#records.findOne({ _id: id })
    return found && found.catalogId === catalogId ? JSON.parse(found.doc) : null
  }

  async deleteRecord(catalogId: string, id: string): Promise<boolean> {
    if (!(await this.getRecord(catalogId, id))) return false
    return (await this.#records.deleteOne({ _id: id })).deletedCount > 0
  }

  async selectRecords(catalogId: string, anyOf: string[][]): Promise<CatalogRecord[]> {
    const filter = anyOf.length ? { catalogId, $and: anyOf.map((terms) => ({ terms: { $in: terms } })) } : { catalogId }
    const docs = await this.#records
      .find(filter, { projection: { doc: 1 } })
      .sort({ n: 1 })
      .toArray()
    return docs.map((d) => JSON.parse(d.doc))
  }

  async pageRecords(catalogId: string, offset: number, limit: number, descending: boolean): Promise<RecordPage> {
    const docs =
      limit === 0
        ? []
        : await this.#records
            .find({ catalogId }, { projection: { doc: 1 } })
            .sort({ n: descending ? -1 : 1 })
            .skip(offset)
            .limit(limit)
            .toArray()
    return { items: docs.map((d) => JSON.parse(d.doc)), total: await this.#records.countDocuments({ catalogId }) }
  }

  async putFile(file: StoredFile, data: Uint8Array): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const upload = this.#files.openUploadStreamWithId(file.id as never, file.name, { metadata: { doc: JSON.stringify(file) } })
      upload.once('error', reject)
      upload.once('finish', () => resolve())
      upload.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
    })
  }

  async getFile(id: string): Promise<(StoredFile & { data: Uint8Array }) | null> {
    const [entry] = await this.#files
      .find({ _id: id as never })
      .limit(1)
      .toArray()
    if (!entry) return null
    const chunks: Buffer[] = []
    for await (const chunk of this.#files.openDownloadStream(id as never)) chunks.push(chunk as Buffer)
    return { ...JSON.parse(String(entry.metadata?.doc)), data: new Uint8Array(Buffer.concat(chunks)) }
  }
}

function recordDoc(row: RecordRow): RecordDoc {
  return { _id: row.record.id, n: Number(row.record.id), catalogId: row.record.catalogId, terms: row.terms, doc: JSON.stringify(row.record) }
}
