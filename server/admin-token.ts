/**
 * The management API token (docs/server.md): `POTOK_ADMIN_TOKEN`, or — when unset — a random token
 * generated on the first start, stored in `<DATA_DIR>/admin-token` (mode 0600) and printed
 * once. Requests prove it with `Authorization: Bearer <token>`, compared in constant time.
 *
 * @example
 * const { token, file, generated } = await resolveAdminToken(settings)
 * isAdminRequest(request, token) // true for "Authorization: Bearer <token>"
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { safeEqual } from './protect.ts'

export const ADMIN_TOKEN_FILE = 'admin-token'

export interface AdminToken {
  token: string
  /** Where it came from: the environment, or the file under DATA_DIR. */
  source: 'env' | 'file'
  file?: string
  /** True when this start generated it (print it once). */
  generated: boolean
}

export async function resolveAdminToken(settings: { adminToken?: string; dataDir: string }): Promise<AdminToken> {
  if (settings.adminToken) return { token: settings.adminToken, source: 'env', generated: false }
  const file = join(settings.dataDir, ADMIN_TOKEN_FILE)
  try {
    const token = (await readFile(file, 'utf8')).trim()
    if (token.length >= 16) return { token, source: 'file', file, generated: false }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const token = randomBytes(32).toString('base64url')
  await mkdir(settings.dataDir, { recursive: true, mode: 0o700 })
  try {
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    // Another server on the same DATA_DIR wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { token: (await readFile(file, 'utf8')).trim(), source: 'file', file, generated: false }
    throw error
  }
  return { token, source: 'file', file, generated: true }
}

/** The bearer token of a request, if it sends one. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get('authorization')
  if (!header) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match ? match[1] : null
}

/** Whether the request carries the admin token (constant-time compare). */
export function isAdminRequest(request: Request, adminToken: string): boolean {
  const token = bearerToken(request)
  return token !== null && safeEqual(token, adminToken)
}

/**
 * `user.id` of a web request's process: `"admin"` when it carries the admin token as a bearer
 * token, else null (potok has no other users yet).
 */
export function adminUserId(request: Request, adminToken: string): string | null {
  return isAdminRequest(request, adminToken) ? 'admin' : null
}
