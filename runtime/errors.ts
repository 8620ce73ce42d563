/**
 * Errors are values with a code. Everything potok reports — a failed process, a refused
 * request, an invalid scenario — is a `PotokError`; `server/errors.ts` is the one place that
 * turns it into an HTTP answer (docs/server.md).
 *
 * @example
 * throw new PotokError('UNDEFINED_VARIABLE', 'Variable "x" is not defined', { details: { name: 'x' } })
 */
export type ErrorCode =
  | 'EXPRESSION_ERROR'
  | 'UNDEFINED_VARIABLE'
  | 'NO_BRANCH_MATCHED'
  | 'STEP_LIMIT'
  | 'DATA_LIMIT'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'CANCELLED'
  | 'INVALID_SCENARIO'
  | 'ACTIVITY_ERROR'
  | (string & {})

export interface PotokErrorOptions {
  /** HTTP status this error maps to when it reaches a caller (default 500). */
  status?: number
  /** Machine-readable extra data (JSON). Never secrets. */
  details?: Record<string, unknown>
  /** Node of the scenario where it happened. */
  nodeId?: string
  cause?: unknown
}

export class PotokError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly details?: Record<string, unknown>
  nodeId?: string

  constructor(code: ErrorCode, message: string, options: PotokErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'PotokError'
    this.code = code
    this.status = options.status ?? 500
    this.details = options.details
    this.nodeId = options.nodeId
  }

  /** The JSON form stored with processes and sent in error bodies (no stack). */
  toJSON(): { code: string; message: string; nodeId?: string; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.nodeId ? { nodeId: this.nodeId } : {}),
      ...(this.details ? { details: this.details } : {}),
    }
  }
}

export function isPotokError(value: unknown): value is PotokError {
  return value instanceof PotokError
}

/** Any thrown value as a PotokError; unknown errors keep only their message. */
export function toPotokError(value: unknown, fallbackCode: ErrorCode = 'ACTIVITY_ERROR'): PotokError {
  if (value instanceof PotokError) return value
  if (value && typeof value === 'object' && typeof (value as { code?: unknown }).code === 'string'
    && /^[A-Z][A-Z0-9_]*$/.test((value as { code: string }).code)) {
    return new PotokError((value as { code: string }).code, messageOf(value))
  }
  return new PotokError(fallbackCode, messageOf(value))
}

function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message
  if (typeof value === 'string') return value
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
