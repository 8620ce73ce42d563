/**
 * Opens the store potok runs on: MongoDB when `settings.mongodbUri` (MONGODB_URI) is set, else
 * the embedded SQLite file in `settings.dataDir` (DATA_DIR, default `./data`). The store is initialised
 * (tables/collections and indexes exist) when the promise resolves.
 *
 * @example
 * const store = await openStore()
 * await store.ping()
 */
import type { ProcessStore } from './port.ts'

export interface StoreSettings {
  mongodbUri?: string
  dataDir?: string
  /** Deadline of one call to a MongoDB store (STORE_TIMEOUT_MS). */
  storeTimeoutMs?: number
}

export async function openStore(settings: StoreSettings = {}): Promise<ProcessStore> {
  // The settings (server/settings.ts) read MONGODB_URI and DATA_DIR: the store reads no environment.
  const mongodbUri = settings.mongodbUri
  // Each adapter is loaded only when chosen: the MongoDB driver costs a SQLite server ~0.3 s of start and ~20 MiB.
  // A shared database may go away: its calls get deadlines and fail fast while it is down.
  const store: ProcessStore = mongodbUri
    ? (await import('./availability.ts')).guardAvailability(new (await import('./mongo.ts')).MongoStore({ uri: mongodbUri }), { timeoutMs: settings.storeTimeoutMs })
    : new (await import('./sqlite.ts')).SqliteStore({ dataDir: settings.dataDir ?? './data' })
  try {
    await store.init()
  } catch (error) {
    await store.close().catch(() => {})
    throw error
  }
  return store
}

export type * from './port.ts'
