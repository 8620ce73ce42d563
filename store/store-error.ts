/**
 * Database driver errors leave the store as `PotokError('STORE_ERROR', 503)` with connection
 * strings and credentials cut out of the message: a MongoDB URI may carry a password, and
 * messages travel to logs and API callers. PotokErrors the adapters throw pass unchanged.
 */
import { PotokError } from '../runtime/errors.ts'

/** Removes URIs' credentials and whole `mongodb://` connection strings from a message. */
export function redactSecrets(message: string): string {
  return message
    .replace(/mongodb(\+srv)?:\/\/[^\s'"`,)]*/gi, 'mongodb://<redacted>')
    .replace(/\/\/[^\s/@'"`]+@/g, '//<redacted>@')
    .replace(/(password|pwd|secret|token)=([^&\s'"`]+)/gi, '$1=<redacted>')
}

export function toStoreError(error: unknown): PotokError {
  if (error instanceof PotokError) return error
  if (isDiskFull(error)) {
    return new PotokError('STORE_FULL', "The store's disk is full: nothing more can be written until space is freed", { details: { retryAfter: 30 } })
  }
  const message = error instanceof Error ? error.message : String(error)
  const name = error instanceof Error ? error.name : 'Error'
  return new PotokError('STORE_ERROR', `Store error (${name}): ${redactSecrets(message)}`, { details: UNREACHABLE.test(name) ? { unreachable: true, retryAfter: 2 } : undefined })
}

/** Driver errors that mean the database cannot be reached (rather than refusing one operation). */
const UNREACHABLE = /^(MongoServerSelectionError|MongoNetworkError|MongoNetworkTimeoutError|MongoTopologyClosedError|MongoPoolClearedError|PoolClearedError|MongoNotConnectedError)$/

/** The port's methods; `guardStoreErrors` wraps exactly these. */
export const PORT_METHODS = [
  'init',
  'close',
  'ping',
  'saveScenario',
  'getScenario',
  'listScenarios',
  'listScenarioVersions',
  'deleteScenario',
  'createWebRequest',
  'replaceWebRequest',
  'getWebRequest',
  'findWebRequestByUrlId',
  'listWebRequests',
  'deleteWebRequest',
  'createProcess',
  'updateProcess',
  'recordProcess',
  'getProcess',
  'listProcesses',
  'transitionProcess',
  'pruneProcesses',
  'claimProcesses',
  'renewLeases',
  'commitProcess',
  'probeWrite',
  'wakeProcess',
  'putIdempotency',
  'setIdempotencyResponse',
] as const

/**
 * Wraps the port methods of `store` so driver errors come out through `toStoreError`. The
 * original error is not kept as `cause`: it may hold the URI.
 */
export function guardStoreErrors<T extends object>(store: T): T {
  const target = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
  for (const name of PORT_METHODS) {
    const method = target[name]
    if (typeof method !== 'function') continue
    Object.defineProperty(store, name, {
      configurable: true,
      writable: true,
      value: async (...args: unknown[]) => {
        try {
          return await method.apply(store, args)
        } catch (error) {
          throw toStoreError(error)
        }
      },
    })
  }
  return store
}

/** SQLite's "database or disk is full" (and the file system's ENOSPC beneath it). */
function isDiskFull(error: unknown): boolean {
  const { code } = (error ?? {}) as { code?: unknown }
  return code === 'SQLITE_FULL' || code === 'ENOSPC'
}
