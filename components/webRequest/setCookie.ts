/**
 * One `Set-Cookie` header line as data: `{ name, value, …attributes }`. Known attributes get
 * camel-case names and typed values (`maxAge` a number, flags `true`); others keep their
 * lower-case name. `expires` stays the text the server sent.
 *
 * @example
 * parseSetCookie('sid=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax')
 * // { name: 'sid', value: 'abc', path: '/', maxAge: 60, httpOnly: true, sameSite: 'Lax' }
 */
export interface SetCookie {
  name: string
  value: string
  expires?: string
  maxAge?: number
  domain?: string
  path?: string
  secure?: boolean
  httpOnly?: boolean
  sameSite?: string
  partitioned?: boolean
  [attribute: string]: unknown
}

const KNOWN: Record<string, string> = {
  expires: 'expires',
  'max-age': 'maxAge',
  domain: 'domain',
  path: 'path',
  secure: 'secure',
  httponly: 'httpOnly',
  samesite: 'sameSite',
  partitioned: 'partitioned',
  priority: 'priority',
}

export function parseSetCookie(line: string): SetCookie {
  const [pair = '', ...attributes] = line.split(';')
  const eq = pair.indexOf('=')
  // RFC 6265 §5.2: a pair without "=" is a cookie with an empty name.
  const name = eq < 0 ? '' : pair.slice(0, eq).trim()
  const raw = (eq < 0 ? pair : pair.slice(eq + 1)).trim()
  const cookie: SetCookie = { name, value: raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw }
  for (const attribute of attributes) {
    const at = attribute.indexOf('=')
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase()
    if (!key || key === 'name' || key === 'value') continue
    const text = at < 0 ? undefined : attribute.slice(at + 1).trim()
    const field = KNOWN[key] ?? key
    if (field === 'maxAge') {
      const seconds = Number(text)
      if (text !== undefined && /^-?\d+$/.test(text) && Number.isSafeInteger(seconds)) cookie.maxAge = seconds
    } else {
      cookie[field] = text ?? true
    }
  }
  return cookie
}
