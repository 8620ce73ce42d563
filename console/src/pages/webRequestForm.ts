/**
 * The external request form's model: the fields as typed, made from a stored record (`toForm`)
 * and turned into the document the API validates (`toBody`). Numbers typed as text that are not
 * numbers are sent as they are, so the server's message names the field.
 */
import type { WebRequestRecord } from '../types.ts'

export type Secret = { mode: 'value' | 'env'; value: string }

export interface Form {
  name: string
  description: string
  urlId: string
  scenarioId: string
  enabled: boolean
  timeoutMs: string
  onTimeout: '' | '504' | 'reset' | 'async'
  authType: 'none' | 'basic' | 'bearer' | 'hmac'
  username: string
  secret: Secret
  hmacHeader: string
  hmacEncoding: 'hex' | 'base64'
  hmacPrefix: string
  rateLimit: boolean
  rateRequests: string
  rateWindowMs: string
  idempotency: boolean
  idemHeader: string
  idemWindowMs: string
  cors: boolean
  corsOrigins: string
  corsMethods: string
  corsHeaders: string
  corsCredentials: boolean
  corsMaxAge: string
}

export const blank: Form = {
  name: '',
  description: '',
  urlId: '',
  scenarioId: '',
  enabled: true,
  timeoutMs: '',
  onTimeout: '',
  authType: 'none',
  username: '',
  secret: { mode: 'value', value: '' },
  hmacHeader: 'X-Signature',
  hmacEncoding: 'hex',
  hmacPrefix: '',
  rateLimit: false,
  rateRequests: '60',
  rateWindowMs: '60000',
  idempotency: false,
  idemHeader: 'Idempotency-Key',
  idemWindowMs: '86400000',
  cors: false,
  corsOrigins: '*',
  corsMethods: '',
  corsHeaders: '',
  corsCredentials: false,
  corsMaxAge: '',
}

function secretOf(value: unknown): Secret {
  if (value && typeof value === 'object' && 'env' in value) return { mode: 'env', value: String((value as { env: unknown }).env) }
  return { mode: 'value', value: typeof value === 'string' ? value : '' }
}

export function toForm(record: WebRequestRecord): Form {
  const auth = (record.auth ?? { type: 'none' }) as Record<string, unknown>
  const type = (auth.type as Form['authType']) ?? 'none'
  return {
    ...blank,
    name: record.name,
    description: record.description ?? '',
    urlId: record.urlId,
    scenarioId: record.scenarioId,
    enabled: record.enabled,
    timeoutMs: record.timeoutMs ? String(record.timeoutMs) : '',
    onTimeout: record.onTimeout ?? '',
    authType: type,
    username: typeof auth.username === 'string' ? auth.username : '',
    secret: secretOf(type === 'basic' ? auth.password : type === 'bearer' ? auth.token : auth.secret),
    hmacHeader: typeof auth.header === 'string' ? auth.header : blank.hmacHeader,
    hmacEncoding: auth.encoding === 'base64' ? 'base64' : 'hex',
    hmacPrefix: typeof auth.prefix === 'string' ? auth.prefix : '',
    rateLimit: !!record.rateLimit,
    rateRequests: String(record.rateLimit?.requests ?? blank.rateRequests),
    rateWindowMs: String(record.rateLimit?.windowMs ?? blank.rateWindowMs),
    idempotency: !!record.idempotency,
    idemHeader: record.idempotency?.header ?? blank.idemHeader,
    idemWindowMs: String(record.idempotency?.windowMs ?? blank.idemWindowMs),
    cors: !!record.cors,
    corsOrigins: record.cors ? (record.cors.origins === '*' ? '*' : record.cors.origins.join(', ')) : blank.corsOrigins,
    corsMethods: record.cors?.methods?.join(', ') ?? '',
    corsHeaders: record.cors?.headers?.join(', ') ?? '',
    corsCredentials: !!record.cors?.credentials,
    corsMaxAge: record.cors?.maxAge !== undefined ? String(record.cors.maxAge) : '',
  }
}

/** Numbers typed as text: a number when it is one, the text otherwise (the server then says why). */
const num = (text: string): number | string => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text)
const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

export function toBody(form: Form): Record<string, unknown> {
  const body: Record<string, unknown> = { name: form.name, urlId: form.urlId, scenarioId: form.scenarioId, enabled: form.enabled }
  if (form.description.trim()) body.description = form.description
  if (form.timeoutMs.trim()) body.timeoutMs = num(form.timeoutMs)
  if (form.onTimeout) body.onTimeout = form.onTimeout
  const secret = form.secret.mode === 'env' ? { env: form.secret.value } : form.secret.value
  if (form.authType === 'basic') body.auth = { type: 'basic', username: form.username, password: secret }
  if (form.authType === 'bearer') body.auth = { type: 'bearer', token: secret }
  if (form.authType === 'hmac') {
    body.auth = { type: 'hmac', header: form.hmacHeader, secret, encoding: form.hmacEncoding, ...(form.hmacPrefix ? { prefix: form.hmacPrefix } : {}) }
  }
  if (form.rateLimit) body.rateLimit = { requests: num(form.rateRequests), windowMs: num(form.rateWindowMs) }
  if (form.idempotency) body.idempotency = { header: form.idemHeader, windowMs: num(form.idemWindowMs) }
  if (form.cors) {
    body.cors = {
      origins: form.corsOrigins.trim() === '*' ? '*' : list(form.corsOrigins),
      ...(list(form.corsMethods).length ? { methods: list(form.corsMethods) } : {}),
      ...(list(form.corsHeaders).length ? { headers: list(form.corsHeaders) } : {}),
      ...(form.corsCredentials ? { credentials: true } : {}),
      ...(form.corsMaxAge.trim() ? { maxAge: num(form.corsMaxAge) } : {}),
    }
  }
  return body
}
