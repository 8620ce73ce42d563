/**
 * Time as potok reads it where a duration decides what happens: timer deadlines, parking,
 * leases and wake times, the catalog cache's TTL, rate-limit and auth-failure windows,
 * retention. The system clock by default; a test installs its own (`useClock`) and moves time
 * on instead of sleeping. A clock belongs to one thread: worker threads keep the system clock.
 *
 * @example
 * const deadline = clock.now() + 200
 * const handle = clock.setTimeout(() => wake(), 200)
 * clock.clearTimeout(handle)
 */

/** A handle from `Clock.setTimeout`, only good for the same clock's `clearTimeout`. */
export type TimerHandle = unknown

export interface Clock {
  /** Milliseconds since the epoch, as `Date.now()`. */
  now(): number
  /** Calls `callback` once `ms` have passed on this clock (`unref`: the wait alone keeps no process alive). */
  setTimeout(callback: () => void, ms: number, options?: { unref?: boolean }): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms, options) => {
    const timer = setTimeout(callback, ms)
    if (options?.unref) timer.unref()
    return timer
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

let current: Clock = systemClock

/**
 * The clock in use (read through it at every call, so `useClock` takes effect at once). A timer
 * is cleared on the clock that set it, even after another clock was installed.
 */
export const clock: Clock = {
  now: () => current.now(),
  setTimeout: (callback, ms, options) => ({ owner: current, handle: current.setTimeout(callback, ms, options) }),
  clearTimeout: (timer) => {
    const { owner, handle } = (timer ?? {}) as { owner?: Clock; handle?: TimerHandle }
    owner?.clearTimeout(handle)
  },
}

/** Installs `next` as this thread's clock; returns the function that puts the previous one back. */
export function useClock(next: Clock): () => void {
  const previous = current
  current = next
  return () => {
    current = previous
  }
}

/** The last instant `isoTime` was asked for, and its ISO string. */
let lastMs = Number.NaN
let lastIso = ''

/**
 * `new Date(ms).toISOString()`, remembering the last instant: a synchronous run stamps each
 * step's start and end, mostly within one millisecond, and a greet spent about 2 µs of its 44
 * making (and parsing back, see `msOfIso`) the same string again.
 */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString()
    lastMs = ms
  }
  return lastIso
}

/** The instant of an ISO time (`Date.parse`); the last one `isoTime` made is known without parsing. */
export function msOfIso(iso: string): number {
  return iso === lastIso ? lastMs : Date.parse(iso)
}
