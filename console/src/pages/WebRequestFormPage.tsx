/**
 * Create or edit an external request. The server validates (422 with problems by path, 409 for
 * a taken urlId); each problem is shown under its field and all of them above the form.
 * Secrets come back as "***": sent back unchanged, the server keeps the stored one.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react'
import { api, ApiError } from '../api.ts'
import { useI18n } from '../i18n.ts'
import { navigate, useLocation } from '../router.ts'
import type { Page, Problem, ScenarioRecord, WebRequestRecord } from '../types.ts'
import { CopyButton, ErrorBox, Link, Spinner } from '../ui/bits.tsx'
import { useApi } from '../ui/useApi.ts'
import { webRequestUrl } from './WebRequestsPage.tsx'
import { blank, toBody, toForm, type Form, type Secret } from './webRequestForm.ts'

export function WebRequestFormPage({ id }: { id?: string }) {
  const { t } = useI18n()
  const existing = useApi<WebRequestRecord>(id ? `/api/v1/webrequests/${encodeURIComponent(id)}` : null)
  const scenarios = useApi<Page<ScenarioRecord>>('/api/v1/scenarios')
  const [form, setForm] = useState<Form>(blank)
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (existing.data) setForm(toForm(existing.data))
  }, [existing.data])
  const asked = useLocation().query.get('scenarioId')
  useEffect(() => {
    // A new external request starts bound to the scenario it was opened for (the editor's
    // «attach to an external request»), else to the first scenario.
    if (!id && !form.scenarioId && asked) setForm((f) => ({ ...f, scenarioId: asked }))
    else if (!id && !form.scenarioId && scenarios.data?.items.length) setForm((f) => ({ ...f, scenarioId: scenarios.data!.items[0].id }))
  }, [id, scenarios.data, form.scenarioId, asked])

  // Show the error list (it sits above the form; the button is below it).
  const formRef = useRef<HTMLFormElement>(null)
  useEffect(() => {
    if (error) formRef.current?.querySelector('.error-box')?.scrollIntoView({ block: 'nearest' })
  }, [error])

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }))
  const problems = error?.problems ?? []
  const problemsAt = (...prefixes: string[]): Problem[] => problems.filter((p) => prefixes.some((prefix) => p.path === prefix || p.path.startsWith(`${prefix}.`) || p.path.startsWith(`${prefix}[`)))

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const body = toBody(form)
      const saved = id ? await api.put<WebRequestRecord>(`/api/v1/webrequests/${encodeURIComponent(id)}`, body) : await api.post<WebRequestRecord>('/api/v1/webrequests', body)
      if (id) {
        existing.reload()
        navigate('/webrequests')
      } else navigate(`/webrequests/${encodeURIComponent(saved.id)}`, { replace: true })
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'ERROR', String(e)))
    } finally {
      setBusy(false)
    }
  }

  const remove = async () => {
    if (!id || !confirm(t('webrequests.confirmDelete', { name: form.name }))) return
    try {
      await api.delete(`/api/v1/webrequests/${encodeURIComponent(id)}`)
      navigate('/webrequests')
    } catch (e) {
      setError(e as ApiError)
    }
  }

  if (id && existing.loading && !existing.data) return <Spinner />
  if (id && existing.error) return <ErrorBox error={existing.error} />
  const conflict = error?.code === 'CONFLICT'

  return (
    <section className="narrow">
      <div className="page-head">
        <h1>{id ? form.name || id : t('webrequests.new')}</h1>
        <Link to="/webrequests" className="btn btn-ghost">
          {t('action.back')}
        </Link>
      </div>
      <form ref={formRef} className="form" onSubmit={submit} noValidate data-testid="webrequest-form">
        <ErrorBox error={error} />
        <fieldset>
          <Field label={t('webrequests.name')} problems={problemsAt('name')}>
            <input value={form.name} onChange={(e) => set('name', e.target.value)} name="name" />
          </Field>
          <Field label={t('webrequests.description')} problems={problemsAt('description')}>
            <textarea rows={2} value={form.description} onChange={(e) => set('description', e.target.value)} name="description" />
          </Field>
          <Field label="urlId" problems={problemsAt('urlId')} hint={t('webrequests.urlIdHint')} extra={conflict ? error?.message : undefined}>
            <input value={form.urlId} onChange={(e) => set('urlId', e.target.value)} name="urlId" className="mono" />
          </Field>
          {form.urlId ? (
            <div className="url-cell url-preview">
              <code className="url">{webRequestUrl(form.urlId)}</code>
              <CopyButton text={webRequestUrl(form.urlId)} />
            </div>
          ) : null}
          <Field label={t('webrequests.scenario')} problems={problemsAt('scenarioId')}>
            <select value={form.scenarioId} onChange={(e) => set('scenarioId', e.target.value)} name="scenarioId">
              {!scenarios.data?.items.some((s) => s.id === form.scenarioId) ? <option value={form.scenarioId}>{form.scenarioId || '—'}</option> : null}
              {(scenarios.data?.items ?? []).map((s) => (
                <option key={s.id} value={s.id}>
                  {s.scenario.name ? `${s.scenario.name} (${s.id})` : s.id}
                </option>
              ))}
            </select>
          </Field>
          <label className="check">
            <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} name="enabled" /> {t('webrequests.enabled')}
          </label>
        </fieldset>

        <fieldset>
          <legend>{t('webrequests.timeout')}</legend>
          <div className="row">
            <Field label={t('webrequests.timeoutMs')} problems={problemsAt('timeoutMs')} hint={t('webrequests.timeoutHint')}>
              <input value={form.timeoutMs} onChange={(e) => set('timeoutMs', e.target.value)} inputMode="numeric" placeholder="60000" name="timeoutMs" />
            </Field>
            <Field label={t('webrequests.onTimeout')} problems={problemsAt('onTimeout')}>
              <select value={form.onTimeout} onChange={(e) => set('onTimeout', e.target.value as Form['onTimeout'])} name="onTimeout">
                <option value="">{t('webrequests.onTimeout.504')}</option>
                <option value="reset">{t('webrequests.onTimeout.reset')}</option>
                <option value="async">{t('webrequests.onTimeout.async')}</option>
              </select>
            </Field>
          </div>
        </fieldset>

        <fieldset>
          <legend>{t('webrequests.auth')}</legend>
          <Field label={t('webrequests.authType')} problems={problemsAt('auth')}>
            <select value={form.authType} onChange={(e) => set('authType', e.target.value as Form['authType'])} name="authType">
              <option value="none">{t('webrequests.auth.none')}</option>
              <option value="basic">Basic</option>
              <option value="bearer">Bearer</option>
              <option value="hmac">HMAC-SHA256</option>
            </select>
          </Field>
          {form.authType === 'basic' ? (
            <Field label={t('webrequests.username')}>
              <input value={form.username} onChange={(e) => set('username', e.target.value)} />
            </Field>
          ) : null}
          {form.authType === 'hmac' ? (
            <div className="row">
              <Field label={t('webrequests.hmacHeader')}>
                <input value={form.hmacHeader} onChange={(e) => set('hmacHeader', e.target.value)} />
              </Field>
              <Field label={t('webrequests.hmacPrefix')}>
                <input value={form.hmacPrefix} onChange={(e) => set('hmacPrefix', e.target.value)} placeholder="sha256=" />
              </Field>
              <Field label={t('webrequests.hmacEncoding')}>
                <select value={form.hmacEncoding} onChange={(e) => set('hmacEncoding', e.target.value as Form['hmacEncoding'])}>
                  <option value="hex">hex</option>
                  <option value="base64">base64</option>
                </select>
              </Field>
            </div>
          ) : null}
          {form.authType !== 'none' ? (
            <div className="row">
              <Field
                label={t(form.authType === 'basic' ? 'webrequests.password' : form.authType === 'bearer' ? 'webrequests.token' : 'webrequests.secret')}
                hint={form.secret.value === '***' ? t('webrequests.secretKept') : undefined}
              >
                <input
                  value={form.secret.value}
                  onChange={(e) => set('secret', { ...form.secret, value: e.target.value })}
                  className="mono"
                  placeholder={form.secret.mode === 'env' ? 'MY_SECRET' : ''}
                />
              </Field>
              <Field label={t('webrequests.secretFrom')}>
                <select value={form.secret.mode} onChange={(e) => set('secret', { ...form.secret, mode: e.target.value as Secret['mode'] })}>
                  <option value="value">{t('webrequests.secretValue')}</option>
                  <option value="env">{t('webrequests.secretEnv')}</option>
                </select>
              </Field>
            </div>
          ) : null}
        </fieldset>

        <fieldset>
          <legend>{t('webrequests.limits')}</legend>
          <Toggle label={t('webrequests.rateLimit')} checked={form.rateLimit} onChange={(v) => set('rateLimit', v)} />
          {form.rateLimit ? (
            <div className="row">
              <Field label={t('webrequests.rateRequests')} problems={problemsAt('rateLimit.requests')}>
                <input value={form.rateRequests} onChange={(e) => set('rateRequests', e.target.value)} inputMode="numeric" />
              </Field>
              <Field label={t('webrequests.windowMs')} problems={problemsAt('rateLimit.windowMs', 'rateLimit')}>
                <input value={form.rateWindowMs} onChange={(e) => set('rateWindowMs', e.target.value)} inputMode="numeric" />
              </Field>
            </div>
          ) : null}
          <Toggle label={t('webrequests.idempotency')} checked={form.idempotency} onChange={(v) => set('idempotency', v)} />
          {form.idempotency ? (
            <div className="row">
              <Field label={t('webrequests.header')} problems={problemsAt('idempotency.header')}>
                <input value={form.idemHeader} onChange={(e) => set('idemHeader', e.target.value)} />
              </Field>
              <Field label={t('webrequests.windowMs')} problems={problemsAt('idempotency.windowMs', 'idempotency')}>
                <input value={form.idemWindowMs} onChange={(e) => set('idemWindowMs', e.target.value)} inputMode="numeric" />
              </Field>
            </div>
          ) : null}
          <Toggle label={t('webrequests.cors')} checked={form.cors} onChange={(v) => set('cors', v)} />
          {form.cors ? (
            <>
              <div className="row">
                <Field label={t('webrequests.corsOrigins')} problems={problemsAt('cors.origins', 'cors')} hint={t('webrequests.listHint')}>
                  <input value={form.corsOrigins} onChange={(e) => set('corsOrigins', e.target.value)} />
                </Field>
                <Field label={t('webrequests.corsMethods')} problems={problemsAt('cors.methods')}>
                  <input value={form.corsMethods} onChange={(e) => set('corsMethods', e.target.value)} placeholder="GET, POST" />
                </Field>
              </div>
              <div className="row">
                <Field label={t('webrequests.corsHeaders')} problems={problemsAt('cors.headers')}>
                  <input value={form.corsHeaders} onChange={(e) => set('corsHeaders', e.target.value)} placeholder="Content-Type" />
                </Field>
                <Field label={t('webrequests.corsMaxAge')} problems={problemsAt('cors.maxAge')}>
                  <input value={form.corsMaxAge} onChange={(e) => set('corsMaxAge', e.target.value)} inputMode="numeric" />
                </Field>
              </div>
              <label className="check">
                <input type="checkbox" checked={form.corsCredentials} onChange={(e) => set('corsCredentials', e.target.checked)} /> {t('webrequests.corsCredentials')}
              </label>
            </>
          ) : null}
        </fieldset>

        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="save">
            {id ? t('action.save') : t('action.create')}
          </button>
          <Link to="/webrequests" className="btn btn-ghost">
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

function Field({ label, children, problems = [], hint, extra }: { label: string; children: ReactNode; problems?: Problem[]; hint?: string; extra?: string }) {
  return (
    <label className={`field${problems.length || extra ? ' has-problems' : ''}`}>
      <span>{label}</span>
      {children}
      {hint ? <small className="hint">{hint}</small> : null}
      {problems.map((p, i) => (
        <small key={i} className="field-problem">
          {p.message}
        </small>
      ))}
      {extra ? <small className="field-problem">{extra}</small> : null}
    </label>
  )
}

function Toggle({ label, checked, onChange }: { label: string; checked: boolean; onChange: (value: boolean) => void }) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} /> {label}
    </label>
  )
}
