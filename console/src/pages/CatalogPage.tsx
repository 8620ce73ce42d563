/**
 * One catalog: its records in a table with a filter per field (Bpium's filter values by field
 * type), quick search and paging; and the scenarios bound to its data-change events, editable.
 */
import { useMemo, useState } from 'react'
import { api, withQuery } from '../api.ts'
import { useI18n } from '../i18n.ts'
import type { Catalog, CatalogEvent, Page, RecordPage, ScenarioRecord } from '../types.ts'
import { Empty, ErrorBox, Link, Spinner } from '../ui/bits.tsx'
import { formatTime } from '../ui/format.ts'
import { FilterInput, formatValue } from '../ui/recordFields.tsx'
import { useApi } from '../ui/useApi.ts'
import '../records.css'

const PAGE = 50

export function CatalogPage({ id }: { id: string }) {
  const { t, lang } = useI18n()
  const catalog = useApi<Catalog>(`/api/v1/catalogs/${encodeURIComponent(id)}`)
  const [filters, setFilters] = useState<Record<string, unknown>>({})
  const [searchText, setSearchText] = useState('')
  const [offset, setOffset] = useState(0)
  const active = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined))
  const path = withQuery(`/api/v1/catalogs/${encodeURIComponent(id)}/records`, { filters: Object.keys(active).length ? JSON.stringify(active) : undefined, searchText, limit: PAGE, offset })
  const records = useApi<RecordPage>(catalog.data ? path : null)
  const fields = useMemo(() => (catalog.data?.fields ?? []).filter((f) => f.type !== 'group'), [catalog.data])
  const shown = fields.slice(0, 8)
  const filter = (fieldId: string, value: unknown) => {
    setFilters((all) => ({ ...all, [fieldId]: value }))
    setOffset(0)
  }

  if (catalog.error) return <ErrorBox error={catalog.error} />
  if (!catalog.data) return <Spinner />
  const total = records.data?.total ?? 0
  return (
    <section>
      <div className="page-head">
        <h1>
          {catalog.data.name} <code className="muted small">{catalog.data.id}</code>
        </h1>
        <Link to={`/catalogs/${encodeURIComponent(id)}/records/new`} className="btn btn-primary">
          {t('records.new')}
        </Link>
      </div>
      <div className="filters" data-testid="record-filters">
        <label className="field">
          <span>{t('records.search')}</span>
          <input
            name="searchText"
            value={searchText}
            onChange={(e) => {
              setSearchText(e.target.value)
              setOffset(0)
            }}
          />
        </label>
        {fields.map((field) => {
          const input = FilterInput({ field, value: filters[field.id], onChange: (v) => filter(field.id, v) })
          return input ? (
            <label key={field.id} className="field">
              <span>{field.name}</span>
              {input}
            </label>
          ) : null
        })}
      </div>
      <ErrorBox error={records.error} />
      {records.data && !records.data.items.length ? <Empty>{t('records.none')}</Empty> : null}
      {records.data?.items.length ? (
        <table className="table" data-testid="records">
          <thead>
            <tr>
              <th>id</th>
              {shown.map((f) => (
                <th key={f.id}>{f.name}</th>
              ))}
              <th>{t('records.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {records.data.items.map((record) => (
              <tr key={record.id} data-record={record.id}>
                <td>
                  <Link to={`/catalogs/${encodeURIComponent(id)}/records/${encodeURIComponent(record.id)}`}>{record.id}</Link>
                </td>
                {shown.map((f) => (
                  <td key={f.id}>{formatValue(f, record.values[f.id], lang)}</td>
                ))}
                <td className="muted small">{formatTime(record.updatedAt, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div className="pager">
        <span className="muted" data-testid="records-total">
          {t('records.total', { n: total })}
        </span>
        <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          ←
        </button>
        <button type="button" className="btn btn-small" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
          →
        </button>
      </div>
      <EventBindings catalog={catalog.data} onSaved={catalog.reload} />
    </section>
  )
}

function EventBindings({ catalog, onSaved }: { catalog: Catalog; onSaved: () => Promise<void> }) {
  const { t } = useI18n()
  const scenarios = useApi<Page<ScenarioRecord>>('/api/v1/scenarios')
  const [draft, setDraft] = useState<CatalogEvent>({ on: 'create', phase: 'after', scenarioId: '' })
  const [error, setError] = useState<unknown>(null)
  const save = async (events: CatalogEvent[]) => {
    setError(null)
    try {
      await api.put(`/api/v1/catalogs/${encodeURIComponent(catalog.id)}`, { ...catalog, events })
      await onSaved()
    } catch (e) {
      setError(e)
    }
  }
  const events = catalog.events ?? []
  return (
    <section className="panel records-panel" data-testid="event-bindings">
      <h2>{t('catalogs.events')}</h2>
      <p className="muted small">{t('catalogs.eventsHint')}</p>
      <ErrorBox error={error} />
      <ul className="bindings">
        {events.map((event, i) => (
          <li key={i}>
            <code>
              {event.phase} {event.on}
            </code>{' '}
            → <Link to={`/scenarios/${encodeURIComponent(event.scenarioId)}`}>{event.scenarioId}</Link>
            <button type="button" className="btn btn-small btn-ghost" onClick={() => save(events.filter((_, j) => j !== i))}>
              {t('action.delete')}
            </button>
          </li>
        ))}
      </ul>
      <div className="row">
        <select name="event-phase" value={draft.phase} onChange={(e) => setDraft({ ...draft, phase: e.target.value as CatalogEvent['phase'] })}>
          <option value="before">{t('catalogs.before')}</option>
          <option value="after">{t('catalogs.after')}</option>
        </select>
        <select name="event-on" value={draft.on} onChange={(e) => setDraft({ ...draft, on: e.target.value as CatalogEvent['on'] })}>
          <option value="create">create</option>
          <option value="update">update</option>
          <option value="delete">delete</option>
        </select>
        <select name="event-scenario" value={draft.scenarioId} onChange={(e) => setDraft({ ...draft, scenarioId: e.target.value })}>
          <option value="">—</option>
          {(scenarios.data?.items ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.scenario.name ? `${s.scenario.name} (${s.id})` : s.id}
            </option>
          ))}
        </select>
        <button type="button" className="btn btn-small" disabled={!draft.scenarioId} onClick={() => save([...events, draft])} data-testid="add-binding">
          {t('catalogs.bind')}
        </button>
      </div>
    </section>
  )
}
