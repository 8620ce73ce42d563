/**
 * The connection form's state and how it maps to and from the API's record (docs/connections.md). Secrets
 * come back as "***" (kept when sent back unchanged) or `{ env }`; a field left as it was is
 * sent back so, one typed into replaces the stored secret.
 */
export type SecretMode = 'value' | 'env'
export interface SecretField {
  mode: SecretMode
  value: string
}

export interface ConnectionForm {
  id: string
  name: string
  description: string
  type: 'smtp' | 'http'
  host: string
  port: string
  secure: boolean
  user: string
  scheme: 'basic' | 'bearer' | 'oauth2'
  username: string
  tokenUrl: string
  clientId: string
  scope: string
  secret: SecretField
}

export interface ConnectionRecord {
  id: string
  name: string
  description?: string
  type: 'smtp' | 'http'
  config: Record<string, unknown>
  secrets: Record<string, string | { env: string }>
  createdAt?: string
  updatedAt?: string
}

export const blankConnection: ConnectionForm = {
  id: '',
  name: '',
  description: '',
  type: 'smtp',
  host: '',
  port: '465',
  secure: true,
  user: '',
  scheme: 'bearer',
  username: '',
  tokenUrl: '',
  clientId: '',
  scope: '',
  secret: { mode: 'value', value: '' },
}

/** Which secret a connection of this shape keeps. */
export function secretName(form: Pick<ConnectionForm, 'type' | 'scheme'>): 'password' | 'token' | 'clientSecret' {
  if (form.type === 'smtp' || form.scheme === 'basic') return 'password'
  return form.scheme === 'bearer' ? 'token' : 'clientSecret'
}

export function toConnectionForm(record: ConnectionRecord): ConnectionForm {
  const c = record.config
  const text = (key: string) => (typeof c[key] === 'string' ? (c[key] as string) : '')
  const form: ConnectionForm = {
    ...blankConnection,
    id: record.id,
    name: record.name,
    description: record.description ?? '',
    type: record.type,
    host: text('host'),
    port: c.port === undefined ? '' : String(c.port),
    secure: c.secure === true,
    user: text('user'),
    scheme: (text('scheme') || 'bearer') as ConnectionForm['scheme'],
    username: text('username'),
    tokenUrl: text('tokenUrl'),
    clientId: text('clientId'),
    scope: text('scope'),
  }
  const stored = record.secrets[secretName(form)]
  form.secret = stored === undefined ? { mode: 'value', value: '' } : typeof stored === 'string' ? { mode: 'value', value: stored } : { mode: 'env', value: stored.env }
  return form
}

export function toConnectionBody(form: ConnectionForm): Record<string, unknown> {
  const optional = (value: string) => (value.trim() ? value.trim() : undefined)
  const config =
    form.type === 'smtp'
      ? { host: form.host.trim(), port: Number(form.port), secure: form.secure, user: optional(form.user) }
      : {
          scheme: form.scheme,
          username: form.scheme === 'basic' ? optional(form.username) : undefined,
          tokenUrl: form.scheme === 'oauth2' ? optional(form.tokenUrl) : undefined,
          clientId: form.scheme === 'oauth2' ? optional(form.clientId) : undefined,
          scope: form.scheme === 'oauth2' ? optional(form.scope) : undefined,
        }
  const secret = form.secret.value === '' ? undefined : form.secret.mode === 'env' ? { env: form.secret.value.trim() } : form.secret.value
  return {
    ...(form.id.trim() ? { id: form.id.trim() } : {}),
    name: form.name,
    ...(form.description.trim() ? { description: form.description } : {}),
    type: form.type,
    config,
    secrets: secret === undefined ? {} : { [secretName(form)]: secret },
  }
}
