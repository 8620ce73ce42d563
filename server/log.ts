/**
 * Structured logs (pino). What potok logs about a request: method, path without the query
 * string, status, duration, external request and process id — never headers, query strings,
 * bodies or secrets (they may carry tokens or personal data).
 *
 * @example
 * const logger = createLogger('info')
 * logger.info({ method: 'POST', path: '/api/webrequest/greet', status: 201, ms: 1.2 }, 'request')
 */
import { pino, type Logger as PinoLogger } from 'pino'

export type Logger = PinoLogger
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/**
 * Request lines go through a twin of each logger made here, on the same destination, without the
 * redaction: their fields are fixed (RequestLog) and carry nothing to redact, and pino's redaction
 * allocated ≈ 11 KB per line (a fifth of what the main thread allocates for a request).
 */
const requestLoggers = new WeakMap<Logger, Logger>()

/** A JSON logger to stdout; `destination` (a file descriptor or stream) for tests and benches. */
export function createLogger(level: LogLevel = 'info', destination?: NodeJS.WritableStream | number): Logger {
  const options = { level, base: { service: 'potok' } }
  const redacting = {
    ...options,
    // Belt and braces: these never reach a log call, but if one ever did, it is cut out.
    redact: { paths: ['authorization', 'headers', 'body', 'input', 'output', 'password', 'token', 'secret', '*.authorization', '*.password', '*.token', '*.secret'], censor: '[redacted]' },
  }
  const logger = destination === undefined ? pino(redacting) : pino(redacting, typeof destination === 'number' ? pino.destination(destination) : destination)
  // The twin writes to the stream pino chose (stdout by default).
  requestLoggers.set(logger, pino(options, (logger as unknown as Record<symbol, NodeJS.WritableStream>)[pino.symbols.streamSym]))
  return logger
}

export interface RequestLog {
  method: string
  path: string
  status: number
  ms: number
  urlId?: string
  processId?: string
}

/** One line per answered request, at `info` (errors of the server itself at `error`). */
export function logRequest(logger: Logger, entry: RequestLog): void {
  const line: RequestLog = { method: entry.method, path: entry.path, status: entry.status, ms: entry.ms }
  if (entry.urlId !== undefined) line.urlId = entry.urlId
  if (entry.processId !== undefined) line.processId = entry.processId
  const target = requestLoggers.get(logger) ?? logger
  if (entry.status >= 500) target.warn(line, 'request')
  else target.info(line, 'request')
}
