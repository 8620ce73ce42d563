/**
 * The processes, newest first, filtered by status, scenario and time (kept in the address so a
 * filtered list can be shared), refreshed every 2 s while "live" is on, paged by cursor.
 */
import { useEffect, useState } from 'react'
import { api, withQuery } from '../api.ts'
import { useI18n } from '../i18n.ts'
import type { MessageKey } from '../messages.ts'
import { navigate, setQuery, useLocation } from '../router.ts'
import type { Page, ProcessRecord, ScenarioRecord, WebRequestRecord } from '../types.ts'
import { Empty, ErrorBox, Link, Spinner, StatusBadge } from '../ui/bits.tsx'
import { formatDuration, formatTime, isoToLocalInput, localInputToIso, shortId } from '../ui/format.ts'
import { useApi } from '../ui/useApi.ts'

const STATUSES = ['queued', 'running', 'completed', 'failed', 'interrupted', 'cancelled'] as const
const PAGE = 50

export function ProcessesPage() {
  const { t, lang } = useI18n()
  const { query } = useLocation()
  const [live, setLive] = useState(true)
  const filters = { status: query.get('status') ?? '', scenarioId: query.get('scenarioId') ?? '', from: query.get('from') ?? '', to: query.get('to') ?? '' }
  const path = withQuery('/api/v1/processes', { ...filters, limit: PAGE })
  const first = useApi<Page<ProcessRecord>>(path, { pollMs: live ? 2000 : undefined })
  const scenarios = useApi<Page<ScenarioRecord>>('/api/v1/scenarios')
  const webrequests = useApi<Page<WebRequestRecord>>('/api/v1/webrequests')
  const [more, setMore] = useState<{ items: ProcessRecord[]; cursor: string | null }>({ items: [], cursor: null })
  const [moreError, setMoreError] = useState<unknown>(null)

  useEffect(() => setMore({ items: [], cursor: null }), [path])

  const shown = first.data?.items ?? []
  const seen = new Set(shown.map((p) => p.id))
  const items = [...shown, ...more.items.filter((p) => !seen.has(p.id))]
  const nextCursor = more.items.length ? more.cursor : (first.data?.nextCursor ?? null)
  const triggers = new Map((webrequests.data?.items ?? []).map((w) => [w.id, w]))

  const loadMore = async () => {
    if (!nextCursor) return
    try {
      const page = await api.get<Page<ProcessRecord>>(withQuery('/api/v1/processes', { ...filters, limit: PAGE, cursor: nextCursor }))
      setMore((m) => ({ items: [...m.items, ...page.items], cursor: page.nextCursor }))
    } catch (e) {
      setMoreError(e)
    }
  }

  return (
    <section>
      <div className="page-head">
        <h1>{t('nav.processes')}</h1>
        <label className="check live" title={t('processes.liveHint')}>
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} data-testid="live" />
          <span className={live ? 'live-dot is-on' : 'live-dot'} /> {t('processes.live')}
        </label>
      </div>
      <div className="filters" data-testid="filters">
        <FindProcess loaded={items} />
        <label className="field field-inline">
          <span>{t('processes.status')}</span>
          <select value={filters.status} onChange={(e) => setQuery({ status: e.target.value })} data-testid="filter-status">
            <option value="">{t('processes.any')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-inline">
          <span>{t('processes.scenario')}</span>
          <select value={filters.scenarioId} onChange={(e) => setQuery({ scenarioId: e.target.value })} data-testid="filter-scenario">
            <option value="">{t('processes.any')}</option>
            {filters.scenarioId && !scenarios.data?.items.some((s) => s.id === filters.scenarioId) ? <option value={filters.scenarioId}>{filters.scenarioId}</option> : null}
            {(scenarios.data?.items ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.scenario.name || s.id}
              </option>
            ))}
          </select>
        </label>
        <label className="field field-inline">
          <span>{t('processes.from')}</span>
          <input type="datetime-local" value={isoToLocalInput(filters.from)} onChange={(e) => setQuery({ from: localInputToIso(e.target.value) })} />
        </label>
        <label className="field field-inline">
          <span>{t('processes.to')}</span>
          <input type="datetime-local" value={isoToLocalInput(filters.to)} onChange={(e) => setQuery({ to: localInputToIso(e.target.value) })} />
        </label>
        {Object.values(filters).some(Boolean) ? (
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setQuery({ status: undefined, scenarioId: undefined, from: undefined, to: undefined })}>
            {t('processes.clear')}
          </button>
        ) : null}
      </div>
      <ErrorBox error={first.error ?? moreError} />
      {first.loading && !first.data ? <Spinner /> : null}
      {first.data && !items.length ? <Empty>{t('processes.none')}</Empty> : null}
      {items.length ? (
        <table className="table table-rows" data-testid="processes">
          <thead>
            <tr>
              <th>{t('processes.status')}</th>
              <th>{t('processes.process')}</th>
              <th>{t('processes.scenario')}</th>
              <th>{t('processes.trigger')}</th>
              <th>{t('processes.started')}</th>
              <th className="num">{t('processes.duration')}</th>
              <th className="num">{t('processes.httpStatus')}</th>
              <th>{t('processes.errorCode')}</th>
              <th>{t('processes.failedNode')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => {
              const trigger = p.trigger?.id ? triggers.get(p.trigger.id) : undefined
              const open = () => navigate(`/processes/${encodeURIComponent(p.id)}`)
              return (
                <tr key={p.id} data-process={p.id} onClick={open} className="clickable">
                  <td>
                    <StatusBadge status={p.status} />
                  </td>
                  <td>
                    <Link to={`/processes/${encodeURIComponent(p.id)}`} title={p.id}>
                      <code>{shortId(p.id)}</code>
                    </Link>
                    {p.replayOf ? (
                      <span className="tag" title={p.replayOf}>
                        {t('processes.replay')}
                      </span>
                    ) : null}
                    {p.parentId ? (
                      <span className="tag" title={p.parentId}>
                        {t('processes.child')}
                      </span>
                    ) : null}
                  </td>
                  <td>
                    <code>{p.scenario.id}</code> <span className="muted">v{p.scenario.version}</span>
                  </td>
                  <td>
                    {trigger ? (
                      <span title={trigger.id}>
                        {trigger.name} <span className="muted small">/{trigger.urlId}</span>
                      </span>
                    ) : (
                      <span className="muted">{triggerLabel(p, t)}</span>
                    )}
                    {p.trigger?.async ? <span className="tag">async</span> : null}
                  </td>
                  <td className="muted">{formatTime(p.startedAt, lang)}</td>
                  <td className="num">{formatDuration(p.durationMs)}</td>
                  <td className="num" data-testid="http-status">
                    {p.response?.status ?? '—'}
                  </td>
                  <td data-testid="error-code">{p.error?.code ? <code className="error-code">{p.error.code}</code> : <span className="muted">—</span>}</td>
                  <td data-testid="failed-node">{p.error?.nodeId ? <code>{p.error.nodeId}</code> : <span className="muted">—</span>}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      ) : null}
      {nextCursor ? (
        <div className="center">
          <button type="button" className="btn" onClick={loadMore}>
            {t('processes.more')}
          </button>
        </div>
      ) : null}
    </section>
  )
}

function triggerLabel(p: ProcessRecord, t: (key: MessageKey) => string): string {
  switch (p.trigger?.type) {
    case '$webRequest':
      return t('processes.trigger.webRequest')
    case '$subProcess':
      return t('processes.trigger.subProcess')
    case '$manual':
      return t('processes.trigger.manual')
    case '$test':
      return t('processes.trigger.test')
    default:
      return p.trigger?.type ?? '—'
  }
}

/**
 * Opens a process by its id: the whole id goes to its page (the server answers 404 for an
 * unknown one); the first characters, as the list shows them, match the processes loaded.
 */
function FindProcess({ loaded }: { loaded: readonly ProcessRecord[] }) {
  const { t } = useI18n()
  const [text, setText] = useState('')
  const [missing, setMissing] = useState(false)
  const find = () => {
    const wanted = text.trim().toLowerCase()
    if (!wanted) return
    // By its start or its end: the list shows an id's last 8 characters.
    const matches = loaded.filter((p) => p.id.toLowerCase().startsWith(wanted) || p.id.toLowerCase().endsWith(wanted))
    if (matches.length === 1) return navigate(`/processes/${encodeURIComponent(matches[0].id)}`)
    if (wanted.length >= 32) return navigate(`/processes/${encodeURIComponent(text.trim())}`)
    setMissing(true)
  }
  return (
    <form
      className="field field-inline find-process"
      role="search"
      onSubmit={(e) => {
        e.preventDefault()
        find()
      }}
    >
      <label htmlFor="find-process">
        <span>{t('processes.findId')}</span>
      </label>
      <div className="find-node">
        <input
          id="find-process"
          className="input mono"
          value={text}
          onChange={(e) => {
            setText(e.target.value)
            setMissing(false)
          }}
          placeholder="…b1e2c3d4"
          data-testid="find-process"
        />
        <button type="submit" className="btn btn-small">
          {t('editor.find')}
        </button>
      </div>
      {missing ? (
        <span className="muted small" role="status">
          {t('processes.notFound')}
        </span>
      ) : null}
    </form>
  )
}
