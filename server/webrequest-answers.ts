/**
 * What the endpoint answers and keeps (`webrequest.ts`, `webrequest-sync.ts`): the request in
 * flight (`Call`), answers built from variables or errors, the answer kept for idempotent
 * repeats, and store writes that fall back to background retries.
 */
import type { H3Event } from 'h3'
import { FastResponse } from 'srvx'
import { PotokError, type Variables } from '../runtime/index.ts'
import type { ScenarioRecord, StoredResponse, WebRequestRecord } from '../store/port.ts'
import type { ServerContext } from './context.ts'
import { errorBody, errorResponse, toCallerError } from './errors.ts'
import { toHttpResponse, type HttpAnswer } from './response.ts'

/** What one request carries through the steps of the endpoint. */
export interface Call {
  event: H3Event
  request: Request
  webRequest: WebRequestRecord
  scenario: ScenarioRecord
  /** CORS headers for every answer (empty without a `cors` setting). */
  extra: Record<string, string>
  processId: string
  input: Variables
  /** `<webRequestId>:<key>` when the answer is to be kept for idempotent repeats. */
  idempotencyKey?: string
}

export type Answer = HttpAnswer | { error: PotokError; stored: StoredResponse }

/** 202 with an empty body and `X-Process-Id`. */
export function accepted(processId: string, extra: Record<string, string>): Response {
  return new FastResponse(null, { status: 202, headers: { ...extra, 'x-process-id': processId, 'content-length': '0' } })
}

/** The answer built from variables (end of process, or `respond`). */
export function buildAnswer(vars: Readonly<Variables>, call: Call): Answer {
  try {
    return toHttpResponse(vars, { method: call.request.method, processId: call.processId, extraHeaders: call.extra })
  } catch (error) {
    const failure = toCallerError(error)
    return { error: failure, stored: storedError(failure, call.processId) }
  }
}

export function storedError(error: PotokError, processId: string): StoredResponse {
  return { status: error.status, headers: { 'content-type': 'application/json; charset=utf-8', 'x-process-id': processId }, body: errorBody(error, processId) }
}

export function errorAnswer(error: PotokError, call: Call): Response {
  return errorResponse(error, { processId: call.processId, headers: call.extra })
}

/** Keeps the caller's answer for idempotent repeats (now, or after the answer). */
export function keepAnswer(ctx: ServerContext, call: Call, stored: StoredResponse, now = false): Promise<void> | undefined {
  const key = call.idempotencyKey
  if (!key) return undefined
  // The caller's credentials, wherever the answer copied them, are not kept for repeats either.
  const redacted = ctx.redactor.redact(stored, call.processId)
  const write = () => ctx.store.setIdempotencyResponse(key, redacted)
  if (now) return storeOrRetry(ctx, `idempotency ${key}`, write).then(() => undefined)
  ctx.writes.later(`idempotency ${key}`, write)
  return undefined
}

/**
 * Writes now; when the store fails, hands the write to the background retries instead and
 * returns the caller's error (a 503, or 507 when the disk is full).
 */
export async function storeOrRetry(ctx: ServerContext, what: string, write: () => Promise<void>): Promise<PotokError | undefined> {
  try {
    await write()
    return undefined
  } catch (error) {
    ctx.logger.warn({ err: { message: (error as Error)?.message }, what }, 'store write failed; retrying in the background')
    ctx.writes.later(what, write)
    return unstored(error)
  }
}

/** The caller's error when its process could not be recorded. */
export function unstored(error: unknown): PotokError {
  const cause = toCallerError(error)
  if (cause.status === 507 || cause.status === 503) return cause
  return new PotokError('STORE_UNAVAILABLE', 'the process could not be recorded; try again later', { details: { retryAfter: 5 } })
}
