/**
 * Sends an outbound request with Node's `fetch` and reads the whole answer, bounded in time
 * (`timeoutMs` covers connecting, the headers and the body) and in size (counted while the body
 * streams in, after decompression). Every failure is a `PotokError` a boundary can branch on:
 * `HTTP_TIMEOUT`, `HTTP_TOO_LARGE`, `HTTP_NETWORK`, `HTTP_FORBIDDEN_DESTINATION` (with
 * WEBREQUEST_DENY_PRIVATE), or `ABORTED` when the process stopped it.
 */
import { PotokError } from '../../runtime/errors.ts'
import { runtimeLimits } from '../../runtime/limits.ts'
import { checkDestination, denyPrivate } from './destination.ts'
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

/** WEBREQUEST_MAX_RESPONSE_BYTES, from the runtime limits. */
export function maxResponseBytes(): number {
  return runtimeLimits().webRequestMaxResponseBytes
}

export async function send(request: OutboundRequest, options: SendOptions): Promise<InboundResponse> {
  const local = new AbortController()
  const timer = setTimeout(
    () => local.abort(new PotokError('HTTP_TIMEOUT', `${request.describe} got no complete answer within ${options.timeoutMs} ms`, { details: { timeoutMs: options.timeoutMs } })),
    options.timeoutMs,
  )
  const signal = options.signal ? AbortSignal.any([options.signal, local.signal]) : local.signal
  try {
    const response = denyPrivate()
      ? await fetchCheckingEachHop(request, signal)
      : await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal, redirect: 'follow' })
    const bytes = await readBounded(response, options.maxBytes, request.describe)
    return { status: response.status, statusText: response.statusText, headers: response.headers, bytes }
  } catch (error) {
    if (error instanceof PotokError && error.code === 'HTTP_TOO_LARGE') local.abort(error)
    throw failure(error, request, local.signal, options.signal)
  } finally {
    clearTimeout(timer)
  }
}

const MAX_REDIRECTS = 20

/**
 * fetch's own redirect handling, done hop by hop so that every destination is checked: 303 (and
 * 301/302 after a POST) continue as GET without a body, 307/308 keep both, and credentials are
 * not carried to another origin.
 */
async function fetchCheckingEachHop(request: OutboundRequest, signal: AbortSignal): Promise<Response> {
  let url = new URL(request.url)
  let method = request.method
  let body = request.body
  const headers = new Headers(request.headers)
  for (let hop = 0; ; hop++) {
    await checkDestination(url, request.describe)
    const response = await fetch(url, { method, headers, body, signal, redirect: 'manual' })
    const location = response.headers.get('location')
    if (response.status < 300 || response.status > 399 || response.status === 304 || !location) return response
    await response.body?.cancel().catch(() => {})
    if (hop >= MAX_REDIRECTS) throw new PotokError('HTTP_NETWORK', `${request.describe} was redirected more than ${MAX_REDIRECTS} times`)
    const next = new URL(location, url)
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = method === 'HEAD' ? 'HEAD' : 'GET'
      body = undefined
      headers.delete('content-type')
      headers.delete('content-length')
    }
    if (next.origin !== url.origin) {
      headers.delete('authorization')
      headers.delete('cookie')
    }
    url = next
  }
}

async function readBounded(response: Response, maxBytes: number, describe: string): Promise<Uint8Array> {
  const tooLarge = () => new PotokError('HTTP_TOO_LARGE', `${describe} answered with more than ${maxBytes} bytes (WEBREQUEST_MAX_RESPONSE_BYTES)`, { details: { limit: maxBytes } })
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
  return new PotokError('HTTP_NETWORK', `${request.describe} failed: ${reason}`, { details: cause?.code ? { cause: cause.code } : undefined })
}
