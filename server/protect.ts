/**
 * Protection of an external request (docs/server.md), each optional: `auth` (basic, bearer, hmac —
 * constant-time compares, 401 without a process), `rateLimit` (429 + Retry-After),
 * `idempotency` (a repeated key answers the first process's stored response), and the server's
 * `MAX_CONCURRENT_PROCESSES` (429, no process).
 *
 * @example
 * checkRequestAuth(webRequest.auth, request)          // throws 401 for basic/bearer
 * verifyHmac(webRequest.auth, request, body.hmac)    // after the body streamed through the HMAC
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { clock, PotokError } from '../runtime/index.ts'
import { resolveSecret, type WebRequestAuth } from './catalog.ts'

/** Constant-time string equality (both sides hashed first, so lengths leak nothing either). */
export function safeEqual(given: string | Buffer, expected: string | Buffer): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

function unauthorized(message: string): PotokError {
  return new PotokError('UNAUTHORIZED', message)
}

/** The `WWW-Authenticate` challenge of an auth setting. */
export function challengeOf(auth: WebRequestAuth | undefined): string | undefined {
  if (auth?.type === 'basic') return 'Basic realm="potok", charset="UTF-8"'
  if (auth?.type === 'bearer') return 'Bearer realm="potok"'
  return undefined
}

/** Checks basic and bearer auth from the headers; hmac waits for the body (`verifyHmac`). */
export function checkRequestAuth(auth: WebRequestAuth | undefined, request: Request): void {
  if (!auth || auth.type === 'none' || auth.type === 'hmac') return
  const header = request.headers.get('authorization') ?? ''
  if (auth.type === 'bearer') {
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim()
    const expected = resolveSecret(auth.token)
    if (!token || !safeEqual(token, expected)) throw unauthorized('a valid bearer token is required')
    return
  }
  const encoded = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)?.[1]
  const decoded = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : ''
  const colon = decoded.indexOf(':')
  const username = colon === -1 ? '' : decoded.slice(0, colon)
  const password = colon === -1 ? '' : decoded.slice(colon + 1)
  const expected = resolveSecret(auth.password)
  // Both compares always run, so a wrong user name costs as long as a wrong password.
  const userOk = safeEqual(username, auth.username)
  const passOk = safeEqual(password, expected)
  if (!encoded || !userOk || !passOk) throw unauthorized('valid basic credentials are required')
}

/** The HMAC secret to stream the body through, when the auth is hmac. */
export function hmacSecretOf(auth: WebRequestAuth | undefined): string | undefined {
  return auth?.type === 'hmac' ? resolveSecret(auth.secret) : undefined
}

/** Checks the signature header against the HMAC-SHA256 computed over the raw body. */
export function verifyHmac(auth: WebRequestAuth | undefined, request: Request, digest: Buffer | undefined): void {
  if (auth?.type !== 'hmac' || !digest) return
  let signature = request.headers.get(auth.header)?.trim() ?? ''
  const prefix = auth.prefix ?? ''
  if (prefix && signature.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()) signature = signature.slice(prefix.length)
  else if (prefix) signature = ''
  const expected = digest.toString(auth.encoding === 'base64' ? 'base64' : 'hex')
  const given = auth.encoding === 'base64' ? signature : signature.toLowerCase()
  if (!signature || !safeEqual(given, expected)) throw unauthorized(`a valid HMAC-SHA256 signature of the body is required in ${auth.header}`)
}

/**
 * Fixed-window request counting per external request, in this server's memory (several
 * servers each count their own share).
 */
export class RateLimiter {
  #windows = new Map<string, { start: number; windowMs: number; count: number }>()

  /** Counts one request; throws 429 `RATE_LIMITED` (with `details.retryAfter` seconds) over the limit. */
  take(key: string, limit: { requests: number; windowMs: number }, now = clock.now()): void {
    let window = this.#windows.get(key)
    if (!window || now - window.start >= window.windowMs || window.windowMs !== limit.windowMs) {
      window = { start: now, windowMs: limit.windowMs, count: 0 }
      this.#windows.set(key, window)
      if (this.#windows.size > 10_000) this.#sweep(now)
    }
    if (window.count >= limit.requests) {
      const retryAfter = Math.max(1, Math.ceil((window.start + window.windowMs - now) / 1000))
      throw new PotokError('RATE_LIMITED', `more than ${limit.requests} requests in ${limit.windowMs} ms`, { details: { retryAfter } })
    }
    window.count++
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) if (now - window.start >= window.windowMs) this.#windows.delete(key)
  }
}

/** Counts processes running in this server; `enter` refuses over `max` with 429 `TOO_MANY_PROCESSES`. */
export class ProcessGate {
  running = 0
  /** When the last running process is due to end at the latest (its timeout), as a timestamp. */
  latestDeadline = 0
  readonly #idle = new Set<() => void>()

  constructor(readonly max: number) {}

  enter(): void {
    if (this.running >= this.max) {
      throw new PotokError('TOO_MANY_PROCESSES', `${this.max} processes are running already; try again shortly`, { details: { retryAfter: 1 } })
    }
    this.running++
  }

  /** Notes that a process just entered may run `timeoutMs`. */
  expect(timeoutMs: number): void {
    this.latestDeadline = Math.max(this.latestDeadline, Date.now() + timeoutMs)
  }

  leave(): void {
    this.running--
    if (this.running === 0) for (const resolve of this.#idle) resolve()
  }

  /**
   * Resolves when no process runs (graceful shutdown), or at the latest deadline of the ones
   * running plus `graceMs`, whichever comes first.
   */
  idle(graceMs = 1000): Promise<void> {
    if (this.running === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#idle.delete(done)
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, this.latestDeadline - Date.now()) + graceMs)
      this.#idle.add(done)
    })
  }
}
