/**
 * The answer of a synchronous process, built from its output variables (docs/server.md):
 * `$status` (100–599, default 200), `$headers` (strings or arrays of strings; framing headers
 * are the server's and ignored), `$body` (object/array/number/boolean → JSON, string → text,
 * binary value → bytes, absent/null → empty). A wrong-typed variable is an `INVALID_OUTPUT`
 * error naming it.
 *
 * @example
 * const answer = toHttpResponse({ $status: 201, $body: { ok: true } }, { method: 'POST', processId })
 * answer.response.status // 201, content-type application/json; charset=utf-8, X-Process-Id set
 */
import { FastResponse } from 'srvx'
import { binaryBytes, isBinary, PotokError, type Variables } from '../runtime/index.ts'
import type { StoredResponse } from '../store/port.ts'

/** Headers the server owns (framing, hop-by-hop): values set in `$headers` are ignored. */
export const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer'])

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Field values: visible characters, spaces and tabs; no CR/LF (header injection) or NUL.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/

export interface HttpAnswer {
  response: Response
  /** What the caller got, as stored with the process (the `response` of docs/processes.md). */
  stored: StoredResponse
}

export interface ResponseOptions {
  method: string
  processId: string
  /** Headers added after the scenario's (CORS); they win. */
  extraHeaders?: Record<string, string>
}

/** Builds the HTTP answer from a process's variables; throws `INVALID_OUTPUT` (500) on a wrong type. */
export function toHttpResponse(vars: Readonly<Variables>, options: ResponseOptions): HttpAnswer {
  const status = outputStatus(vars.$status)
  const headers = outputHeaders(vars.$headers)
  const body = vars.$body
  let payload: string | Buffer | null = null
  let contentType: string | undefined
  if (body === undefined || body === null) {
    payload = null
  } else if (typeof body === 'string') {
    payload = body
    contentType = 'text/plain; charset=utf-8'
  } else if (isBinary(body)) {
    payload = binaryBytes(body)
    contentType = body.contentType || 'application/octet-stream'
  } else if (typeof body === 'number' || typeof body === 'boolean' || typeof body === 'object') {
    if (typeof body === 'number' && !Number.isFinite(body)) throw invalid('$body', `is ${body}, which JSON cannot carry`)
    payload = JSON.stringify(body)
    contentType = 'application/json; charset=utf-8'
  } else {
    throw invalid('$body', `must be an object, array, number, boolean, string or binary value, not ${typeof body}`)
  }
  const responseHeaders = new Headers()
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item)
    else responseHeaders.set(name, value)
  }
  if (contentType && !responseHeaders.has('content-type')) responseHeaders.set('content-type', contentType)
  mergeHeaders(responseHeaders, options.extraHeaders)
  responseHeaders.set('x-process-id', options.processId)
  const noBody = options.method === 'HEAD' || status === 204 || status === 304
  return {
    response: new FastResponse(noBody ? null : (payload as BodyInit | null), { status, headers: responseHeaders }),
    stored: { status, headers: storedHeaders(responseHeaders), ...(body === undefined || body === null ? {} : { body }) },
  }
}

function outputStatus(value: unknown): number {
  if (value === undefined || value === null) return 200
  const status = typeof value === 'string' && /^\d{3}$/.test(value.trim()) ? Number(value) : value
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    throw invalid('$status', `must be an integer from 100 to 599, got ${describe(value)}`)
  }
  // 1xx are interim answers in HTTP: sent as the final one, the caller would wait forever.
  if (status < 200) throw invalid('$status', `is ${status}, an informational (1xx) status, which cannot be the final answer; use 200–599`)
  return status
}

function outputHeaders(value: unknown): Record<string, string | string[]> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value) || isBinary(value)) {
    throw invalid('$headers', `must be an object of header names to strings, got ${describe(value)}`)
  }
  const out: Record<string, string | string[]> = {}
  for (const [name, raw] of Object.entries(value)) {
    if (!TOKEN.test(name)) throw invalid(`$headers`, `has an invalid header name ${JSON.stringify(name)}`)
    if (FRAMING_HEADERS.has(name.toLowerCase()) || raw === undefined || raw === null) continue
    const values = Array.isArray(raw) ? raw : [raw]
    const strings = values.map((item, index) => {
      const where = Array.isArray(raw) ? `$headers.${name}[${index}]` : `$headers.${name}`
      if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
        throw invalid(where, `must be a string (or an array of strings), got ${describe(item)}`)
      }
      const text = String(item)
      if (!FIELD_VALUE.test(text)) throw invalid(where, 'contains characters not allowed in a header value (such as a line break)')
      return text
    })
    out[name] = Array.isArray(raw) ? strings : strings[0]
  }
  return out
}

/** Adds `extra` over `headers`: list headers (Vary, Expose-Headers) are appended, others replaced. */
function mergeHeaders(headers: Headers, extra: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(extra ?? {})) {
    if (name === 'vary' || name === 'access-control-expose-headers') headers.append(name, value)
    else headers.set(name, value)
  }
}

function storedHeaders(headers: Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value
  })
  const cookies = headers.getSetCookie()
  if (cookies.length) out['set-cookie'] = cookies
  return out
}

function invalid(variable: string, problem: string): PotokError {
  return new PotokError('INVALID_OUTPUT', `output variable ${variable} ${problem}`, { details: { variable } })
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

/** Rebuilds a stored answer (idempotent replay). */
export function storedToResponse(stored: StoredResponse, method: string, extraHeaders: Record<string, string> = {}): Response {
  const headers = new Headers()
  for (const [name, value] of Object.entries(stored.headers ?? {})) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else headers.set(name, value)
  }
  mergeHeaders(headers, extraHeaders)
  const body = stored.body
  let payload: string | Buffer | null = null
  if (body === undefined || body === null) payload = null
  else if (typeof body === 'string') payload = body
  else if (isBinary(body)) payload = binaryBytes(body)
  else payload = JSON.stringify(body)
  const noBody = method === 'HEAD' || stored.status === 204 || stored.status === 304 || stored.status < 200
  return new FastResponse(noBody ? null : (payload as BodyInit | null), { status: stored.status, headers })
}
