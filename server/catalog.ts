/**
 * The external requests catalog record («внешний запрос», docs/server.md): its zod schema, how a
 * client's document becomes a stored record, and how secrets are kept — given either inline
 * or as `{ "env": "NAME" }` (read from the environment when a request arrives), and never
 * returned: the API shows `"***"`, and `"***"` sent back in a replace keeps the stored secret.
 *
 * @example
 * const record = toWebRequestRecord(parseWebRequestInput(json), { existing: null })
 * publicWebRequest(record).auth // { type: 'bearer', token: '***' }
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { PotokError } from '../runtime/index.ts'
import type { WebRequestRecord } from '../store/port.ts'
import { parseDocument } from './validation.ts'

export const MASK = '***'

const headerName = z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'must be an HTTP header name')
const recordId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1 to 64 letters, digits, "_" or "-"')

/** A secret: inline, or the name of an environment variable holding it. */
export const secretSchema = z.union([z.string().min(1, 'a secret cannot be empty'), z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }).strict()])
export type Secret = z.infer<typeof secretSchema>

export const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1), password: secretSchema }).strict(),
  z.object({ type: z.literal('bearer'), token: secretSchema }).strict(),
  z.object({ type: z.literal('hmac'), header: headerName, secret: secretSchema, encoding: z.enum(['hex', 'base64']).default('hex'), prefix: z.string().optional() }).strict(),
])
export type WebRequestAuth = z.infer<typeof authSchema>

export const corsSchema = z
  .object({
    origins: z.union([z.literal('*'), z.array(z.string().min(1)).min(1)]),
    methods: z.array(z.string().regex(/^[A-Za-z]+$/, 'must be an HTTP method')).optional(),
    headers: z.array(headerName).optional(),
    credentials: z.boolean().optional(),
    maxAge: z.number().int().min(0).optional(),
  })
  .strict()
  .refine((cors) => !(cors.credentials && (cors.origins === '*' || cors.origins.includes('*'))), {
    path: ['credentials'],
    message: 'credentials cannot go with origins "*": it would let any site read answers sent with its visitors\' cookies; list the origins',
  })

/** What a client sends to create or replace an external request (`createdAt`/`updatedAt` are ignored). */
export const webRequestInputSchema = z
  .object({
    id: recordId.optional(),
    name: z.string().min(1, 'a name is required').max(200),
    description: z.string().max(10_000).optional(),
    urlId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'urlId is 1 to 128 letters, digits, "_" or "-"'),
    scenarioId: recordId,
    enabled: z.boolean().default(true),
    timeoutMs: z.number().int().positive().optional(),
    onTimeout: z.enum(['504', 'reset', 'async']).optional(),
    cors: corsSchema.optional(),
    auth: authSchema.optional(),
    rateLimit: z.object({ requests: z.number().int().positive(), windowMs: z.number().int().positive() }).strict().optional(),
    idempotency: z
      .object({ header: headerName.default('Idempotency-Key'), windowMs: z.number().int().positive().default(86_400_000) })
      .strict()
      .optional(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
  })
  .strict()
export type WebRequestInput = z.infer<typeof webRequestInputSchema>

/** Parses a client's document; throws 422 `VALIDATION_FAILED` listing every problem by path. */
export function parseWebRequestInput(input: unknown, pathPrefix: ReadonlyArray<PropertyKey> = []): WebRequestInput {
  return parseDocument(webRequestInputSchema, input, 'the external request', pathPrefix)
}

/**
 * The record to store: keeps `id`/`createdAt` of `existing`, and a masked secret (`"***"`) of
 * `existing` when the auth type is unchanged (422 otherwise: there is no secret to keep).
 */
export function toWebRequestRecord(input: WebRequestInput, existing: WebRequestRecord | null, now = new Date().toISOString()): WebRequestRecord {
  const { createdAt: _c, updatedAt: _u, ...fields } = input
  const auth = fields.auth ? keepMaskedSecrets(fields.auth, existing?.auth as WebRequestAuth | undefined) : undefined
  return { ...fields, id: existing?.id ?? fields.id ?? randomUUID(), ...(auth ? { auth } : {}), createdAt: existing?.createdAt ?? now, updatedAt: now } as WebRequestRecord
}

function keepMaskedSecrets(auth: WebRequestAuth, previous: WebRequestAuth | undefined): WebRequestAuth {
  const key = secretKey(auth)
  if (!key || (auth as Record<string, unknown>)[key] !== MASK) return auth
  if (!previous || previous.type !== auth.type) {
    throw new PotokError('VALIDATION_FAILED', 'the external request is invalid', {
      details: { problems: [{ path: `auth.${key}`, message: `"${MASK}" keeps the stored secret, but there is no stored ${auth.type} secret to keep` }] },
    })
  }
  return { ...auth, [key]: (previous as Record<string, unknown>)[key] } as WebRequestAuth
}

function secretKey(auth: WebRequestAuth): 'password' | 'token' | 'secret' | null {
  switch (auth.type) {
    case 'basic':
      return 'password'
    case 'bearer':
      return 'token'
    case 'hmac':
      return 'secret'
    default:
      return null
  }
}

/**
 * The record as the API shows it: an inline secret replaced by `"***"`; a `{ "env": "NAME" }`
 * reference is shown as it is (the name is not the secret).
 */
export function publicWebRequest(record: WebRequestRecord): WebRequestRecord {
  const auth = record.auth as WebRequestAuth | undefined
  const key = auth ? secretKey(auth) : null
  if (!auth || !key || typeof (auth as Record<string, unknown>)[key] !== 'string') return record
  return { ...record, auth: { ...auth, [key]: MASK } }
}

/**
 * The value of a secret now; `{ env }` reads the environment. Throws 500 `SECRET_MISSING`
 * when the variable is unset (the external request is misconfigured, not the caller wrong).
 */
export function resolveSecret(secret: Secret, env: Record<string, string | undefined> = process.env): string {
  if (typeof secret === 'string') return secret
  const value = env[secret.env]
  if (value === undefined || value === '') {
    throw new PotokError('SECRET_MISSING', `the external request's secret is read from the environment variable ${secret.env}, which is not set`, { details: { env: secret.env } })
  }
  return value
}
