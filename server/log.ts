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

/** A JSON logger to stdout; `destination` (a file descriptor or stream) for tests and benches. */
export function createLogger(level: LogLevel = 'info', destination?: NodeJS.WritableStream | number): Logger {
  const options = {
    level,
    base: { service: 'potok' },
    // Belt and braces: these never reach a log call, but if one ever did, it is cut out.
    redact: { paths: ['authorization', 'headers', 'body', 'input', 'output', 'password', 'token', 'secret', '*.authorization', '*.password', '*.token', '*.secret'], censor: '[redacted]' },
  }
  if (destination === undefined) return pino(options)
  return pino(options, typeof destination === 'number' ? pino.destination(destination) : destination)
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
  if (entry.status >= 500) logger.warn(entry, 'request')
  else logger.info(entry, 'request')
}
