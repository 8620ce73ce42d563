/**
 * Sends an outbound request with Node's `fetch` and reads the whole answer, bounded in time
 * (`timeoutMs` covers connecting, the headers and the body) and in size (counted while the body
 * streams in, after decompression). Every failure is a `PotokError` a boundary can branch on:
 * `HTTP_TIMEOUT`, `HTTP_TOO_LARGE`, `HTTP_NETWORK`, or `ABORTED` when the process stopped it.
 */
import { PotokError } from '../../runtime/errors.ts'
import type { OutboundRequest } from './request.ts'

export interface SendOptions {
  timeoutMs: number
  maxBytes: number
  /** The process's signal; absent for fire-and-forget requests, which outlive their node. */
  signal?: AbortSignal
}

export interface InboundResponse {
  status: number
  statusText: string
  headers: Headers
  bytes: Uint8Array
}

export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024

/** WEBREQUEST_MAX_RESPONSE_BYTES, read on every request so tests and operators can change it. */
export function maxResponseBytes(): number {
  const value = Number(process.env.WEBREQUEST_MAX_RESPONSE_BYTES)
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_MAX_RESPONSE_BYTES
}

export async function send(request: OutboundRequest, options: SendOptions): Promise<InboundResponse> {
  const local = new AbortController()
  const timer = setTimeout(() => local.abort(new PotokError('HTTP_TIMEOUT',
    `${request.describe} got no complete answer within ${options.timeoutMs} ms`, { details: { timeoutMs: options.timeoutMs } })), options.timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, local.signal]) : local.signal
  try {
    const response = await fetch(request.url, {
      method: request.method, headers: request.headers, body: request.body, signal, redirect: 'follow',
    })
    const bytes = await readBounded(response, options.maxBytes, request.describe)
    return { status: response.status, statusText: response.statusText, headers: response.headers, bytes }
  } catch (error) {
    if (error instanceof PotokError && error.code === 'HTTP_TOO_LARGE') local.abort(error)
    throw failure(error, request, local.signal, options.signal)
  } finally {
    clearTimeout(timer)
  }
}

async function readBounded(response: Response, maxBytes: number, describe: string): Promise<Uint8Array> {
  const tooLarge = () => new PotokError('HTTP_TOO_LARGE',
    `${describe} answered with more than ${maxBytes} bytes (WEBREQUEST_MAX_RESPONSE_BYTES)`, { details: { limit: maxBytes } })
  const declared = Number(response.headers.get('content-length'))
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {})
    throw tooLarge()
  }
  if (!response.body) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let total = 0
  // Leaving the loop early (throw) cancels the stream, which closes the connection.
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength
    if (total > maxBytes) throw tooLarge()
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, total)
}

function failure(error: unknown, request: OutboundRequest, local: AbortSignal, outer?: AbortSignal): PotokError {
  if (outer?.aborted) return new PotokError('ABORTED', `${request.describe} was aborted: the process left the node or stopped`)
  if (local.aborted && local.reason instanceof PotokError) return local.reason
  if (error instanceof PotokError) return error
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause
  const reason = cause?.message ?? (error as Error)?.message ?? String(error)
  return new PotokError('HTTP_NETWORK', `${request.describe} failed: ${reason}`, {
    details: cause?.code ? { cause: cause.code } : undefined,
  })
}
