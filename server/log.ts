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

/** Lines kept before they are written to stdout, at most (bytes), … */
const STDOUT_BUFFER_BYTES = 4096
/** … and for at most this long (ms). */
const STDOUT_FLUSH_MS = 100
/** pino's number for `warn`: lines at this level and above are written at once, with what waits before them. */
const WARN = 40

/**
 * stdout, written in chunks of about 4 KB or every 100 ms, whichever comes first (and on exit),
 * instead of one write per line: one line per request cost the main thread about 4 µs more and a
 * libuv thread about 4 µs (a write each). A line at `warn` or above goes out at once, and the
 * lines before it with it: what explains a failure is never left waiting.
 *
 * The chunk is gathered here, not by sonic-boom's `minLength`: that measures the whole waiting
 * buffer (`Buffer.byteLength` of a growing string) on every line, about 3 µs a line; gathering
 * costs a string append.
 */
function bufferedStdout(): pino.DestinationStream & { flush(): void } {
  const chunks = new ChunkedLines(pino.destination({ dest: 1, sync: false }))
  setInterval(() => chunks.flush(), STDOUT_FLUSH_MS).unref()
  unflushed.add(chunks)
  if (unflushed.size === 1) process.once('exit', flushAllSync)
  return chunks
}

/** Lines waiting for their chunk, and what they go to. */
class ChunkedLines {
  #waiting = ''
  constructor(private readonly out: ReturnType<typeof pino.destination>) {}

  write(line: string): void {
    this.#waiting += line
    // Characters, not bytes: the chunk's size only needs to be about right.
    if (this.#waiting.length >= STDOUT_BUFFER_BYTES) this.flush()
  }

  /** Hands what waits to the stream, which writes it at once (asynchronously). */
  flush(): void {
    if (this.#waiting === '') return
    const text = this.#waiting
    this.#waiting = ''
    this.out.write(text)
  }

  flushSync(): void {
    this.flush()
    this.out.flushSync()
  }
}

/** Every stdout buffer made (a server makes one), written out synchronously when the process exits. */
const unflushed = new Set<ChunkedLines>()
function flushAllSync(): void {
  for (const chunks of unflushed) {
    try {
      chunks.flushSync()
    } catch {
      // A closed stdout: nothing more can be written.
    }
  }
}

/** A JSON logger to stdout; `destination` (a file descriptor or stream) for tests and benches. */
export function createLogger(level: LogLevel = 'info', destination?: NodeJS.WritableStream | number): Logger {
  // A silent logger writes nothing: no buffer, no timer (tests make many).
  const stdout = destination === undefined && level !== 'silent' ? bufferedStdout() : null
  // Warnings and errors do not wait in the buffer.
  const hooks = stdout
    ? {
        logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...args: unknown[]) => void, level: number) {
          method.apply(this, args)
          if (level >= WARN) stdout.flush()
        },
      }
    : undefined
  const options = { level, base: { service: 'potok' }, ...(hooks ? { hooks } : {}) }
  const redacting = {
    ...options,
    // Belt and braces: these never reach a log call, but if one ever did, it is cut out.
    redact: { paths: ['authorization', 'headers', 'body', 'input', 'output', 'password', 'token', 'secret', '*.authorization', '*.password', '*.token', '*.secret'], censor: '[redacted]' },
  }
  const stream = stdout ?? (destination === undefined ? pino.destination(1) : typeof destination === 'number' ? pino.destination(destination) : destination)
  const logger = pino(redacting, stream)
  // The twin writes to the same stream.
  requestLoggers.set(logger, pino(options, stream))
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
