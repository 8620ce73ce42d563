/**
 * `webRequest`'s `auth: { connection }`: the `Authorization` header from an `http` connection
 * (docs/connections.md) — basic, bearer, or an OAuth2 client-credentials token. Tokens are fetched from the
 * connection's `tokenUrl` (client id and secret in HTTP Basic, RFC 6749 §4.4), cached per
 * connection until shortly before they expire, and shared by concurrent requests; `forget`
 * drops one after the API answered 401, so the caller can fetch a new one and retry once.
 * Nothing here writes a secret or a token to a variable, a log or an error message.
 */
import { createHash } from 'node:crypto'
import { PotokError } from '../../runtime/errors.ts'
import type { ConnectionInfo, RuntimeServices } from '../../runtime/types.ts'
import { send } from './send.ts'

/** A token is renewed this long before its `expires_in` runs out (clock skew, request time). */
const EXPIRY_MARGIN_MS = 30_000
const TOKEN_TIMEOUT_MS = 30_000
const TOKEN_MAX_BYTES = 1024 * 1024

interface CachedToken {
  token: Promise<string>
  expiresAt: number
}
const tokens = new Map<string, CachedToken>()

export interface ConnectionAuth {
  header: string
  /** true for OAuth2: a 401 may mean the token was revoked early. */
  renewable: boolean
  /** Drops the cached token (after a 401). */
  forget(): void
}

export async function connectionAuthorization(services: RuntimeServices, id: string, signal: AbortSignal): Promise<ConnectionAuth> {
  if (!services.getConnection) throw new PotokError('CONNECTION_NOT_FOUND', `connection "${id}" cannot be used here: this host has no connections`)
  const connection = await services.getConnection(id)
  if (connection.type !== 'http') throw new PotokError('CONNECTION_TYPE', `connection "${id}" is of type ${connection.type}; webRequest needs an http connection`)
  const scheme = connection.config.scheme
  const secret = (name: string) => {
    const value = connection.secrets[name]
    if (!value) throw new PotokError('CONNECTION_SECRET_MISSING', `connection "${id}" has no ${name}`)
    return value
  }
  if (scheme === 'basic') {
    const user = String(connection.config.username ?? '')
    return fixed(`Basic ${Buffer.from(`${user}:${secret('password')}`, 'utf8').toString('base64')}`)
  }
  if (scheme === 'bearer') return fixed(`Bearer ${secret('token')}`)
  if (scheme === 'oauth2') {
    const key = cacheKey(connection)
    const token = await cachedToken(key, connection, secret('clientSecret'), signal)
    return {
      header: `Bearer ${token}`,
      renewable: true,
      forget: () => {
        tokens.delete(key)
      },
    }
  }
  throw new PotokError('CONNECTION_TYPE', `connection "${id}" has an unknown scheme`)
}

function fixed(header: string): ConnectionAuth {
  return { header, renewable: false, forget: () => {} }
}

/** Changes of the connection (its URL, client or secret) make a new key, so a stale token is never reused. */
function cacheKey(c: ConnectionInfo): string {
  return createHash('sha256')
    .update(JSON.stringify([c.id, c.config.tokenUrl, c.config.clientId, c.config.scope ?? '', c.secrets.clientSecret]))
    .digest('hex')
}

async function cachedToken(key: string, c: ConnectionInfo, clientSecret: string, signal: AbortSignal): Promise<string> {
  const cached = tokens.get(key)
  if (cached && cached.expiresAt > Date.now()) return cached.token
  const entry: CachedToken = { token: Promise.resolve(''), expiresAt: Infinity }
  entry.token = fetchToken(c, clientSecret, signal).then(({ token, expiresInMs }) => {
    entry.expiresAt = expiresInMs === null ? Infinity : Date.now() + Math.max(0, expiresInMs - EXPIRY_MARGIN_MS)
    return token
  })
  tokens.set(key, entry)
  // A failed fetch is not cached: the next request tries again.
  entry.token.catch(() => {
    if (tokens.get(key) === entry) tokens.delete(key)
  })
  return entry.token
}

async function fetchToken(c: ConnectionInfo, clientSecret: string, signal: AbortSignal): Promise<{ token: string; expiresInMs: number | null }> {
  let url: URL
  try {
    url = new URL(String(c.config.tokenUrl))
  } catch {
    throw new PotokError('OAUTH_TOKEN', `connection "${c.id}" has no valid tokenUrl`)
  }
  const form = new URLSearchParams({ grant_type: 'client_credentials' })
  if (c.config.scope) form.set('scope', String(c.config.scope))
  const credentials = `${encodeURIComponent(String(c.config.clientId ?? ''))}:${encodeURIComponent(clientSecret)}`
  const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` })
  const describe = `POST ${url.origin}${url.pathname}`
  const response = await send({ url, method: 'POST', headers, body: form.toString(), describe }, { timeoutMs: TOKEN_TIMEOUT_MS, maxBytes: TOKEN_MAX_BYTES, signal })
  let answer: { access_token?: unknown; expires_in?: unknown; error?: unknown } = {}
  try {
    answer = JSON.parse(new TextDecoder().decode(response.bytes))
  } catch {
    /* reported below */
  }
  if (response.status < 200 || response.status > 299 || typeof answer.access_token !== 'string' || !answer.access_token) {
    const reason = typeof answer.error === 'string' ? ` (${answer.error.slice(0, 100)})` : ''
    throw new PotokError('OAUTH_TOKEN', `the token endpoint of connection "${c.id}" (${describe}) answered ${response.status} without an access token${reason}`, {
      details: { status: response.status },
    })
  }
  const seconds = Number(answer.expires_in)
  return { token: answer.access_token, expiresInMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null }
}
