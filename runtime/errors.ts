/**
 * Errors are values with a code. Everything potok reports — a failed process, a refused
 * request, an invalid scenario — is a `PotokError`; its HTTP status comes from its code
 * (`error-codes.ts`), and `server/errors.ts` is the one place that turns it into an HTTP
 * answer (docs/errors.md).
 *
 * @example
 * throw new PotokError('UNDEFINED_VARIABLE', 'Variable "x" is not defined', { details: { name: 'x' } })
 */
import { type ErrorCode, statusOf } from './error-codes.ts'

export interface PotokErrorOptions {
  /**
   * Only to pass on a status that is someone else's answer: a failed process's (500, or 504
   * when it ran out of time), a foreign error's, or that of a code the catalogue marks
   * `relayed`. Every other error takes its code's status (a test keeps throw sites to that).
   */
  status?: number
  /** Machine-readable extra data (JSON). Never secrets. */
  details?: Record<string, unknown>
  /** Node of the scenario where it happened. */
  nodeId?: string
  cause?: unknown
}

export class PotokError extends Error {
  readonly code: ErrorCode | (string & {})
  readonly status: number
  readonly details?: Record<string, unknown>
  nodeId?: string

  constructor(code: ErrorCode | (string & {}), message: string, options: PotokErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'PotokError'
    this.code = code
    this.status = options.status ?? statusOf(code)
    this.details = options.details
    this.nodeId = options.nodeId
  }

  /** The JSON form stored with processes and sent in error bodies (no stack). */
  toJSON(): { code: string; message: string; nodeId?: string; details?: Record<string, unknown> } {
    return { code: this.code, message: this.message, ...(this.nodeId ? { nodeId: this.nodeId } : {}), ...(this.details ? { details: this.details } : {}) }
  }
}

export function isPotokError(value: unknown): value is PotokError {
  return value instanceof PotokError
}

/** Any thrown value as a PotokError; unknown errors keep only their message. */
export function toPotokError(value: unknown, fallbackCode: ErrorCode = 'ACTIVITY_ERROR'): PotokError {
  if (value instanceof PotokError) return value
  if (value && typeof value === 'object' && typeof (value as { code?: unknown }).code === 'string' && /^[A-Z][A-Z0-9_]*$/.test((value as { code: string }).code)) {
    // A foreign error's code is not potok's failure of that name: it answers 500, as any.
    return new PotokError((value as { code: string }).code, messageOf(value), { status: 500 })
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
