/** The connections table of the SQLite store (see `connections-port.ts`). */
import type Database from 'better-sqlite3'
import { PotokError } from '../runtime/errors.ts'
import type { ConnectionRecord, ConnectionStore } from './connections-port.ts'
import { toStoreError } from './store-error.ts'

export const CONNECTIONS_SCHEMA = 'CREATE TABLE IF NOT EXISTS connections (id TEXT PRIMARY KEY, doc TEXT NOT NULL)'

export function sqliteConnections(db: () => Database.Database): ConnectionStore {
  const run = async <T>(work: (db: Database.Database) => T): Promise<T> => {
    try {
      return work(db())
    } catch (error) {
      throw toStoreError(error)
    }
  }
  return {
    createConnection: (record) =>
      run((d) => {
        const { changes } = d.prepare('INSERT INTO connections (id, doc) VALUES (?, ?) ON CONFLICT (id) DO NOTHING').run(record.id, JSON.stringify(record))
        if (!changes) throw conflict(record.id)
        return record
      }),
    replaceConnection: (record) => run((d) => (d.prepare('UPDATE connections SET doc = ? WHERE id = ?').run(JSON.stringify(record), record.id).changes ? record : null)),
    getConnection: (id) =>
      run((d) => {
        const doc = d.prepare('SELECT doc FROM connections WHERE id = ?').pluck().get(id) as string | undefined
        return doc ? (JSON.parse(doc) as ConnectionRecord) : null
      }),
    listConnections: () => run((d) => (d.prepare('SELECT doc FROM connections ORDER BY id').pluck().all() as string[]).map((doc) => JSON.parse(doc) as ConnectionRecord)),
    deleteConnection: (id) => run((d) => d.prepare('DELETE FROM connections WHERE id = ?').run(id).changes > 0),
  }
}

export function conflict(id: string): PotokError {
  return new PotokError('CONFLICT', `connection "${id}" exists; PUT /api/v1/connections/${id} replaces it`)
}
