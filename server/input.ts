/**
 * The input variables of a process started by a web request — exactly the table in docs/server.md, Input variables:
 * `event`, `script`, `user`, `url`, `method`, `headers`, `cookies`, `query`, `body`.
 *
 * @example
 * const input = buildInputVariables({ request, webRequestId: 'greet', scenarioId: 'greet', async: false, userId: null, body })
 * input.query // ?tag=a&tag=b&x=1 → { tag: ['a', 'b'], x: '1' }
 */
import { parseCookies as h3ParseCookies, type H3Event } from 'h3'
import { PotokError, sizeOf, type Variables } from '../runtime/index.ts'

export interface InputSource {
  request: Request
  /** The external request's id (`event.id`). */
  webRequestId: string
  /** The scenario's id (`script.id`). */
  scenarioId: string
  async: boolean
  /** Id of the user the request authenticated as, or null. */
  userId: string | null
  /** The decoded body (see `body.ts`). */
  body: unknown
  /** The request URL, already parsed (h3's `event.url`); parsed from `request.url` otherwise. */
  url?: URL
  /** The management token: a request authenticated with it does not hand it to the scenario. */
  adminToken?: string
}

/** Builds the input variables (docs/server.md). */
export function buildInputVariables(source: InputSource): Variables {
  const { request } = source
  const url = source.url ?? new URL(request.url)
  const headers: Record<string, string> = {}
  request.headers.forEach((value, name) => {
    // Headers joins repeated request headers with ", " already; names come lower-case.
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value
  })
  // The admin token says who called (`user.id`); it is never the scenario's to see or to store.
  if (source.adminToken && headers.authorization?.includes(source.adminToken)) delete headers.authorization
  return {
    event: { id: source.webRequestId, type: '$webRequest', async: source.async },
    script: { id: source.scenarioId },
    user: { id: source.userId },
    url: url.href,
    method: request.method.toUpperCase(),
    headers: Object.fromEntries(Object.entries(headers)),
    cookies: parseCookies(request.headers.get('cookie')),
    query: paramsObject(url.searchParams),
    body: source.body,
  }
}

/** Room for everything but the body in the input variables: headers (Node caps them at 16 KiB), URL, query. */
const BESIDE_BODY_BYTES = 256 * 1024

/**
 * Refuses (413, before any process exists) input variables the process could never hold:
 * over MAX_PROCESS_DATA_BYTES it would only fail with DATA_LIMIT, after being stored. Measured
 * only when the body is big enough to matter: as JSON a decoded body takes at most 6 characters
 * per byte (a control character in a text body becomes `\u0001`), usually about its size.
 */
export function assertInputFits(input: Variables, bodyBytes: number, maxDataBytes: number): void {
  if (bodyBytes * 6 + BESIDE_BODY_BYTES <= maxDataBytes) return
  const bytes = sizeOf(input)
  if (bytes <= maxDataBytes) return
  throw new PotokError('PAYLOAD_TOO_LARGE', `the request's input variables would take ${bytes} bytes, over the process data limit of ${maxDataBytes} (MAX_PROCESS_DATA_BYTES)`, {
    details: { bytes, limit: maxDataBytes },
  })
}

/**
 * Query or form parameters as an object: a repeated key gives an array of strings, otherwise
 * a string. Built with `Object.fromEntries`, so a key such as `__proto__` is an ordinary
 * property, never the object's prototype.
 */
export function paramsObject(params: URLSearchParams): Record<string, string | string[]> {
  const map = new Map<string, string | string[]>()
  for (const [key, value] of params) {
    const existing = map.get(key)
    if (existing === undefined) map.set(key, value)
    else if (Array.isArray(existing)) existing.push(value)
    else map.set(key, [existing, value])
  }
  return Object.fromEntries(map)
}

/** `Cookie` header → `name → value`; malformed pairs are skipped, never an error. */
export function parseCookies(header: string | null): Record<string, string> {
  if (!header) return {}
  try {
    // h3's parser (first value of a repeated name wins) gives a null-prototype object; copy it.
    const parsed = h3ParseCookies({ req: { headers: new Headers({ cookie: header }) } } as unknown as H3Event)
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<string, string>
  } catch {
    return {}
  }
}
