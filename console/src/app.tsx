/** The console's frame: the top bar (sections, language, sign-out) and the routes. */
import { getToken } from './auth.ts'
import { ConnectionFormPage } from './pages/ConnectionFormPage.tsx'
import { ConnectionsPage } from './pages/ConnectionsPage.tsx'
import { signOut } from './api.ts'
import { setLang, useI18n } from './i18n.ts'
import { CatalogPage } from './pages/CatalogPage.tsx'
import { CatalogsPage } from './pages/CatalogsPage.tsx'
import { ProcessPage } from './pages/ProcessPage.tsx'
import { RecordPage } from './pages/RecordPage.tsx'
import { ProcessesPage } from './pages/ProcessesPage.tsx'
import { ScenarioEditorPage } from './pages/ScenarioEditorPage.tsx'
import { ScenarioImportPage } from './pages/ScenarioImportPage.tsx'
import { ScenarioPage } from './pages/ScenarioPage.tsx'
import { ScenariosPage } from './pages/ScenariosPage.tsx'
import { SignInPage } from './pages/SignInPage.tsx'
import { WebRequestFormPage } from './pages/WebRequestFormPage.tsx'
import { WebRequestsPage } from './pages/WebRequestsPage.tsx'
import { match, navigate, useLocation } from './router.ts'
import { Link } from './ui/bits.tsx'
import { useEffect, type ReactNode } from 'react'

const routes: Array<[string, (params: Record<string, string>) => ReactNode]> = [
  ['/webrequests', () => <WebRequestsPage />],
  ['/webrequests/new', () => <WebRequestFormPage />],
  ['/webrequests/:id', (p) => <WebRequestFormPage id={p.id} />],
  ['/scenarios', () => <ScenariosPage />],
  ['/scenarios/new', () => <ScenarioEditorPage />],
  ['/scenarios/import', () => <ScenarioImportPage />],
  ['/scenarios/:id', (p) => <ScenarioPage id={p.id} />],
  ['/scenarios/:id/edit', (p) => <ScenarioEditorPage id={p.id} />],
  ['/processes', () => <ProcessesPage />],
  ['/processes/:id', (p) => <ProcessPage key={p.id} id={p.id} />],
  ['/connections', () => <ConnectionsPage />],
  ['/connections/new', () => <ConnectionFormPage />],
  ['/connections/:id', (p) => <ConnectionFormPage key={p.id} id={p.id} />],
  ['/catalogs', () => <CatalogsPage />],
  ['/catalogs/:id', (p) => <CatalogPage key={p.id} id={p.id} />],
  ['/catalogs/:id/records/new', (p) => <RecordPage key={`${p.id}/new`} catalogId={p.id} />],
  ['/catalogs/:id/records/:recordId', (p) => <RecordPage key={`${p.id}/${p.recordId}`} catalogId={p.id} recordId={p.recordId} />],
]

export function App() {
  const { path } = useLocation()
  const signedIn = !!getToken()

  useEffect(() => {
    if (path === '/signin') return
    if (!signedIn) navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true })
    else if (path === '/') navigate('/webrequests', { replace: true })
  }, [path, signedIn])

  if (path === '/signin' || !signedIn) return <SignInPage />
  let page: ReactNode = <NotFound />
  for (const [pattern, render] of routes) {
    const params = match(pattern, path)
    if (params) {
      page = render(params)
      break
    }
  }
  return (
    <div className="shell">
      <TopBar path={path} />
      <main className="page">{page}</main>
    </div>
  )
}

function TopBar({ path }: { path: string }) {
  const { t, lang } = useI18n()
  const section = (to: string, label: string) => (
    <Link to={to} className={path.startsWith(to) ? 'nav-link is-active' : 'nav-link'}>
      {label}
    </Link>
  )
  return (
    <header className="topbar">
      <Link to="/webrequests" className="brand">
        <span className="brand-mark" aria-hidden="true" />
        potok
      </Link>
      <nav className="nav">
        {section('/webrequests', t('nav.webrequests'))}
        {section('/scenarios', t('nav.scenarios'))}
        {section('/processes', t('nav.processes'))}
        {section('/connections', t('nav.connections'))}
        {section('/catalogs', t('nav.catalogs'))}
      </nav>
      <div className="topbar-right">
        <div className="lang-switch" role="group" aria-label={t('nav.language')}>
          <button type="button" className={lang === 'ru' ? 'is-active' : ''} onClick={() => setLang('ru')} data-testid="lang-ru">
            RU
          </button>
          <button type="button" className={lang === 'en' ? 'is-active' : ''} onClick={() => setLang('en')} data-testid="lang-en">
            EN
          </button>
        </div>
        <button type="button" className="btn btn-ghost btn-small" onClick={signOut}>
          {t('nav.signOut')}
        </button>
      </div>
    </header>
  )
}

function NotFound() {
  const { t } = useI18n()
  return (
    <div className="empty">
      {t('common.notFound')} <Link to="/webrequests">{t('nav.webrequests')}</Link>
    </div>
  )
}
