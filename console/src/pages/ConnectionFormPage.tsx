/**
 * Create or edit a connection. The server validates (422 with problems by path); a stored secret
 * shows as "***" and is kept unless typed over, or is read from an environment variable.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { api, ApiError } from '../api.ts'
import { useI18n } from '../i18n.ts'
import { navigate } from '../router.ts'
import type { Problem } from '../types.ts'
import { ErrorBox, Link, Spinner } from '../ui/bits.tsx'
import { useApi } from '../ui/useApi.ts'
import { blankConnection, secretName, toConnectionBody, toConnectionForm, type ConnectionForm, type ConnectionRecord, type SecretMode } from './connectionForm.ts'

export function ConnectionFormPage({ id }: { id?: string }) {
  const { t } = useI18n()
  const existing = useApi<ConnectionRecord>(id ? `/api/v1/connections/${encodeURIComponent(id)}` : null)
  const [form, setForm] = useState<ConnectionForm>(blankConnection)
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    if (existing.data) setForm(toConnectionForm(existing.data))
  }, [existing.data])

  const set = <K extends keyof ConnectionForm>(key: K, value: ConnectionForm[K]) => setForm((f) => ({ ...f, [key]: value }))
  const problems = error?.problems ?? []
  const at = (...prefixes: string[]): Problem[] => problems.filter((p) => prefixes.some((prefix) => p.path === prefix || p.path.startsWith(`${prefix}.`)))

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const body = toConnectionBody(form)
      if (id) await api.put(`/api/v1/connections/${encodeURIComponent(id)}`, body)
      else await api.post('/api/v1/connections', body)
      navigate('/connections')
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'ERROR', String(e)))
    } finally {
      setBusy(false)
    }
  }
  const remove = async () => {
    if (!id || !confirm(t('connections.confirmDelete', { name: form.name }))) return
    try {
      await api.delete(`/api/v1/connections/${encodeURIComponent(id)}`)
      navigate('/connections')
    } catch (e) {
      setError(e as ApiError)
    }
  }

  if (id && existing.loading && !existing.data) return <Spinner />
  if (id && existing.error) return <ErrorBox error={existing.error} />
  const secret = secretName(form)
  return (
    <section className="narrow">
      <div className="page-head">
        <h1>{id ? form.name || id : t('connections.new')}</h1>
        <Link to="/connections" className="btn btn-ghost">
          {t('action.back')}
        </Link>
      </div>
      <form className="form" onSubmit={submit} noValidate data-testid="connection-form">
        <ErrorBox error={error} />
        <fieldset>
          <Field label={t('connections.name')} problems={at('name')}>
            <input name="name" value={form.name} onChange={(e) => set('name', e.target.value)} />
          </Field>
          <Field label="id" problems={at('id')} hint={t('connections.idHint')}>
            <input name="id" className="mono" value={form.id} disabled={!!id} onChange={(e) => set('id', e.target.value)} />
          </Field>
          <Field label={t('connections.description')} problems={at('description')}>
            <textarea name="description" rows={2} value={form.description} onChange={(e) => set('description', e.target.value)} />
          </Field>
          <Field label={t('connections.type')} problems={at('type')}>
            <select name="type" value={form.type} onChange={(e) => set('type', e.target.value as ConnectionForm['type'])}>
              <option value="smtp">{t('connections.type.smtp')}</option>
              <option value="http">{t('connections.type.http')}</option>
            </select>
          </Field>
        </fieldset>
        <fieldset>
          <legend>{t('connections.settings')}</legend>
          {form.type === 'smtp' ? (
            <>
              <div className="row">
                <Field label={t('connections.host')} problems={at('config.host')}>
                  <input name="host" value={form.host} onChange={(e) => set('host', e.target.value)} placeholder="smtp.yandex.ru" />
                </Field>
                <Field label={t('connections.port')} problems={at('config.port')}>
                  <input name="port" inputMode="numeric" value={form.port} onChange={(e) => set('port', e.target.value)} />
                </Field>
              </div>
              <label className="check">
                <input type="checkbox" name="secure" checked={form.secure} onChange={(e) => set('secure', e.target.checked)} /> {t('connections.secure')}
              </label>
              <Field label={t('connections.user')} problems={at('config.user')}>
                <input name="user" value={form.user} onChange={(e) => set('user', e.target.value)} />
              </Field>
            </>
          ) : (
            <>
              <Field label={t('connections.scheme')} problems={at('config.scheme')}>
                <select name="scheme" value={form.scheme} onChange={(e) => set('scheme', e.target.value as ConnectionForm['scheme'])}>
                  <option value="basic">Basic</option>
                  <option value="bearer">Bearer</option>
                  <option value="oauth2">{t('connections.oauth2')}</option>
                </select>
              </Field>
              {form.scheme === 'basic' ? (
                <Field label={t('connections.username')} problems={at('config.username')}>
                  <input name="username" value={form.username} onChange={(e) => set('username', e.target.value)} />
                </Field>
              ) : null}
              {form.scheme === 'oauth2' ? (
                <>
                  <Field label={t('connections.tokenUrl')} problems={at('config.tokenUrl')}>
                    <input name="tokenUrl" value={form.tokenUrl} onChange={(e) => set('tokenUrl', e.target.value)} placeholder="https://id.example.com/oauth/token" />
                  </Field>
                  <div className="row">
                    <Field label="Client ID" problems={at('config.clientId')}>
                      <input name="clientId" value={form.clientId} onChange={(e) => set('clientId', e.target.value)} />
                    </Field>
                    <Field label={t('connections.scope')} problems={at('config.scope')}>
                      <input name="scope" value={form.scope} onChange={(e) => set('scope', e.target.value)} />
                    </Field>
                  </div>
                </>
              ) : null}
            </>
          )}
          <div className="row">
            <Field label={t(`connections.secret.${secret}` as const)} problems={at(`secrets.${secret}`, 'secrets')} hint={form.secret.value === '***' ? t('connections.secretKept') : undefined}>
              <input
                name="secret"
                className="mono"
                type={form.secret.mode === 'value' && form.secret.value !== '***' ? 'password' : 'text'}
                autoComplete="off"
                value={form.secret.value}
                onChange={(e) => set('secret', { ...form.secret, value: e.target.value })}
                placeholder={form.secret.mode === 'env' ? 'MAIL_PASSWORD' : ''}
              />
            </Field>
            <Field label={t('connections.secretFrom')}>
              <select name="secretFrom" value={form.secret.mode} onChange={(e) => set('secret', { mode: e.target.value as SecretMode, value: '' })}>
                <option value="value">{t('connections.secretValue')}</option>
                <option value="env">{t('connections.secretEnv')}</option>
              </select>
            </Field>
          </div>
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="save">
            {id ? t('action.save') : t('action.create')}
          </button>
          <Link to="/connections" className="btn btn-ghost">
            {t('action.cancel')}
          </Link>
          {id ? (
            <button type="button" className="btn btn-danger push-right" onClick={remove}>
              {t('action.delete')}
            </button>
          ) : null}
        </div>
      </form>
    </section>
  )
}

function Field({ label, children, problems = [], hint }: { label: string; children: ReactNode; problems?: Problem[]; hint?: string }) {
  return (
    <label className={`field${problems.length ? ' has-problems' : ''}`}>
      <span>{label}</span>
      {children}
      {hint ? <small className="hint">{hint}</small> : null}
      {problems.map((p, i) => (
        <small key={i} className="field-problem">
          {p.message}
        </small>
      ))}
    </label>
  )
}
