/**
 * Turns a `webRequest` config and its evaluated expressions into what `fetch` sends: the URL with
 * its query, the headers (auth last, so it wins), the encoded body. Error messages name the
 * part that is wrong, never its value (headers and auth carry secrets).
 */
import { binaryBytes, isBinary } from '../../runtime/binary.ts'
import type { ErrorCode } from '../../runtime/error-codes.ts'
import { PotokError } from '../../runtime/errors.ts'
import type { WebRequestConfig } from '../webRequest.ts'

export interface OutboundRequest {
  url: URL
  method: string
  headers: Headers
  body?: string | Uint8Array<ArrayBuffer>
  /** `METHOD origin/path` for messages: no query string, no credentials. */
  describe: string
}

/** `valueAt('headers.0.value')` is the value of the expression at that config path. */
export type ValueAt = (path: string) => unknown

export function buildRequest(c: WebRequestConfig, valueAt: ValueAt): OutboundRequest {
  const url = absoluteUrl(valueAt('url'))
  c.query?.forEach((param, i) => forEachText(valueAt(`query.${i}.value`), (text) => url.searchParams.append(param.name, text)))
  const describe = `${c.method} ${url.origin}${url.pathname}`

  const headers = new Headers()
  c.headers?.forEach((header, i) =>
    forEachText(valueAt(`headers.${i}.value`), (text) => {
      try {
        headers.append(header.name, text)
      } catch {
        throw invalid(`header "${header.name}" has a value that cannot be sent (line breaks or non-Latin-1 characters)`)
      }
    }),
  )
  const authorization = authorizationHeader(c.auth, valueAt)
  if (authorization) headers.set('authorization', authorization)

  let body: OutboundRequest['body']
  if (c.body) {
    const encoded = encodeBody(c.body, valueAt)
    body = encoded.data
    if (!headers.has('content-type')) headers.set('content-type', encoded.contentType)
  }
  return { url, method: c.method, headers, body, describe }
}

function absoluteUrl(value: unknown): URL {
  let url: URL
  try {
    url = new URL(String(value))
  } catch {
    throw invalid(`url must be an absolute http:// or https:// URL; it evaluated to ${typeof value === 'string' ? 'a string that is not one' : typeof value}`, 'HTTP_INVALID_URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`url must use http or https, not ${url.protocol}`, 'HTTP_INVALID_URL')
  if (url.username || url.password) throw invalid('url carries a user name or password; use auth instead', 'HTTP_INVALID_URL')
  return url
}

function authorizationHeader(auth: WebRequestConfig['auth'], valueAt: ValueAt): string | null {
  // A connection's header is added by the component, which resolves the connection first.
  if (!auth || auth.type === 'none' || 'connection' in auth) return null
  if (auth.type === 'bearer') {
    const token = valueAt('auth.token')
    if (token === null || token === undefined || token === '') throw invalid('auth token is empty')
    return `Bearer ${String(token)}`
  }
  const login = String(valueAt('auth.login') ?? '')
  const password = String(valueAt('auth.password') ?? '')
  if (login.includes(':')) throw invalid('basic auth login must not contain ":"')
  return `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`
}

function encodeBody(body: NonNullable<WebRequestConfig['body']>, valueAt: ValueAt): { data: string | Uint8Array<ArrayBuffer>; contentType: string } {
  const value = body.fields ? Object.fromEntries(body.fields.map((field, i) => [field.name, valueAt(`body.fields.${i}.value`)])) : valueAt('body.value')
  const format = body.format ?? 'form'
  switch (format) {
    case 'json': {
      const json = JSON.stringify(value)
      if (json === undefined) throw invalid('json body value is undefined')
      return { data: json, contentType: 'application/json; charset=utf-8' }
    }
    case 'form': {
      if (typeof value === 'string') return { data: value, contentType: 'application/x-www-form-urlencoded' }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('form body value must be an object of fields (or an encoded string)')
      const form = new URLSearchParams()
      for (const [name, field] of Object.entries(value)) forEachText(field, (text) => form.append(name, text))
      return { data: form.toString(), contentType: 'application/x-www-form-urlencoded' }
    }
    case 'binary':
      if (!isBinary(value)) throw invalid('binary body value must be a binary value ({ $binary, contentType })')
      return { data: new Uint8Array(binaryBytes(value)), contentType: value.contentType ?? 'application/octet-stream' }
    default: {
      if (value === null || value === undefined) throw invalid(`${format} body value is ${value}`)
      const contentType = format === 'xml' ? 'application/xml; charset=utf-8' : 'text/plain; charset=utf-8'
      return { data: typeof value === 'string' ? value : textOf(value), contentType }
    }
  }
}

/** Calls `use` with each value as text: lists give one call per item, null/undefined none. */
function forEachText(value: unknown, use: (text: string) => void): void {
  if (value === null || value === undefined) return
  if (Array.isArray(value)) value.forEach((item) => forEachText(item, use))
  else use(textOf(value))
}

function textOf(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

function invalid(message: string, code: ErrorCode = 'HTTP_INVALID_REQUEST'): PotokError {
  return new PotokError(code, message)
}
