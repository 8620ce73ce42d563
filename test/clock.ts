/**
 * A clock the test moves on by hand (runtime/clock.ts): leases expire, timers fire and windows
 * end when the test says so, not after a real sleep.
 *
 * @example
 * const time = manualClock()       // installed; afterEach(() => time.restore())
 * await time.advance(450)          // due timers run, in order, each with the time it was due at
 */
import { useClock, type Clock } from '../runtime/clock.ts'

export interface ManualClock extends Clock {
  /** Moves time on by `ms`, running the timers that fall due (and what they start) in order. */
  advance(ms: number): Promise<void>
  /** How many timers wait on this clock (a test waits for them to be set before moving on). */
  pending(): number
  /** Puts the previous clock back. */
  restore(): void
}

/** Lets promise callbacks and I/O callbacks queued so far run. */
const settle = () => new Promise((resolve) => setImmediate(resolve))

export function manualClock(start = Date.now()): ManualClock {
  let now = start
  let nextId = 1
  const timers = new Map<number, { at: number; callback: () => void }>()
  const clock: ManualClock = {
    now: () => now,
    setTimeout: (callback, ms) => {
      const id = nextId++
      timers.set(id, { at: now + Math.max(0, ms), callback })
      return id
    },
    clearTimeout: (id) => {
      timers.delete(id as number)
    },
    pending: () => timers.size,
    advance: async (ms) => {
      const until = now + ms
      await settle()
      for (;;) {
        let due: [number, { at: number; callback: () => void }] | undefined
        for (const entry of timers) if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) due = entry
        if (!due) break
        timers.delete(due[0])
        now = Math.max(now, due[1].at)
        due[1].callback()
        await settle()
      }
      now = until
      await settle()
    },
    restore: useClock({ now: () => clock.now(), setTimeout: (c, ms) => clock.setTimeout(c, ms), clearTimeout: (h) => clock.clearTimeout(h) }),
  }
  return clock
}
