/**
 * Fast failure while the database is unreachable: every store call has a deadline (a call that
 * takes longer fails with `STORE_TIMEOUT`, 503), and once a call finds the database unreachable
 * (or several calls in a row time out — one slow call under load is not an outage) the store is
 * marked down — further calls fail at once with
 * `STORE_UNAVAILABLE` (503, `retryAfter`) instead of each waiting for the driver's own
 * timeouts. A probe pings the database every `probeMs` while it is down and lifts the mark as
 * soon as it answers, so the server recovers by itself.
 *
 * @example
 * const store = guardAvailability(await openMongo(), { timeoutMs: 5000 })
 * store.availability.down // null, or since when and why
 */
import { PotokError } from '../runtime/errors.ts'
import type { ProcessStore } from './port.ts'
import { PORT_METHODS } from './store-error.ts'

export interface AvailabilityOptions {
  /** Deadline of one store call (STORE_TIMEOUT_MS, default 5 s). */
  timeoutMs?: number
  /** How often to look whether the database is back while it is down (default 1 s). */
  probeMs?: number
}

export interface Availability {
  /** Null while the store answers; else since when it is down and the error that said so. */
  readonly down: { since: string; reason: string } | null
}

/** Timeouts in a row (no call answering in between) that mark the store down. */
const TIMEOUTS_DOWN = 3

/** Calls that are not held back while the store is down (opening and closing it). */
const UNGUARDED = new Set(['init', 'close'])

export function guardAvailability<T extends ProcessStore>(store: T, options: AvailabilityOptions = {}): T & { availability: Availability } {
  const timeoutMs = options.timeoutMs ?? 5000
  const probeMs = options.probeMs ?? 1000
  const target = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
  const ping = target.ping.bind(store)
  const state: { down: Availability['down']; probe?: ReturnType<typeof setInterval>; timeouts: number } = { down: null, timeouts: 0 }

  const markDown = (error: PotokError) => {
    if (state.down) return
    state.down = { since: new Date().toISOString(), reason: error.message }
    state.probe = setInterval(() => {
      withDeadline(ping(), timeoutMs, 'ping').then(
        () => {
          clearInterval(state.probe)
          state.down = null
          state.timeouts = 0
        },
        () => {},
      )
    }, probeMs)
    state.probe.unref()
  }

  for (const name of PORT_METHODS) {
    const method = target[name]
    if (typeof method !== 'function' || UNGUARDED.has(name)) continue
    Object.defineProperty(store, name, {
      configurable: true,
      writable: true,
      value: async (...args: unknown[]) => {
        if (state.down) {
          throw new PotokError('STORE_UNAVAILABLE', `the ${store.kind} store is unreachable since ${state.down.since}; try again shortly`, { details: { retryAfter: 2, since: state.down.since } })
        }
        try {
          const result = await withDeadline(method.apply(store, args), timeoutMs, name)
          state.timeouts = 0
          return result
        } catch (error) {
          const timedOut = error instanceof PotokError && error.code === 'STORE_TIMEOUT'
          if (timedOut) state.timeouts++
          if (error instanceof PotokError && (error.details?.unreachable || (timedOut && state.timeouts >= TIMEOUTS_DOWN))) markDown(error)
          throw error
        }
      },
    })
  }
  const close = target.close.bind(store)
  Object.defineProperty(store, 'close', {
    configurable: true,
    writable: true,
    value: async () => {
      clearInterval(state.probe)
      return close()
    },
  })
  return Object.assign(store, {
    availability: {
      get down() {
        return state.down
      },
    },
  })
}

function withDeadline<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PotokError('STORE_TIMEOUT', `the store did not answer ${name} within ${ms} ms`, { details: { retryAfter: 2 } })), ms)
  })
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer))
}
