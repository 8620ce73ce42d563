/** Sign-in: the admin token, checked against the API before it is kept for the tab. */
import { useState, type FormEvent } from 'react'
import { ApiError } from '../api.ts'
import { clearToken, setToken } from '../auth.ts'
import { setLang, useI18n } from '../i18n.ts'
import { navigate, useLocation } from '../router.ts'

export function SignInPage() {
  const { t, lang } = useI18n()
  const { query } = useLocation()
  const [token, setValue] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const value = token.trim()
    if (!value) return
    setBusy(true)
    setError(null)
    try {
      // Checked with a plain fetch: a 401 here is a wrong token, not an expired session.
      const response = await fetch('/api/v1/webrequests', { headers: { authorization: `Bearer ${value}` } })
      if (response.status === 401) throw new ApiError(401, 'UNAUTHORIZED', t('signin.wrong'))
      if (!response.ok) throw new ApiError(response.status, 'ERROR', `HTTP ${response.status}`)
      setToken(value)
      const next = query.get('next')
      navigate(next?.startsWith('/') && !next.startsWith('/signin') ? next : '/webrequests', { replace: true })
    } catch (e) {
      clearToken()
      setError(e instanceof ApiError ? e.message : t('signin.unreachable'))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="signin">
      <form className="signin-card" onSubmit={submit}>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          potok
        </div>
        <p className="muted">{t('signin.lead')}</p>
        <label className="field">
          <span>{t('signin.token')}</span>
          <input type="password" autoFocus autoComplete="current-password" value={token} onChange={(e) => setValue(e.target.value)} data-testid="token" />
        </label>
        <p className="hint">{t('signin.hint')}</p>
        {error ? (
          <div className="error-box" role="alert">
            {error}
          </div>
        ) : null}
        <button type="submit" className="btn btn-primary" disabled={busy || !token.trim()} data-testid="signin">
          {t('signin.submit')}
        </button>
        <div className="lang-switch lang-switch-center">
          <button type="button" className={lang === 'ru' ? 'is-active' : ''} onClick={() => setLang('ru')}>
            Русский
          </button>
          <button type="button" className={lang === 'en' ? 'is-active' : ''} onClick={() => setLang('en')}>
            English
          </button>
        </div>
      </form>
    </div>
  )
}
