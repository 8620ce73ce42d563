/**
 * The catalog on the request path from memory: every request looks up its external request by
 * `urlId` and its scenario's latest version, which change rarely. `withCatalogCache(store)` is
 * the same store with those two reads (and reads of a given scenario version, which never
 * change) answered from memory.
 *
 * Invalidation: a write through this server (saving or deleting a scenario, creating, replacing
 * or deleting an external request) empties the cache at once, so one server never serves what it
 * just changed. Another server sharing the database (MongoDB) is not told: its entries live at
 * most `ttlMs` (CATALOG_CACHE_MS, default 1 s), so a change made elsewhere is served everywhere
 * within that time. `ttlMs: 0` turns the cache off.
 *
 * @example
 * const store = withCatalogCache(await openStore(settings), { ttlMs: 1000 })
 * await store.findWebRequestByUrlId('greet') // from the database, then from memory for 1 s
 */
import { clock } from '../runtime/index.ts'
import type { ProcessStore, ScenarioRecord, WebRequestRecord } from '../store/port.ts'

export interface CatalogCacheOptions {
  /** How long an entry is served without asking the database (ms). */
  ttlMs: number
  /** Most entries kept (each kind); the oldest go first. Default 10 000. */
  limit?: number
}

interface Entry<T> {
  value: T
  expires: number
}

const FOREVER = Number.MAX_SAFE_INTEGER

/** Catalog writes: after any of them the cache starts over. */
const WRITES = ['saveScenario', 'deleteScenario', 'createWebRequest', 'replaceWebRequest', 'deleteWebRequest'] as const

export function withCatalogCache(store: ProcessStore, options: CatalogCacheOptions): ProcessStore {
  if (options.ttlMs <= 0) return store
  const limit = options.limit ?? 10_000
  const webRequests = new Map<string, Entry<WebRequestRecord | null>>()
  const scenarios = new Map<string, Entry<ScenarioRecord | null>>()
  // Bumped by every write: a read that began before it must not refill the cache with what it read.
  let generation = 0
  const clear = () => {
    generation++
    webRequests.clear()
    scenarios.clear()
  }

  async function cached<T>(map: Map<string, Entry<T>>, key: string, ttl: number, read: () => Promise<T>): Promise<T> {
    const now = clock.now()
    const hit = map.get(key)
    if (hit && hit.expires > now) return hit.value
    const before = generation
    const value = await read()
    // A missing version is not remembered: another server may be saving it right now.
    if (before === generation && !(value === null && ttl === FOREVER)) {
      if (map.size >= limit) map.delete(map.keys().next().value!)
      map.set(key, { value, expires: now + ttl })
    }
    return value
  }

  const overrides: Partial<ProcessStore> = {
    findWebRequestByUrlId: (urlId) => cached(webRequests, urlId, options.ttlMs, () => store.findWebRequestByUrlId(urlId)),
    // A given version never changes: kept until a write or the size limit; the latest only for the TTL.
    getScenario: (id, version) =>
      version === undefined ? cached(scenarios, id, options.ttlMs, () => store.getScenario(id)) : cached(scenarios, `${id}@${version}`, FOREVER, () => store.getScenario(id, version)),
  }
  for (const name of WRITES) {
    const write = store[name].bind(store) as (...args: unknown[]) => Promise<unknown>
    ;(overrides as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      clear()
      try {
        return await write(...args)
      } finally {
        clear()
      }
    }
  }

  const bound = new Map<PropertyKey, unknown>()
  return new Proxy(store, {
    get(target, property) {
      if (property in overrides) return overrides[property as keyof ProcessStore]
      const value = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      let fn = bound.get(property)
      if (!fn) bound.set(property, (fn = value.bind(target)))
      return fn
    },
  })
}
