/**
 * Connections («Доступы к сервисам», docs/connections.md): SMTP servers and HTTP credentials components
 * name by id. Secrets are never shown: the API answers "***" (or the environment variable).
 */
import { useI18n } from '../i18n.ts'
import type { Page } from '../types.ts'
import { Empty, ErrorBox, Link, Spinner } from '../ui/bits.tsx'
import { useApi } from '../ui/useApi.ts'
import type { ConnectionRecord } from './connectionForm.ts'

export function ConnectionsPage() {
  const { t } = useI18n()
  const list = useApi<Page<ConnectionRecord>>('/api/v1/connections')
  return (
    <section>
      <div className="page-head">
        <h1>{t('nav.connections')}</h1>
        <Link to="/connections/new" className="btn btn-primary">
          {t('connections.new')}
        </Link>
      </div>
      <p className="muted">{t('connections.lead')}</p>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Spinner /> : null}
      {list.data && !list.data.items.length ? <Empty>{t('connections.none')}</Empty> : null}
      {list.data?.items.length ? (
        <table className="table" data-testid="connections">
          <thead>
            <tr>
              <th>{t('connections.name')}</th>
              <th>id</th>
              <th>{t('connections.type')}</th>
              <th>{t('connections.where')}</th>
              <th>{t('connections.secret')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((c) => (
              <tr key={c.id} data-connection={c.id}>
                <td>
                  <div className="strong">{c.name}</div>
                  {c.description ? <div className="muted small">{c.description}</div> : null}
                </td>
                <td>
                  <code>{c.id}</code>
                </td>
                <td>
                  <span className="tag">{c.type === 'smtp' ? 'SMTP' : `HTTP ${String(c.config.scheme ?? '')}`}</span>
                </td>
                <td className="small">{where(c)}</td>
                <td className="small">
                  {Object.entries(c.secrets).map(([name, value]) => (
                    <div key={name}>
                      <code>{name}</code>: {typeof value === 'string' ? value : `$${value.env}`}
                    </div>
                  ))}
                </td>
                <td className="actions">
                  <Link to={`/connections/${encodeURIComponent(c.id)}`} className="btn btn-small">
                    {t('action.edit')}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  )
}

function where(c: ConnectionRecord): string {
  const config = c.config as Record<string, string | number | boolean | undefined>
  if (c.type === 'smtp') return `${config.host}:${config.port}${config.user ? ` · ${config.user}` : ''}`
  if (config.scheme === 'oauth2') return `${config.tokenUrl ?? ''}${config.clientId ? ` · ${config.clientId}` : ''}`
  return config.username ? String(config.username) : '—'
}
