/**
 * The one place an error becomes an HTTP answer (docs/server.md): every error everywhere answers
 * `{ "error": { "code", "message", "processId"?, "details"? } }` with a fitting status, and
 * never a stack trace. Errors that are not `PotokError`s (bugs, h3's own 404/400) are mapped
 * here too; an unexpected error's message is not sent, only logged by the caller.
 *
 * @example
 * return errorResponse(new PotokError('NOT_FOUND', 'no such scenario')) // 404: the code's status (runtime/error-codes.ts)
 */
import { HTTPError } from 'h3'
import { FastResponse } from 'srvx'
import { type ErrorCode, PotokError } from '../runtime/index.ts'

export interface ErrorBody {
  error: { code: string; message: string; processId?: string; details?: Record<string, unknown> }
}

export interface ErrorAnswerOptions {
  processId?: string
  headers?: Record<string, string>
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  431: 'HEADERS_TOO_LARGE',
  500: 'INTERNAL_ERROR',
  501: 'NOT_IMPLEMENTED',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'TIMEOUT',
}

/**
 * Any thrown value as a `PotokError` fit for a caller: PotokErrors pass; h3 HTTP errors keep
 * their status; anything else is an `INTERNAL_ERROR` whose message is not revealed.
 */
export function toCallerError(value: unknown): PotokError {
  if (value instanceof PotokError) return value
  const cause = (value as { cause?: unknown } | null)?.cause
  if (cause instanceof PotokError) return cause
  if (HTTPError.isError(value) && !value.unhandled) {
    const status = value.status >= 400 && value.status <= 599 ? value.status : 500
    const code = STATUS_CODES[status] ?? (status < 500 ? 'BAD_REQUEST' : 'INTERNAL_ERROR')
    // h3's own status is relayed: one outside the table above keeps it under the nearest code.
    return new PotokError(code, value.message || code.toLowerCase().replace(/_/g, ' '), { status })
  }
  const status = (value as { status?: unknown } | null)?.status
  if (status === 413) return new PotokError('PAYLOAD_TOO_LARGE', 'the request body is over the size limit')
  return new PotokError('INTERNAL_ERROR', 'internal server error')
}

/** The error body every error answers with (docs/server.md, Errors). */
export function errorBody(error: PotokError, processId?: string): ErrorBody {
  return { error: { code: error.code, message: error.message, ...(processId ? { processId } : {}), ...(error.details ? { details: error.details } : {}) } }
}

/** The HTTP answer for an error: the standard error body, the error's status, `X-Process-Id` when there is a process. */
export function errorResponse(value: unknown, options: ErrorAnswerOptions = {}): Response {
  const error = toCallerError(value)
  const status = error.status >= 400 && error.status <= 599 ? error.status : 500
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...options.headers }
  if (options.processId) headers['x-process-id'] = options.processId
  const retryAfter = error.details?.retryAfter
  if (typeof retryAfter === 'number' && (status === 429 || status === 503)) headers['retry-after'] = String(retryAfter)
  // A refused upload may still be streaming in: close the connection instead of reading it all.
  if (status === 413) headers.connection = 'close'
  return new FastResponse(JSON.stringify(errorBody(error, options.processId)), { status, headers })
}

/** Shorthand for the common client errors. */
export const httpErrors = {
  notFound: (message: string, details?: Record<string, unknown>) => new PotokError('NOT_FOUND', message, { details }),
  badRequest: (code: ErrorCode, message: string, details?: Record<string, unknown>) => new PotokError(code, message, { details }),
  conflict: (message: string, details?: Record<string, unknown>) => new PotokError('CONFLICT', message, { details }),
  invalid: (message: string, problems: Array<{ path: string; message: string }>) => new PotokError('VALIDATION_FAILED', message, { details: { problems } }),
}
