/**
 * Turns an inbound answer into variables: headers as an object with lower-case keys
 * (`set-cookie` parsed into a list, and `cookies` keyed by name as Bpium gives them), the body as JSON, text or a binary value.
 */
import { toBinary } from '../../runtime/binary.ts'
import { PotokError } from '../../runtime/errors.ts'
import type { InboundResponse } from './send.ts'
import { parseSetCookie } from './setCookie.ts'

export type ResponseFormat = 'auto' | 'json' | 'text' | 'binary'

/**
 * @example responseHeaders(new Headers({ 'Content-Type': 'text/plain' })) // { 'content-type': 'text/plain' }
 */
export function responseHeaders(headers: Headers): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') result[name] = value
  })
  const cookies = headers.getSetCookie().map(parseSetCookie)
  if (cookies.length) {
    result['set-cookie'] = cookies
    // Bpium's shape as well: `headers.cookies.sid.value` (a later cookie of the same name wins).
    result.cookies = Object.fromEntries(cookies.map((cookie) => [cookie.name, cookie]))
  }
  return result
}

/**
 * The body in `format`. `auto` goes by Content-Type: JSON types are parsed (text if the body is
 * not JSON after all), text and XML types are decoded, no type gives text when the bytes are
 * UTF-8; everything else is a binary value. An empty body is `null` (`''` for `text`).
 */
export function decodeBody(response: InboundResponse, format: ResponseFormat, describe: string): unknown {
  const contentType = response.headers.get('content-type')
  const { bytes } = response
  if (format === 'binary') return toBinary(bytes, contentType ?? undefined)
  if (bytes.byteLength === 0) return format === 'text' ? '' : null
  const kind = format === 'auto' ? kindOf(contentType, bytes) : format
  if (kind === 'binary') return toBinary(bytes, contentType ?? undefined)
  const text = decodeText(bytes, contentType)
  if (kind === 'text') return text
  try {
    return JSON.parse(text)
  } catch {
    if (format === 'auto') return text
    throw new PotokError('HTTP_INVALID_JSON', `${describe} answered with a body that is not JSON`, { details: { status: response.status } })
  }
}

/** The start of a body as text, for error messages. */
export function bodyExcerpt(response: InboundResponse, max = 200): string {
  const kind = kindOf(response.headers.get('content-type'), response.bytes)
  if (kind === 'binary' || response.bytes.byteLength === 0) return ''
  const text = decodeText(response.bytes, response.headers.get('content-type')).replace(/\s+/g, ' ').trim()
  return text.length > max ? `${text.slice(0, max)}…` : text
}

function kindOf(contentType: string | null, bytes: Uint8Array): 'json' | 'text' | 'binary' {
  const type = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase()
  if (!type) return isUtf8(bytes) ? 'text' : 'binary'
  if (type === 'application/json' || type.endsWith('+json') || type === 'text/json') return 'json'
  if (type.startsWith('text/') || type.endsWith('/xml') || type.endsWith('+xml') || type === 'application/javascript' || type === 'application/x-www-form-urlencoded') return 'text'
  return 'binary'
}

function decodeText(bytes: Uint8Array, contentType: string | null): string {
  const charset = /;\s*charset="?([^";\s]+)/i.exec(contentType ?? '')?.[1] ?? 'utf-8'
  try {
    return new TextDecoder(charset).decode(bytes)
  } catch {
    return new TextDecoder('utf-8').decode(bytes)
  }
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}
