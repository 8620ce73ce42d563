/**
 * CORS of an external request that carries a `cors` setting (docs/server.md): potok answers
 * preflights itself — for every method, without auth and without a process — and adds the
 * CORS headers to every answer. Without the setting, OPTIONS is an ordinary request that runs
 * the scenario, whose `$headers` may answer the preflight (Bpium's way).
 *
 * @example
 * if (isPreflightRequest(request)) return preflightResponse(webRequest.cors, request)
 * const extra = corsHeaders(webRequest.cors, request)   // merged into the process's answer
 */
import { FastResponse } from 'srvx'
import type { WebRequestRecord } from '../store/port.ts'

export type CorsSetting = NonNullable<WebRequestRecord['cors']>

/** Headers a browser script may read on potok's answers. */
const EXPOSED = 'X-Process-Id, Retry-After'

/** A CORS preflight: OPTIONS with `Origin` and `Access-Control-Request-Method`. */
export function isPreflightRequest(request: Request): boolean {
  return request.method === 'OPTIONS' && request.headers.has('origin') && request.headers.has('access-control-request-method')
}

/** The `Access-Control-Allow-Origin` value for `origin`, or null when it is not allowed. */
export function allowedOrigin(cors: CorsSetting, origin: string | null): string | null {
  if (!origin) return null
  const any = cors.origins === '*' || cors.origins.includes('*')
  // Never reflected: with credentials that would let every site (and `null`) read answers sent
  // with the caller's cookies. Validation refuses "*" with credentials; older records get "*".
  if (any) return '*'
  const wanted = origin.toLowerCase()
  return (cors.origins as string[]).some((allowed) => allowed.toLowerCase() === wanted) ? origin : null
}

/** potok's answer to a preflight: 204, with the allow headers when the origin is allowed. */
export function preflightResponse(cors: CorsSetting, request: Request): Response {
  const headers: Record<string, string> = { vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' }
  const origin = allowedOrigin(cors, request.headers.get('origin'))
  if (origin) {
    headers['access-control-allow-origin'] = origin
    headers['access-control-allow-methods'] = cors.methods?.length ? cors.methods.map((m) => m.toUpperCase()).join(', ') : request.headers.get('access-control-request-method')!.toUpperCase()
    const requested = request.headers.get('access-control-request-headers')
    const allowHeaders = cors.headers?.length ? cors.headers.join(', ') : requested
    if (allowHeaders) headers['access-control-allow-headers'] = allowHeaders
    if (cors.credentials && origin !== '*') headers['access-control-allow-credentials'] = 'true'
    if (cors.maxAge !== undefined) headers['access-control-max-age'] = String(cors.maxAge)
  }
  return new FastResponse(null, { status: 204, headers })
}

/** Headers added to every (non-preflight) answer of an external request with `cors`. */
export function corsHeaders(cors: CorsSetting | undefined, request: Request): Record<string, string> {
  if (!cors) return {}
  const origin = allowedOrigin(cors, request.headers.get('origin'))
  if (!origin) return origin === null && cors.origins !== '*' ? { vary: 'Origin' } : {}
  return {
    'access-control-allow-origin': origin,
    ...(cors.credentials && origin !== '*' ? { 'access-control-allow-credentials': 'true' } : {}),
    'access-control-expose-headers': EXPOSED,
    ...(origin !== '*' ? { vary: 'Origin' } : {}),
  }
}
