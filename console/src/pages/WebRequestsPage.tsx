/**
 * The external requests catalog («Внешние запросы»): each urlId with its full address (copy),
 * its scenario, an enabled switch (PUT of the whole record) and the status of its last process
 * (all rows from one `GET /api/v1/webrequests/last-processes`, every 5 s).
 */
import { useState } from 'react'
import { api } from '../api.ts'
import { useI18n } from '../i18n.ts'
import type { Page, ProcessRecord, ScenarioRecord, WebRequestRecord } from '../types.ts'
import { CopyButton, Empty, ErrorBox, Link, Spinner, StatusBadge } from '../ui/bits.tsx'
import { formatTime } from '../ui/format.ts'
import { useApi } from '../ui/useApi.ts'

/** The public address of an external request, on the server the console is served from. */
export function webRequestUrl(urlId: string): string {
  return `${location.origin}/api/webrequest/${urlId}`
}

export function WebRequestsPage() {
  const { t } = useI18n()
  const list = useApi<Page<WebRequestRecord>>('/api/v1/webrequests')
  const scenarios = useApi<Page<ScenarioRecord>>('/api/v1/scenarios')
  // The last process of every row in one request (not one request per row).
  const lastProcesses = useApi<Page<{ webRequestId: string; process: ProcessRecord | null }>>('/api/v1/webrequests/last-processes', { pollMs: 5000 })
  const lastOf = new Map((lastProcesses.data?.items ?? []).map((item) => [item.webRequestId, item.process]))
  const [error, setError] = useState<unknown>(null)
  const names = new Map((scenarios.data?.items ?? []).map((s) => [s.id, s.scenario.name]))

  const toggle = async (record: WebRequestRecord) => {
    setError(null)
    try {
      await api.put(`/api/v1/webrequests/${encodeURIComponent(record.id)}`, { ...record, enabled: !record.enabled })
      await list.reload()
    } catch (e) {
      setError(e)
    }
  }

  return (
    <section>
      <div className="page-head">
        <h1>{t('nav.webrequests')}</h1>
        <Link to="/webrequests/new" className="btn btn-primary">
          {t('webrequests.new')}
        </Link>
      </div>
      <ErrorBox error={list.error ?? error} />
      {list.loading && !list.data ? <Spinner /> : null}
      {list.data && !list.data.items.length ? <Empty>{t('webrequests.none')}</Empty> : null}
      {list.data?.items.length ? (
        <table className="table" data-testid="webrequests">
          <thead>
            <tr>
              <th>{t('webrequests.name')}</th>
              <th>{t('webrequests.address')}</th>
              <th>{t('webrequests.scenario')}</th>
              <th>{t('webrequests.enabled')}</th>
              <th>{t('webrequests.lastProcess')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((record) => (
              <tr key={record.id} data-urlid={record.urlId}>
                <td>
                  <div className="strong">{record.name}</div>
                  {record.description ? <div className="muted small">{record.description}</div> : null}
                  <Protection record={record} />
                </td>
                <td>
                  <div className="url-cell">
                    <code className="url" data-testid="url">
                      {webRequestUrl(record.urlId)}
                    </code>
                    <CopyButton text={webRequestUrl(record.urlId)} />
                  </div>
                  <div className="muted small">
                    urlId: <code>{record.urlId}</code>
                  </div>
                </td>
                <td>
                  <Link to={`/scenarios/${encodeURIComponent(record.scenarioId)}`}>{names.get(record.scenarioId) || record.scenarioId}</Link>
                  {names.get(record.scenarioId) ? (
                    <div className="muted small">
                      <code>{record.scenarioId}</code>
                    </div>
                  ) : null}
                </td>
                <td>
                  <label className="switch" title={record.enabled ? t('webrequests.disable') : t('webrequests.enable')}>
                    <input type="checkbox" checked={record.enabled} onChange={() => toggle(record)} data-testid="enabled" />
                    <span className="switch-track" />
                  </label>
                </td>
                <td>
                  <LastProcess process={lastOf.get(record.id) ?? null} />
                </td>
                <td className="actions">
                  <Link to={`/webrequests/${encodeURIComponent(record.id)}`} className="btn btn-small">
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

function Protection({ record }: { record: WebRequestRecord }) {
  const { t } = useI18n()
  const tags: string[] = []
  const auth = (record.auth as { type?: string } | undefined)?.type
  if (auth && auth !== 'none') tags.push(auth)
  if (record.rateLimit) tags.push(t('webrequests.tag.rateLimit'))
  if (record.idempotency) tags.push(t('webrequests.tag.idempotency'))
  if (record.cors) tags.push('CORS')
  if (!tags.length) return null
  return (
    <div className="tags">
      {tags.map((tag) => (
        <span key={tag} className="tag">
          {tag}
        </span>
      ))}
    </div>
  )
}

function LastProcess({ process }: { process: ProcessRecord | null }) {
  const { lang } = useI18n()
  if (!process) return <span className="muted">—</span>
  return (
    <Link to={`/processes/${encodeURIComponent(process.id)}`} className="last-process">
      <StatusBadge status={process.status} />
      <span className="muted small">{formatTime(process.startedAt, lang)}</span>
    </Link>
  )
}
