/** The `connections` collection of the MongoDB store (see `connections-port.ts`). */
import type { Collection, Db } from 'mongodb'
import type { ConnectionRecord, ConnectionStore } from './connections-port.ts'
import { conflict } from './sqlite-connections.ts'
import { toStoreError } from './store-error.ts'

/** One document per connection; the record travels as JSON text so its keys are never operators. */
interface ConnectionDoc {
  _id: string
  doc: string
}

export function mongoConnections(db: Db): ConnectionStore {
  const collection: Collection<ConnectionDoc> = db.collection('connections')
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work()
    } catch (error) {
      throw toStoreError(error)
    }
  }
  const parse = (doc: ConnectionDoc | null) => (doc ? (JSON.parse(doc.doc) as ConnectionRecord) : null)
  return {
    createConnection: (record) =>
      run(async () => {
        try {
          await collection.insertOne({ _id: record.id, doc: JSON.stringify(record) })
        } catch (error) {
          if ((error as { code?: number }).code === 11000) throw conflict(record.id)
          throw error
        }
        return record
      }),
    replaceConnection: (record) =>
      run(async () => {
        const { matchedCount } = await collection.updateOne({ _id: record.id }, { $set: { doc: JSON.stringify(record) } })
        return matchedCount ? record : null
      }),
    getConnection: (id) => run(async () => parse(await collection.findOne({ _id: id }))),
    listConnections: () => run(async () => (await collection.find({}).sort({ _id: 1 }).toArray()).map((doc) => parse(doc)!)),
    deleteConnection: (id) => run(async () => (await collection.deleteOne({ _id: id })).deletedCount > 0),
  }
}
