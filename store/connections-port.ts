/**
 * Connections («Доступы к сервисам», docs/connections.md) as the store keeps them. Secrets never reach the
 * store in clear: each is either sealed (AES-256-GCM under POTOK_SECRET_KEY, by the server) or a
 * reference to an environment variable. The store only keeps and returns these documents.
 */

/** A secret as stored: sealed text, or the name of an environment variable holding it. */
export type StoredSecret = { sealed: string } | { env: string }

export interface ConnectionRecord {
  id: string
  name: string
  description?: string
  /** `smtp` | `http` (the server validates `config` and `secrets` by type). */
  type: string
  config: Record<string, unknown>
  secrets: Record<string, StoredSecret>
  createdAt: string
  updatedAt: string
}

export interface ConnectionStore {
  /** Throws PotokError('CONFLICT', 409) when the id is taken. */
  createConnection(record: ConnectionRecord): Promise<ConnectionRecord>
  /** Whole-record replace; null when absent. */
  replaceConnection(record: ConnectionRecord): Promise<ConnectionRecord | null>
  getConnection(id: string): Promise<ConnectionRecord | null>
  /** Ordered by id. */
  listConnections(): Promise<ConnectionRecord[]>
  deleteConnection(id: string): Promise<boolean>
}
