/**
 * Connection secrets at rest (docs/connections.md): AES-256-GCM under `POTOK_SECRET_KEY`, 32 bytes given
 * as base64 (44 characters, e.g. `openssl rand -base64 32`) or hex (64 characters). Each secret
 * is sealed with its own random 96-bit nonce and bound to its connection id and secret name
 * (additional authenticated data), so a sealed value copied to another connection or field does
 * not open. Sealed text: `v1.<nonce>.<ciphertext>.<tag>` (base64url parts).
 *
 * @example
 * const key = parseSecretKey(process.env.POTOK_SECRET_KEY!)
 * const sealed = seal(key, 'mail', 'password', 'hunter2') // 'v1.…'
 * open(key, 'mail', 'password', sealed)                    // 'hunter2'
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { PotokError } from '../../runtime/index.ts'

const ALGORITHM = 'aes-256-gcm'
const VERSION = 'v1'

/** The key from its text form; throws INVALID_SETTINGS (never echoing the value) when it is not 32 bytes. */
export function parseSecretKey(text: string): Buffer {
  const value = text.trim()
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(value) ? Buffer.from(value, 'base64') : null
  if (key?.length !== 32) {
    throw new PotokError('INVALID_SETTINGS', 'POTOK_SECRET_KEY must be 32 random bytes as base64 (44 characters) or hex (64 characters); make one with `openssl rand -base64 32`')
  }
  return key
}

/** POTOK_SECRET_KEY from `env`, or null when unset. */
export function secretKeyFromEnv(env: Record<string, string | undefined> = process.env): Buffer | null {
  const text = env.POTOK_SECRET_KEY
  return text?.trim() ? parseSecretKey(text) : null
}

export function seal(key: Buffer, connectionId: string, name: string, plain: string): string {
  const nonce = randomBytes(12)
  const cipher = createCipheriv(ALGORITHM, key, nonce)
  cipher.setAAD(Buffer.from(`${connectionId}\0${name}`, 'utf8'))
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return [VERSION, nonce, data, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.')
}

/** Opens a sealed secret; SECRET_UNREADABLE (naming the connection, never the value) when the key or text is wrong. */
export function open(key: Buffer, connectionId: string, name: string, sealed: string): string {
  const [version, nonce, data, tag] = sealed.split('.')
  try {
    if (version !== VERSION || !nonce || data === undefined || !tag) throw new Error('malformed')
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(nonce, 'base64url'))
    decipher.setAAD(Buffer.from(`${connectionId}\0${name}`, 'utf8'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8')
  } catch {
    throw new PotokError('SECRET_UNREADABLE', `the secret "${name}" of connection "${connectionId}" cannot be decrypted: POTOK_SECRET_KEY is not the key it was stored with`)
  }
}
