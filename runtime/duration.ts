/** ISO 8601 durations (`PT10S`, `P1DT2H`, `PT0.1S`) as milliseconds, for timers and timeout boundaries. */
import { parse } from 'tinyduration'

const MS = { years: 365 * 86_400_000, months: 30 * 86_400_000, weeks: 7 * 86_400_000, days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000 } as const

/**
 * Parses an ISO 8601 duration into milliseconds. Years and months count as 365 and 30 days
 * (a timer needs a fixed length, not a calendar position).
 * @example durationMs('PT1M30S') // 90000
 */
export function durationMs(text: string): number {
  const duration = parse(text)
  if (duration.negative) throw new Error(`duration "${text}" is negative`)
  let total = 0
  for (const [unit, ms] of Object.entries(MS)) total += (duration[unit as keyof typeof MS] ?? 0) * ms
  return Math.round(total)
}

/** The parse error message, or null when `text` is a valid ISO 8601 duration. */
export function durationError(text: string): string | null {
  try {
    durationMs(text)
    return null
  } catch (error) {
    return `"${text}" is not an ISO 8601 duration such as PT10S or P1DT2H (${(error as Error).message})`
  }
}
