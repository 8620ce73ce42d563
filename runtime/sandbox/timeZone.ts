/**
 * The sandbox's time zone (`SANDBOX_TZ`, default `UTC`). QuickJS asks the C library
 * for local time, and emscripten answers that import (`localtime_r`) with the host's `Date`, so
 * expressions followed the server's TZ: a scenario's output shifted with the machine it ran on.
 * `localTimeImport` replaces that one import, per engine, with an answer computed for the
 * configured zone by `Intl` — the host process's own time zone is left untouched. The zone is a
 * runtime limit (`runtimeLimits().sandboxTimeZone`), set from the settings at start.
 */
export const DEFAULT_SANDBOX_TZ = 'UTC'

/** Why `zone` is not a usable time zone, or null. */
export function timeZoneProblem(zone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return null
  } catch {
    return `"${zone}" is not a time zone name (IANA names such as UTC or Europe/Moscow)`
  }
}

/** Offset from UTC in minutes (east positive) of `zone` at `time` (ms since the epoch). */
export function offsetMinutes(format: Intl.DateTimeFormat | null, time: number): number {
  if (!format) return 0
  const parts: Record<string, number> = {}
  for (const part of format.formatToParts(time)) if (part.type !== 'literal') parts[part.type] = Number(part.value)
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!)
  return Math.round((wall - Math.floor(time / 1000) * 1000) / 60_000)
}

function formatter(zone: string): Intl.DateTimeFormat | null {
  if (zone === 'UTC' || zone === 'Etc/UTC') return null
  return new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
}

/**
 * emscripten's `_localtime_js(time, tmPtr)`: fills a C `struct tm` (ints: sec, min, hour, mday,
 * mon, year-1900, wday, yday, isdst, gmtoff) for `time` (seconds) in `zone`.
 */
export function localTimeImport(zone: string, memory: WebAssembly.Memory): (time: bigint | number, tm: number) => void {
  const format = formatter(zone)
  // Intl costs microseconds a call and moment asks for local time many times per expression:
  // the offset is cached per UTC day when the day starts and ends with the same one (a zone
  // changes its offset at most once a day); a day with a change is computed call by call.
  const days = new Map<number, number | null>()
  const offsetAt = (ms: number) => {
    if (!format) return 0
    const day = Math.floor(ms / 86_400_000)
    let offset = days.get(day)
    if (offset === undefined) {
      if (days.size > 100_000) days.clear()
      const first = offsetMinutes(format, day * 86_400_000)
      offset = first === offsetMinutes(format, (day + 1) * 86_400_000 - 1000) ? first : null
      days.set(day, offset)
    }
    return offset ?? offsetMinutes(format, ms)
  }
  return (time, tm) => {
    const seconds = Number(time)
    const ms = Number.isFinite(seconds) ? seconds * 1000 : NaN
    const offset = Number.isFinite(ms) ? offsetAt(ms) : 0
    const wall = new Date(ms + offset * 60_000)
    const year = wall.getUTCFullYear()
    const january = offsetAt(Date.UTC(year, 0, 1))
    const july = offsetAt(Date.UTC(year, 6, 1))
    const fields = [
      wall.getUTCSeconds(),
      wall.getUTCMinutes(),
      wall.getUTCHours(),
      wall.getUTCDate(),
      wall.getUTCMonth(),
      year - 1900,
      wall.getUTCDay(),
      Math.floor((Date.UTC(year, wall.getUTCMonth(), wall.getUTCDate()) - Date.UTC(year, 0, 1)) / 86_400_000),
      january !== july && offset === Math.max(january, july) ? 1 : 0,
      offset * 60,
    ]
    const heap = new Int32Array(memory.buffer, tm, fields.length)
    fields.forEach((value, i) => {
      heap[i] = value | 0
    })
  }
}
