/**
 * A per-client limit on wrong credentials (a request that sends none is not counted) (AUTH_FAILURE_LIMIT per AUTH_FAILURE_WINDOW_MS), on
 * the protected external requests and the management API: once a client (its address, from
 * X-Forwarded-For only with TRUST_PROXY) has failed that many times in the window, it gets 429
 * `TOO_MANY_AUTH_FAILURES` with `Retry-After` — without its credentials being checked — until
 * the window ends. Counted in this server's memory.
 *
 * @example
 * failures.check(clientOf(request))           // 429 while blocked
 * failures.fail(clientOf(request))            // after a 401
 */
import { clock, PotokError } from '../runtime/index.ts'

/** Most clients tracked at once; the oldest windows are swept beyond it. */
const MAX_CLIENTS = 100_000

export class AuthFailures {
  readonly #windows = new Map<string, { start: number; count: number }>()

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Throws 429 when `client` used up its failures in the current window. */
  check(client: string, now = clock.now()): void {
    const window = this.#current(client, now)
    if (!window || window.count < this.limit) return
    const retryAfter = Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000))
    throw new PotokError('TOO_MANY_AUTH_FAILURES', `more than ${this.limit} requests with wrong credentials from this client; try again in ${retryAfter} s`, { details: { retryAfter } })
  }

  /** Counts one wrong credential from `client`. */
  fail(client: string, now = clock.now()): void {
    let window = this.#current(client, now)
    if (!window) {
      if (this.#windows.size >= MAX_CLIENTS) this.#sweep(now)
      window = { start: now, count: 0 }
      this.#windows.set(client, window)
    }
    window.count++
  }

  #current(client: string, now: number) {
    const window = this.#windows.get(client)
    if (window && now - window.start >= this.windowMs) {
      this.#windows.delete(client)
      return undefined
    }
    return window
  }

  #sweep(now: number): void {
    for (const [client, window] of this.#windows) if (now - window.start >= this.windowMs) this.#windows.delete(client)
    // Still full (a flood of addresses): forget the oldest half rather than grow without bound.
    if (this.#windows.size >= MAX_CLIENTS) {
      let drop = this.#windows.size / 2
      for (const client of this.#windows.keys()) {
        if (drop-- <= 0) break
        this.#windows.delete(client)
      }
    }
  }
}

/** The client's address as the server sees it (srvx honours TRUST_PROXY). */
export function clientOf(request: Request): string {
  return (request as { ip?: string }).ip ?? 'unknown'
}
